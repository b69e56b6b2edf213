using Runner.Bench;
using Runner.Config;
using Runner.Execution;
using Runner.Host;
using Runner.Protocol;
using Runner.Qemu;

namespace Runner.Tests.Bench;

/// <summary>Guest runs of build/ipi.elf as the executor returns them, made from a transcript like the real kernel's.</summary>
static class IpiFakes
{
    public static string[] Transcript(string apic, long csharp, long asm, int iters = 20, string target = "spin", string kind = "unicast") =>
    [
        "#kt begin ipi 2",
        "#kt arg cpus 2",
        "#kt metric tsc.hz 2445430000 hz",
        $"#kt info ipi.apic {apic}",
        $"#kt info ipi.kind {kind}",
        $"#kt info ipi.target {target}",
        "#kt check pass ipi.apic_mode_set",
        "#kt metric timer.overhead.min 18000 cycles",
        "#kt metric timer.overhead.median 19000 cycles",
        $"#kt metric ipi.iterations {iters} count",
        "#kt sync baseline-begin",
        "#kt sync baseline-end",
        "#kt sync measure-begin",
        "#kt sync measure-end",
        $"#kt metric ipi.cycles.avg {csharp} cycles",
        $"#kt metric ipi.cycles.min {csharp / 2} cycles",
        $"#kt metric ipi.cycles.median {csharp} cycles",
        $"#kt metric ipi.cycles.p99 {csharp * 3} cycles",
        $"#kt metric ipi.asm.cycles.avg {asm} cycles",
        $"#kt metric ipi.asm.cycles.median {asm} cycles",
        $"#kt metric ipi.csharp_over_asm_permille {csharp * 1000 / asm} permille",
        "#kt check pass ipi.all_round_trips_completed",
        "#kt end 2 0 0",
    ];

    public static KvmCounters Exits(long exits) => new() { Vcpu = new Dictionary<string, long> { ["exits"] = exits }, VcpuCount = 2 };

    /// <param name="handshake">Exits of the empty baseline region; the batch's region holds them too.</param>
    public static TestRunResult Run(string apic, long csharp, long asm, long? exitsDuringBatch = 40, int iters = 20,
        string target = "spin", string kind = "unicast", long handshake = 0)
    {
        var stdout = Transcript(apic, csharp, asm, iters, target, kind);
        var verdict = VerdictJudge.Judge(new RunEvidence { Stdout = stdout, ExitStatus = GuestExitStatus.AllPassed, ExpectedCpus = 2 });
        return new TestRunResult(new TestEntry { Name = "ipi", File = "ipi", Smp = 2 }, AccelDecision.Use(AccelKind.Kvm, "test"), verdict,
            TimeSpan.FromMilliseconds(500))
        {
            Argv = ["qemu-system-x86_64", "-append", $"cpus=2 apic={apic} iters={iters} sync=1"],
            KvmReadings = exitsDuringBatch is { } e
                ? [new KvmReading("baseline-begin", Exits(900)), new KvmReading("baseline-end", Exits(900 + handshake)),
                   new KvmReading("measure-begin", Exits(1000)), new KvmReading("measure-end", Exits(1000 + e + handshake)),
                   new KvmReading("end", KvmCounters.Missing(KvmCounters.VmExited))]
                : [new KvmReading("measure-begin", KvmCounters.Missing(KvmCounters.NoQueryStats)), new KvmReading("measure-end", KvmCounters.Missing(KvmCounters.NoQueryStats))],
        };
    }

    public static TestRunResult Failed(string reason) =>
        new(new TestEntry { Name = "ipi", File = "ipi", Smp = 2 }, AccelDecision.Use(AccelKind.Kvm, "test"),
            new Verdict(Outcome.Timeout, reason), TimeSpan.FromSeconds(60)) { Argv = ["qemu-system-x86_64"] };

    public static IpiColumnResult Column(ApicMode apic, bool ipiv, params long[] csharp)
    {
        var col = new IpiColumn(apic, ipiv, Want.Any);
        var runs = csharp.Select((c, i) => IpiAnalysis.ToRun(Run(apic.Arg(), c, c * 9 / 10), i + 1, col, IpiTarget.Spin, IpiKind.Unicast)).ToList();
        return new IpiColumnResult
        {
            Key = col.Key, Label = col.Label, Apic = apic.Arg(), Ipiv = ipiv,
            VerifiedState = "test host", Runs = runs, Stats = IpiAnalysis.ColumnStats(runs),
        };
    }

    public static IpiColumnResult Unavailable(ApicMode apic, bool ipiv, string why)
    {
        var col = new IpiColumn(apic, ipiv, Want.Any);
        return new IpiColumnResult { Key = col.Key, Label = col.Label, Apic = apic.Arg(), Ipiv = ipiv, Unavailable = why };
    }

    public static IpiReport Report(int runs, params IpiColumnResult[] columns) => new()
    {
        RunnerVersion = "test",
        Started = new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero),
        Host = new IpiHost { CpuVendor = "GenuineIntel", CpuModel = "Test CPU", KernelRelease = "6.0", KvmBackend = "kvm_intel", KvmCpuModel = "host" },
        Kernel = new IpiKernel("build/ipi.elf", "00ff", "ipi"),
        Settings = new IpiSettings { Runs = runs, Cpus = 2, Iterations = 20, Warmup = 5, ApicModes = ["xapic", "x2apic"], Ipiv = [false, true] },
        Columns = columns,
        Reductions = IpiAnalysis.Reductions(columns),
    };
}
