using Kernel;

/// <summary>
/// Checks the guest library itself before any test trusts it: the report API,
/// integer formatting, static constructors, arrays of structs, the command line
/// and the guarded-MSR path of the exception dispatcher.
/// </summary>
internal static unsafe class TestKernel
{
    public const string Name = "selftest";

    public static void Run()
    {
        CheckReportApi();
        CheckFormatting();
        CheckStaticConstructors();
        CheckStructArray();
        CheckCommandLine();
        CheckGuardedMsr();
        CheckSort();
        Report.Skip("report.skip", "deliberate skip: the runner must count it as skipped");
    }

    private static void CheckReportApi()
    {
        Report.Check(true, "report.check");
        Report.CheckEqual("report.check_equal", 0x1234, 0x1234);
        Report.CheckRange("report.check_range", 5, 1, 10);
        Report.Metric("report.metric", -42, "count");
    }

    private static void CheckFormatting()
    {
        byte* text = stackalloc byte[32];
        Report.Check(Format.Equals(text, Format.Decimal(0, text), "0"), "format.decimal_zero");
        Report.Check(Format.Equals(text, Format.Decimal(1234567890, text), "1234567890"), "format.decimal");
        Report.Check(Format.Equals(text, Format.Decimal(-42, text), "-42"), "format.decimal_negative");
        Report.Check(Format.Equals(text, Format.Decimal(long.MinValue, text), "-9223372036854775808"), "format.decimal_min");
        Report.Check(Format.Equals(text, Format.Unsigned(ulong.MaxValue, text), "18446744073709551615"), "format.unsigned_max");
        Report.Check(Format.Equals(text, Format.Hex(0, text), "0x0"), "format.hex_zero");
        Report.Check(Format.Equals(text, Format.Hex(0xFEE00000, text), "0xfee00000"), "format.hex");
        Report.Check(Format.Equals(text, Format.Hex(ulong.MaxValue, text), "0xffffffffffffffff"), "format.hex_max");
        Report.Check(!Format.Equals(text, Format.Hex(0x10, text), "0x1"), "format.equals_rejects_mismatch");
    }

    private static void CheckStaticConstructors()
    {
        // Folded at compile time by ilc's preinitialiser.
        Report.CheckEqual("cctor.preinitialized", 55, (ulong)Preinitialized.SumOneToTen);
        // Reads the TSC, so it cannot be folded: it must run, once, on first access.
        ulong first = RunsAtStartup.Stamp;
        Report.Check(first != 0, "cctor.runs");
        Report.CheckEqual("cctor.runs_once", first, RunsAtStartup.Stamp);
        Report.CheckEqual("cctor.run_count", 1, (ulong)RunsAtStartup.Runs);
    }

    private static void CheckStructArray()
    {
        var points = new Point[8];
        Report.CheckEqual("array.length", 8, (ulong)points.Length);
        bool zeroed = true;
        for (int i = 0; i < points.Length; i++) zeroed &= points[i].X == 0 && points[i].Y == 0;
        Report.Check(zeroed, "array.zeroed");
        for (int i = 0; i < points.Length; i++) { points[i].X = i; points[i].Y = i * i; }
        long sum = 0;
        for (int i = 0; i < points.Length; i++) sum += points[i].X + points[i].Y;
        Report.CheckEqual("array.struct_fields", 28 + 140, (ulong)sum);
        // A second allocation overlapping the first would show as the first array's pattern
        // overwritten by the second's fill, or as overlapping address ranges.
        var other = new Point[4];
        for (int i = 0; i < other.Length; i++) { other[i].X = -1; other[i].Y = -1; }
        bool firstIntact = true;
        for (int i = 0; i < points.Length; i++) firstIntact &= points[i].X == i && points[i].Y == i * i;
        bool apart;
        fixed (Point* a = points)
        fixed (Point* b = other)
            apart = b >= a + points.Length || b + other.Length <= a;
        Report.Check(other.Length == 4 && firstIntact && apart, "array.second_allocation_distinct",
            "a second new Point[4] overwrote the first array or overlaps its address range");
    }

    private static void CheckCommandLine()
    {
        Report.CheckEqual("cmdline.cpus_matches_online", (ulong)Smp.CpuCount, (ulong)CommandLine.GetInt("cpus", 0));
        Report.Check(!CommandLine.Has("no-such-key"), "cmdline.absent_key");
        Report.CheckEqual("cmdline.default", 7, (ulong)CommandLine.GetInt("no-such-key", 7));
    }

    private const uint ReservedMsr = 0xDEADBEEF;
    private const uint MsrKernelGsBase = 0xC0000102;   // architectural on every x86-64 CPU

    private static void CheckGuardedMsr()
    {
        ulong value;
        int vector = Cpu.ReadMsrSafe(ReservedMsr, &value);
        Report.CheckEqual("msr.reserved_read_gp", Exceptions.GP, (ulong)vector);
        Report.CheckEqual("msr.reserved_write_gp", Exceptions.GP, (ulong)Cpu.WriteMsrSafe(ReservedMsr, 0));
        Report.Check(Cpu.WriteMsrSafe(MsrKernelGsBase, 0x5A) == Cpu.NoFault, "msr.valid_write_no_fault");
        Report.CheckEqual("msr.valid_read_back", 0x5A, Cpu.ReadMsr(MsrKernelGsBase));
    }

    private static void CheckSort()
    {
        ulong* a = stackalloc ulong[64];
        // A pseudo-random permutation with duplicates, so the sort has real work to do.
        ulong x = 12345;
        for (int i = 0; i < 64; i++) { x = x * 6364136223846793005UL + 1442695040888963407UL; a[i] = (x >> 58); }
        Sort.Ascending(a, 64);
        bool ordered = true;
        for (int i = 1; i < 64; i++) ordered &= a[i - 1] <= a[i];
        Report.Check(ordered, "sort.ascending");
        ulong* b = stackalloc ulong[5];
        b[0] = 5; b[1] = 1; b[2] = 4; b[3] = 2; b[4] = 3;
        Sort.Ascending(b, 5);
        Report.Check(b[0] == 1 && b[1] == 2 && b[2] == 3 && b[3] == 4 && b[4] == 5, "sort.small_exact");
    }

    private struct Point { public long X, Y; }

    private static class Preinitialized
    {
        public static readonly int SumOneToTen = Sum(10);
        private static int Sum(int n) { int s = 0; for (int i = 1; i <= n; i++) s += i; return s; }
    }

    private static class RunsAtStartup
    {
        public static readonly ulong Stamp;
        public static int Runs;
        static RunsAtStartup() { Stamp = Cpu.Rdtsc(); Runs++; }
    }
}
