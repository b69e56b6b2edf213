namespace Kernel
{
    /// <summary>How a case of a <see cref="BenchSuite"/> runs.</summary>
    public enum CaseFlags
    {
        None = 0,
        /// <summary>With parallel=1 and more than one CPU, every CPU runs the operation at once.</summary>
        Parallel = 1,
    }

    /// <summary>
    /// A table of micro-benchmark cases run one after another in one boot, each a row of
    /// (name, operation, precondition, check, flags, assembly reference): kvm-unit-tests'
    /// `struct test {func, name, valid, parallel}` idea. A kernel declares its table as a
    /// list of <see cref="Case"/> calls; each row runs as it is reached, so no name has to be
    /// kept in memory (the guest has no GC for string statics).
    ///
    /// Per case: a short warm-up, then `#kt sync bench.NAME.begin`, `batches` timed batches of
    /// `ops` operations, `#kt sync bench.end` (the runner reads KVM's exit counters at
    /// both), then the same number of batches of the assembly loop when there is one. Figures:
    /// per-operation cycles as the min, median and p99 over batches, in centicycles (the guest
    /// has no floating point). <see cref="Baseline"/> is the same handshake around empty
    /// batches, so the runner can take the handshake's own exits out of every case.
    ///
    /// Command line: batches=N (default 16), ops=N per batch (default 64), only=a,b (run just
    /// these cases), skip=a,b (report these as SKIP without running them), parallel=1 (Parallel cases on every CPU). APs not taking part in a case
    /// halt with interrupts on, so they add no exits to it.
    /// </summary>
    public static unsafe class BenchSuite
    {
        public const int DefaultBatches = 16, MaxBatches = 256;
        public const int DefaultOps = 64, MaxOps = 1_000_000;
        /// <summary>Woken-from-park IPI: the handler only EOIs.</summary>
        public const int ParkWakeVector = 0xF0;
        /// <summary>A parked or waiting AP gives up after this (the BSP ends the run long before).</summary>
        public const ulong ApLifetimeUs = 600_000_000;
        /// <summary>How long the BSP waits for the APs of a parallel case to finish their operations.</summary>
        public const ulong ApFinishWaitUs = 60_000_000;
        /// <summary>
        /// The sync tag after every timed region: the same for every case, because the line is
        /// printed inside the counted window and each character written is an exit. The
        /// runner pairs it with the `bench.NAME.begin` reading before it.
        /// </summary>
        public const string EndTag = "bench.end";
        private const int OverheadSamples = 256;
        private const int CentiPerUnit = 100;
        private const int PercentileP99 = 99, Percent = 100;

        private static int s_batches, s_ops, s_parallelAllowed, s_participants;
        private static int s_selected, s_parked;
        private static volatile int s_go, s_park;
        private static ulong s_apOp, s_apOps;
        private static ulong s_pollGap;
        /// <summary>How often a sync wait looks at the UART: each look is an exit counted in the window.</summary>
        public const ulong SyncPollGapUs = 1000;
        private const ulong SpinCalibrationIterations = 10_000;

        private struct Samples { public fixed ulong Values[MaxBatches]; }
        private static Samples s_samples;

        /// <summary>Operations per timed batch.</summary>
        public static int OpsPerBatch => s_ops;
        public static int Batches => s_batches;
        /// <summary>CPUs running the current case (1 unless it is Parallel and parallel=1).</summary>
        public static int Participants => s_participants == 0 ? 1 : s_participants;

        /// <summary>
        /// Reads the settings, reports them and the timer overhead, and parks the APs.
        /// Call after the APIC is set up on every CPU (<see cref="Apic.InitOtherCpus"/>).
        /// False (reported) when a setting is out of range.
        /// </summary>
        public static bool Init()
        {
            s_batches = (int)CommandLine.GetInt("batches", DefaultBatches);
            s_ops = (int)CommandLine.GetInt("ops", DefaultOps);
            s_parallelAllowed = CommandLine.Is("parallel", "1") ? 1 : 0;
            if (!Report.Check(s_batches >= 1 && s_batches <= MaxBatches, "bench.batches_valid", "batches must be 1..256")) return false;
            if (!Report.Check(s_ops >= 1 && s_ops <= MaxOps, "bench.ops_valid", "ops must be 1..1000000")) return false;
            Report.Metric("bench.batches", s_batches, "count");
            Report.Metric("bench.ops_per_batch", s_ops, "count");
            Report.Metric("bench.parallel", s_parallelAllowed, "bool");
            Tsc.MeasureOverhead(OverheadSamples, out ulong overheadMin, out ulong overheadMedian);
            Report.Metric("timer.overhead.min", (long)overheadMin, "cycles");
            Report.Metric("timer.overhead.median", (long)overheadMedian, "cycles");
            // The spin loop's speed differs by orders of magnitude between hardware and an
            // emulating host: measure it once, so a sync wait looks at the UART about every
            // millisecond (a runner's answer takes milliseconds; each look is an exit).
            ulong t0 = Cpu.TimerBegin();
            Cpu.SpinLoop(SpinCalibrationIterations);
            ulong spinCycles = Cpu.TimerEnd() - t0;
            s_pollGap = spinCycles == 0 ? 1 : Tsc.MicrosecondsToCycles(SyncPollGapUs) * SpinCalibrationIterations / spinCycles;
            if (s_pollGap == 0) s_pollGap = 1;
            Report.Metric("bench.sync_poll_gap_iterations", (long)s_pollGap, "count");
            Idt.Set(ParkWakeVector, &OnParkWake);
            if (!ParkAps()) return false;
            // The first handshake of a boot is slower than the rest (seen: 3,145 exits against
            // about 230 in an L1 host): one untimed pair, counted nowhere, before the baseline.
            return Report.Sync("bench.", "warmup", ".begin", s_pollGap) && Report.Sync("", EndTag, "", s_pollGap);
        }

        /// <summary>Whether only= is absent or names this case.</summary>
        public static bool Selected(string name) => !CommandLine.Has("only") || CommandLine.ListHas("only", name);

        /// <summary>
        /// The handshake alone: the same sync pair around the same number of empty timed
        /// batches, so its exits are what every case's window holds besides its operations.
        /// A kernel runs one before its cases and one after (`baseline`, `baseline_end`): the
        /// two show how much the handshake itself varies.
        /// </summary>
        public static bool Baseline(string name)
        {
            if (!Report.Sync("bench.", name, ".begin", s_pollGap)) return false;
            fixed (ulong* samples = s_samples.Values)
                for (int b = 0; b < s_batches; b++)
                {
                    ulong t0 = Cpu.TimerBegin();
                    ulong t1 = Cpu.TimerEnd();
                    samples[b] = t1 - t0;
                }
            if (!Report.Sync("", EndTag, "", s_pollGap)) return false;
            fixed (ulong* samples = s_samples.Values)
            {
                Sort.Ascending(samples, s_batches);
                Report.Metric("bench.", name, ".batch_cycles.median", (long)samples[s_batches / 2], "cycles");
            }
            Report.Metric("bench.", name, ".ops", 0, "count");
            return true;
        }

        /// <summary>
        /// One row of the table: runs it now if selected. <paramref name="prepare"/> (may be
        /// null) sets the case up and returns null, or returns why it cannot run here (a SKIP).
        /// <paramref name="check"/> (may be null) gets the case's name and the operations this CPU
        /// ran (warm-up included), may report figures of its own, undoes the set-up and returns null or what went wrong (a FAIL).
        /// <paramref name="asmLoop"/> (may be null) runs N operations in assembly and returns
        /// their fenced cycles. Interrupts are off again after every case.
        /// </summary>
        public static void Case(string name, delegate*<void> op, delegate*<string?> prepare, delegate*<string, long, string?> check,
                                CaseFlags flags, delegate*<ulong, ulong> asmLoop)
        {
            if (!Selected(name)) return;
            s_selected++;
            // Named before anything runs: a case that never comes back (a vCPU stuck in the
            // host) is then the last one named in the log.
            Report.Info("bench.case", name);
            if (CommandLine.ListHas("skip", name))
            {
                Report.Skip("bench.", name, "left out by skip= on the kernel command line");
                return;
            }
            string? skip = prepare != null ? prepare() : null;
            if (skip != null)
            {
                Report.Skip("bench.", name, skip);
                Cpu.DisableInterrupts();
                return;
            }
            bool parallel = (flags & CaseFlags.Parallel) != 0 && s_parallelAllowed != 0 && Smp.CpuCount > 1;
            s_participants = parallel ? Smp.CpuCount : 1;
            long ran = 0;
            bool ok = true;

            if (!parallel)
            {
                int warmup = s_ops / 4 + 1;
                for (int i = 0; i < warmup; i++) op();
                ran += warmup;
            }
            else ok = StartApOps(op, (ulong)s_batches * (ulong)s_ops);

            if (ok && Report.Sync("bench.", name, ".begin", s_pollGap))
            {
                s_go = 1;
                fixed (ulong* samples = s_samples.Values)
                    for (int b = 0; b < s_batches; b++)
                    {
                        ulong t0 = Cpu.TimerBegin();
                        for (int i = 0; i < s_ops; i++) op();
                        ulong t1 = Cpu.TimerEnd();
                        samples[b] = t1 - t0;
                    }
                ran += (long)s_batches * s_ops;
                if (parallel) ok = Report.Check(FinishApOps(), "bench.", name, ".cpus_finished",
                    "an AP did not finish its operations in time");
                ok &= Report.Sync("", EndTag, "", s_pollGap);
                Distribution(name, ".centicycles.min", ".centicycles.median", ".centicycles.p99");
            }
            else ok = false;

            Report.Metric("bench.", name, ".ops", (long)s_batches * s_ops * s_participants, "count");
            Report.Metric("bench.", name, ".cpus", s_participants, "count");

            if (ok && asmLoop != null && !parallel)
            {
                asmLoop((ulong)(s_ops / 4 + 1));
                fixed (ulong* samples = s_samples.Values)
                    for (int b = 0; b < s_batches; b++) samples[b] = asmLoop((ulong)s_ops);
                Distribution(name, ".asm.centicycles.min", ".asm.centicycles.median", ".asm.centicycles.p99");
            }
            string? failure = check != null ? check(name, ran) : null;
            Cpu.DisableInterrupts();
            s_participants = 1;
            Report.Check(ok && failure == null, "bench.", name, ".ran", failure);
        }

        /// <summary>The closing baseline, then checks only= named nothing the table lacks, and wakes the APs for the end.</summary>
        public static void Finish()
        {
            Baseline("baseline_end");
            if (CommandLine.Has("only"))
            {
                int words = CommandLine.ListLength("only");
                if (s_selected != words) Report.Info("bench.only", "", "", CommandLine.ValueOf("only"), 512);
                Report.Check(s_selected == words, "bench.only_known", "only= names a case this kernel does not have (see the bench.only info line)");
            }
            UnparkAps();
        }

        /// <summary>Per-operation centicycles of each batch: min, median and p99 over the batches.</summary>
        private static void Distribution(string name, string minSuffix, string medianSuffix, string p99Suffix)
        {
            fixed (ulong* samples = s_samples.Values)
            {
                int n = s_batches;
                for (int b = 0; b < n; b++) samples[b] = samples[b] * CentiPerUnit / (ulong)s_ops;
                Sort.Ascending(samples, n);
                int p99 = n * PercentileP99 / Percent;
                Report.Metric("bench.", name, minSuffix, (long)samples[0], "centicycles");
                Report.Metric("bench.", name, medianSuffix, (long)samples[n / 2], "centicycles");
                Report.Metric("bench.", name, p99Suffix, (long)samples[p99 < n ? p99 : n - 1], "centicycles");
            }
        }

        // ---------------- APs ----------------

        /// <summary>Every AP halts (interrupts on) until <see cref="UnparkAps"/>. False if one was busy.</summary>
        public static bool ParkAps()
        {
            if (Smp.CpuCount < 2 || s_parked != 0) return true;
            s_park = 1;
            bool ok = true;
            for (int cpu = 1; cpu < Smp.CpuCount; cpu++) ok &= Smp.OnCpuAsync(cpu, &Park, null);
            s_parked = 1;
            return ok;
        }

        /// <summary>Wakes the parked APs and waits until each is idle, ready for work.</summary>
        public static bool UnparkAps()
        {
            if (Smp.CpuCount < 2 || s_parked == 0) return true;
            s_park = 0;
            bool ok = true;
            for (int cpu = 1; cpu < Smp.CpuCount; cpu++)
            {
                Apic.SendFixed(Smp.ApicIdOf(cpu), ParkWakeVector);
                ok &= Smp.WaitIdle(cpu);
            }
            s_parked = 0;
            return ok;
        }

        private static void Park(void* arg)
        {
            ulong deadline = Tsc.Deadline(ApLifetimeUs);
            while (s_park != 0 && !Tsc.Passed(deadline)) Cpu.EnableInterruptsAndHalt();
            Cpu.DisableInterrupts();
        }

        private static void OnParkWake(InterruptFrame* frame) => Apic.Eoi();

        private static bool StartApOps(delegate*<void> op, ulong count)
        {
            s_go = 0;
            s_apOp = (ulong)op;
            s_apOps = count;
            if (!UnparkAps()) return false;
            bool ok = true;
            for (int cpu = 1; cpu < Smp.CpuCount; cpu++) ok &= Smp.OnCpuAsync(cpu, &ApOps, null);
            return ok;
        }

        private static void ApOps(void* arg)
        {
            ulong deadline = Tsc.Deadline(ApLifetimeUs);
            while (s_go == 0 && !Tsc.Passed(deadline)) Cpu.Pause();
            var op = (delegate*<void>)s_apOp;
            for (ulong i = 0; i < s_apOps; i++) op();
        }

        private static bool FinishApOps()
        {
            ulong deadline = Tsc.Deadline(ApFinishWaitUs);
            bool ok = true;
            for (int cpu = 1; cpu < Smp.CpuCount; cpu++)
                while (PerCpu.Of(cpu)->WorkPending != 0)
                {
                    if (Tsc.Passed(deadline)) { ok = false; break; }
                    Cpu.Pause();
                }
            s_go = 0;
            return ok && ParkAps();
        }
    }
}
