using System.Diagnostics;
using Runner.Execution;
using Runner.Processes;
using Runner.Protocol;
using Runner.Tests.Support;

namespace Runner.Tests.Execution;

/// <summary>The QEMU runner against shell scripts that behave like a hung, chatty or crashed QEMU.</summary>
public class ProcessRunnerTests
{
    static readonly ProcessLimits Generous = new(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));

    [Fact]
    public async Task CapturesBothStreamsInOrderAndTheExitStatus()
    {
        using var tmp = new TempDir();
        var script = tmp.Script("q", "echo '#kt begin k 1'; echo 'warning: x' >&2; printf 'no newline'; exit 3");
        var seen = new List<string>();

        var r = await ProcessRunner.RunAsync([script], Generous, line => { lock (seen) seen.Add(line.Text); });

        Assert.Equal(3, r.ExitStatus);
        Assert.Equal(Termination.None, r.Termination);
        Assert.Equal(["#kt begin k 1", "no newline"], r.Stdout);
        Assert.Equal(["warning: x"], r.Stderr);
        Assert.Equal(3, seen.Count);
    }

    [Fact]
    public async Task PassesArgumentsVerbatimWithoutAShell()
    {
        using var tmp = new TempDir();
        var script = tmp.Script("q", "for a in \"$@\"; do echo \"[$a]\"; done");

        var r = await ProcessRunner.RunAsync([script, "-append", "cpus=2 a=1", "$HOME", "it's"], Generous);

        Assert.Equal(["[-append]", "[cpus=2 a=1]", "[$HOME]", "[it's]"], r.Stdout);
    }

    [Fact]
    public async Task KillsAHungChildAfterTheIdleTimeout()
    {
        using var tmp = new TempDir();
        var pidFile = Path.Combine(tmp.Path, "pid");
        var script = tmp.Script("q", $"echo $$ > {pidFile}; echo booted; exec sleep 100");
        var clock = Stopwatch.StartNew();

        var r = await ProcessRunner.RunAsync([script], new ProcessLimits(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30)));

        Assert.Equal(Termination.IdleTimeout, r.Termination);
        // The idle time seen depends on the poll and the machine's load; the limit does not.
        Assert.StartsWith("no output for ", r.TerminationDetail);
        Assert.Contains("(timeout 0.5 s)", r.TerminationDetail);
        Assert.Null(r.ExitStatus);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}: the idle timeout (0.5 s) did not stop it before the 30 s cap");
        Assert.False(Fixtures.ProcessAlive(int.Parse(File.ReadAllText(pidFile).Trim())), "the hung child is still running");
    }

    [Fact]
    public async Task KillsGrandchildrenToo()
    {
        using var tmp = new TempDir();
        var pidFile = Path.Combine(tmp.Path, "child");
        var script = tmp.Script("q", $"sleep 100 & echo $! > {pidFile}; wait");

        var r = await ProcessRunner.RunAsync([script], new ProcessLimits(TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(30)));

        Assert.Equal(Termination.IdleTimeout, r.Termination);
        var child = await Fixtures.WaitForPidFile(pidFile, TimeSpan.FromSeconds(2));
        await Task.Delay(100);
        Assert.False(Fixtures.ProcessAlive(child), "the grandchild sleep survived");
    }

    [Fact]
    public async Task HardCapStopsAChildThatKeepsPrinting()
    {
        using var tmp = new TempDir();
        var script = tmp.Script("q", "while true; do echo tick; sleep 0.05; done");

        var r = await ProcessRunner.RunAsync([script], new ProcessLimits(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(700)));

        Assert.Equal(Termination.HardTimeout, r.Termination);
        Assert.Contains("hard cap 0.7 s", r.TerminationDetail);
        Assert.True(r.Stdout.Count > 3);
    }

    [Fact]
    public async Task KvmInternalErrorKillsAtOnceButKeepsTheDump()
    {
        using var tmp = new TempDir();
        var pidFile = Path.Combine(tmp.Path, "pid");
        var script = tmp.Script("q", $"echo $$ > {pidFile}; printf S; printf 'KVM internal error. Suberror: 1\\nemulation failure\\n' >&2; exec sleep 100");
        var clock = Stopwatch.StartNew();

        var r = await ProcessRunner.RunAsync([script], new ProcessLimits(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30)));

        Assert.Equal(Termination.KvmInternalError, r.Termination);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}: not killed at once (idle timeout is 20 s)");
        Assert.Contains("emulation failure", r.Stderr);
        Assert.Equal(["S"], r.Stdout);
        Assert.False(Fixtures.ProcessAlive(int.Parse(File.ReadAllText(pidFile).Trim())));
    }

    [Fact]
    public async Task CancellationKillsTheChild()
    {
        using var tmp = new TempDir();
        var pidFile = Path.Combine(tmp.Path, "pid");
        var script = tmp.Script("q", $"echo $$ > {pidFile}; exec sleep 100");
        using var cts = new CancellationTokenSource();

        var run = ProcessRunner.RunAsync([script], Generous, cancel: cts.Token);
        var pid = await Fixtures.WaitForPidFile(pidFile, TimeSpan.FromSeconds(5));
        cts.Cancel();
        var r = await run.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(Termination.Cancelled, r.Termination);
        Assert.False(Fixtures.ProcessAlive(pid));
        Assert.False(ChildProcesses.IsTracked(pid));
    }

    [Fact]
    public async Task MissingProgramIsAUserError()
    {
        var e = await Assert.ThrowsAsync<UserErrorException>(() => ProcessRunner.RunAsync(["/nonexistent/qemu"], Generous));
        Assert.StartsWith("cannot start /nonexistent/qemu", e.Message);
    }
}
