namespace Runner.Cli;

public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>At least one test FAILed or timed out.</summary>
    public const int TestsFailed = 1;
    /// <summary>Bad input: the run never started.</summary>
    public const int UsageError = 2;
    /// <summary>Ctrl-C; the shell convention 128 + SIGINT.</summary>
    public const int Interrupted = 130;
}
