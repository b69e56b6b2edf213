using Runner.Bench;

namespace Runner.Cli;

public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>At least one test FAILed or timed out.</summary>
    public const int TestsFailed = 1;
    /// <summary>Bad input: the run never started.</summary>
    public const int UsageError = 2;
    /// <summary>The tests ran, but a result file (--junit, --json, a log) could not be written.</summary>
    public const int OutputFailed = 3;
    /// <summary>Ctrl-C; the shell convention 128 + SIGINT (SIGTERM gives 143, ChildProcesses.InterruptExitCode).</summary>
    public const int Interrupted = 130;

    public static int Of(BenchVerdict verdict) => verdict switch
    {
        BenchVerdict.Success => Success,
        BenchVerdict.Interrupted => Interrupted,
        BenchVerdict.UsageError => UsageError,
        _ => TestsFailed,
    };
}
