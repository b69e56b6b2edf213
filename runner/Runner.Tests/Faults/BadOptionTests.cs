using Runner.Cli;

namespace Runner.Tests.Faults;

/// <summary>Malformed numbers and unknown words on the command line: one line naming the option and its form, exit 2, no stack trace.</summary>
public class BadOptionTests
{
    static async Task<string> OneLineUsageError(params string[] args)
    {
        var err = new StringWriter();
        var status = await RunnerCli.RunAsync(args, err);
        var text = err.ToString().TrimEnd('\n');
        Assert.Equal(ExitCodes.UsageError, status);
        Assert.Single(text.Split('\n'));
        Assert.DoesNotContain("   at ", text);
        Assert.StartsWith("runner: ", text);
        return text;
    }

    [Theory]
    [InlineData("run", "-j", "abc", "--jobs expects a whole number from 1 to 256, got 'abc'")]
    [InlineData("run", "-j", "1.5", "--jobs expects a whole number from 1 to 256, got '1.5'")]
    [InlineData("run", "-j", "99999999999", "--jobs expects a whole number from 1 to 256, got '99999999999'")]
    [InlineData("run", "-j", "0", "--jobs expects a whole number from 1 to 256, got '0'")]
    [InlineData("run", "--hard-timeout", "abc", "--hard-timeout expects seconds, a number more than 0 and at most 86400 (e.g. 90 or 2.5), got 'abc'")]
    [InlineData("run", "--hard-timeout", "-3", "--hard-timeout expects seconds")]
    [InlineData("ipi", "--runs", "abc", "--runs expects a whole number from 1 to 1000, got 'abc'")]
    [InlineData("ipi", "--cpus", "abc", "--cpus expects a whole number from 1 to 64, got 'abc'")]
    [InlineData("ipi", "--warmup", "abc", "--warmup expects a whole number from 0 to 100000, got 'abc'")]
    [InlineData("pveoi", "--rate", "abc", "--rate expects a whole number from 1 to 100000, got 'abc'")]
    [InlineData("pveoi", "--seconds", "abc", "--seconds expects a whole number from 1 to 60, got 'abc'")]
    public async Task MalformedNumberNamesTheOptionAndItsForm(string command, string option, string value, string expected)
    {
        var line = await OneLineUsageError(command, option, value);
        Assert.Contains(expected, line);
    }

    [Fact]
    public async Task UnknownCommandNamesTheWordAndListsTheCommands()
    {
        var line = await OneLineUsageError("nosuchcommand");
        Assert.Equal("runner: unknown command 'nosuchcommand': the commands are list, run, caps, disasm, totals, pveoi, ipi, vmexit, wakeup, compare, report; see `runner --help`", line);
    }

    [Fact]
    public async Task CapsAtAnUnrelatedFolderStops()
    {
        using var tmp = new Support.TempDir();
        var line = await OneLineUsageError("caps", "--sys-root", tmp.Path);
        Assert.Equal($"runner: --sys-root {tmp.Path}: the tree has no /proc/cpuinfo or /sys/module: it is not a host's sysfs/procfs; pass / or a recorded tree", line);
    }
}
