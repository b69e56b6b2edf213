using Kernel;

/// <summary>Checks the guest library itself: the report API, formatting, statics, arrays.</summary>
internal static unsafe class TestKernel
{
    public const string Name = "selftest";

    public static void Run()
    {
        Report.Check(true, "report.check");
        Report.CheckEqual("report.check_equal", 0x1234, 0x1234);
        Report.Metric("report.metric", -42, "count");
        Report.Skip("report.skip", "deliberate skip: the runner must count it as skipped");
    }
}
