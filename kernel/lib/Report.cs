namespace Kernel
{
    /// <summary>
    /// The report protocol (docs/protocol.md): one line per check, skip or metric,
    /// a summary, then exit through isa-debug-exit with pass/fail/skip status.
    /// Safe to call from any CPU.
    /// </summary>
    public static unsafe partial class Report
    {
        private const string Prefix = "#kt ";
        private static int s_pass, s_fail, s_skip;

        // Guest values for isa-debug-exit (QEMU exit status is (v << 1) | 1).
        public const uint ExitPass = 0, ExitFail = 1, ExitSkip = 2;

        public static int Failures => s_fail;

        public static void Begin(string kernel, int cpus)
        {
            Console.Begin();
            Console.Write(Prefix);
            Console.Write("begin ");
            Console.Write(kernel);
            Console.Write(' ');
            Console.Write(cpus);
            Console.WriteLine();
            Console.End();
        }

        /// <summary>
        /// The protocol requires a failed check to say something; a check written without a
        /// detail says this rather than break the report line.
        /// </summary>
        private const string NoDetail = "the condition was false (the check names no detail)";

        public static bool Check(bool ok, string name) => Check(ok, name, null);

        public static bool Check(bool ok, string name, string? detail)
        {
            Console.Begin();
            StartLine(ok ? "check pass " : "check fail ", name);
            if (!ok) { Console.Write(' '); Console.Write(detail ?? NoDetail); }
            Console.WriteLine();
            Console.End();
            Count(ok ? 0 : 1);
            return ok;
        }

        /// <summary>Check that names both values when it fails.</summary>
        public static bool CheckEqual(string name, ulong expected, ulong actual)
        {
            bool ok = expected == actual;
            Console.Begin();
            StartLine(ok ? "check pass " : "check fail ", name);
            if (!ok)
            {
                Console.Write(" expected ");
                Console.WriteHex(expected);
                Console.Write(" got ");
                Console.WriteHex(actual);
            }
            Console.WriteLine();
            Console.End();
            Count(ok ? 0 : 1);
            return ok;
        }

        /// <summary>Check that <paramref name="actual"/> lies in [min, max], naming all three when not.</summary>
        public static bool CheckRange(string name, long actual, long min, long max)
        {
            bool ok = actual >= min && actual <= max;
            Console.Begin();
            StartLine(ok ? "check pass " : "check fail ", name);
            if (!ok)
            {
                Console.Write(" expected ");
                Console.Write(min);
                Console.Write("..");
                Console.Write(max);
                Console.Write(" got ");
                Console.Write(actual);
            }
            Console.WriteLine();
            Console.End();
            Count(ok ? 0 : 1);
            return ok;
        }

        public static void Skip(string name, string reason)
        {
            Console.Begin();
            StartLine("skip ", name);
            Console.Write(' ');
            Console.Write(reason);
            Console.WriteLine();
            Console.End();
            Count(2);
        }

        public static void Metric(string name, long value, string unit)
        {
            Console.Begin();
            StartLine("metric ", name);
            Console.Write(' ');
            Console.Write(value);
            Console.Write(' ');
            Console.Write(unit);
            Console.WriteLine();
            Console.End();
        }

        public static void Info(string key, string text)
        {
            Console.Begin();
            StartLine("info ", key);
            Console.Write(' ');
            Console.Write(text);
            Console.WriteLine();
            Console.End();
        }

        public static void Info(string key, byte* text, int length)
        {
            Console.Begin();
            StartLine("info ", key);
            Console.Write(' ');
            Console.Write(text, length);
            Console.WriteLine();
            Console.End();
        }

        public static void InfoHex(string key, ulong value)
        {
            Console.Begin();
            StartLine("info ", key);
            Console.Write(' ');
            Console.WriteHex(value);
            Console.WriteLine();
            Console.End();
        }

        /// <summary>How long <see cref="Sync"/> waits for the runner.</summary>
        public const ulong SyncWaitUs = 10_000_000;

        /// <summary>
        /// A rendezvous with the runner (docs/protocol.md `#kt sync`): when the command
        /// line has sync=1, print the tag and wait for the runner to answer with a byte
        /// on the serial port (it reads the VM's KVM counters in between). Without
        /// sync=1 it returns at once. Fails, naming the tag, if no answer came.
        /// </summary>
        public static bool Sync(string tag)
        {
            if (!CommandLine.Is("sync", "1")) return true;
            Console.Begin();
            StartLine("sync ", tag);
            Console.WriteLine();
            Console.End();
            if (Serial.Read(Tsc.Deadline(SyncWaitUs)) >= 0) return true;
            CheckFullName(false, "report.sync", "the runner never answered a `#kt sync` line on the serial port");
            return false;
        }

        /// <summary>
        /// An empty timed region between two sync points, right before a measured one: the
        /// runner subtracts its exits (the release, one sync line printed, the wait) from the
        /// measured region's, which carries the same handshake (docs/protocol.md).
        /// </summary>
        public static bool SyncBaseline() => Sync(BaselineBeginTag) && Sync(BaselineEndTag);

        public const string BaselineBeginTag = "baseline-begin", BaselineEndTag = "baseline-end";
        /// <summary>The sync right before `end`: the two readings differ by one handshake.</summary>
        public const string HandshakeTag = "handshake";

        /// <summary>An exception nobody expected: report it and end the test as failed.</summary>
        public static void Fault(int vector, ulong errorCode, ulong rip, int cpu, string what) => Fault(vector, errorCode, rip, cpu, what, false, 0);

        /// <summary>
        /// As <see cref="Fault(int, ulong, ulong, int, string)"/>, with the faulting linear address a #PF
        /// leaves in CR2 (SDM vol. 3A 4.7): a null dereference shows as cr2 0x0.
        /// </summary>
        public static void Fault(int vector, ulong errorCode, ulong rip, int cpu, string what, bool hasCr2, ulong cr2)
        {
            Console.Begin();
            Console.Write(Prefix);
            Console.Write("fault ");
            Console.Write(vector);
            Console.Write(' ');
            Console.WriteHex(errorCode);
            Console.Write(' ');
            Console.WriteHex(rip);
            Console.Write(' ');
            Console.Write(cpu);
            Console.Write(' ');
            Console.Write(what);
            if (hasCr2)
            {
                Console.Write(" cr2 ");
                Console.WriteHex(cr2);
            }
            Console.WriteLine();
            Console.End();
            Count(1);
            Finish();
        }

        /// <summary>Prints the summary and exits QEMU; never returns.</summary>
        public static void Finish()
        {
            // With sync=1 the runner reads the VM's counters here, while it still runs
            // (`#kt end` must stay the last protocol line, and the exit follows it at once).
            // The sync before it measures one handshake, which the runner takes off the total.
            // A fault or runtime failure can end the run inside a row: what follows is named in full.
            Scope(null);
            MaskedDelivery.Judge();
            Sync(HandshakeTag);
            Sync("end");
            Console.Begin();
            Console.Write(Prefix);
            Console.Write("end ");
            Console.Write(s_pass);
            Console.Write(' ');
            Console.Write(s_fail);
            Console.Write(' ');
            Console.Write(s_skip);
            Console.WriteLine();
            Console.End();
            Exit.Now(s_fail > 0 ? ExitFail : s_pass > 0 ? ExitPass : ExitSkip);
        }

        /// <summary>A line's start: its name is relative to the running row (ReportScope.cs).</summary>
        private static void StartLine(string kind, string name)
        {
            Console.Write(Prefix);
            Console.Write(kind);
            WriteName(name);
        }

        private static void Count(int which)
        {
            fixed (int* p = &s_pass) fixed (int* f = &s_fail) fixed (int* s = &s_skip)
                Atomic.FetchAdd(which == 0 ? p : which == 1 ? f : s, 1);
        }
    }
}
