using System.Text.Json;
using Runner.Cli;
using Runner.Execution;
using Runner.Processes;
using Runner.Tests.Cli;
using Runner.Tests.Support;

namespace Runner.Tests.Faults;

/// <summary>
/// Faults on the host side, with the real runner process and real QEMU booting the faults
/// kernel: signals (to the runner and to its whole process group), SIGKILL of the runner,
/// outputs that cannot be written, and two runs on one build folder at once.
/// </summary>
[Trait("Category", "Qemu")]
public class HostFaultTests
{
    static readonly TimeSpan Boot = TimeSpan.FromSeconds(30);

    /// <summary>
    /// INT to the process group is a terminal's Ctrl-C: QEMU, in its own group, must not see
    /// it. The test in flight is "interrupted" (SKIP), never FAIL; JSON and JUnit are still
    /// written, marked partial.
    /// </summary>
    [Theory]
    [InlineData("INT", true, 130)]
    [InlineData("INT", false, 130)]
    [InlineData("TERM", false, 143)]
    public async Task SignalKeepsPartialResultsAndMarksTheTestInFlightInterrupted(string signal, bool toGroup, int code)
    {
        var root = FaultKernel.Root();
        using var tmp = new TempDir();
        var json = Path.Combine(tmp.Path, "r.json");
        var junit = Path.Combine(tmp.Path, "r.xml");
        using var runner = FaultKernel.StartInOwnGroup(root,
            ["run", "faults-gp", "faults-cli-hlt", "faults-noise", "--root", root, "--json", json, "--junit", junit]);
        var stderr = runner.StandardError.ReadToEndAsync();
        var stdout = runner.StandardOutput.ReadToEndAsync();

        var qemu = await FaultKernel.WaitForQemu(runner.Id, "mode=cli-hlt", Boot);
        await Task.Delay(300);
        await FaultKernel.Signal(signal, toGroup ? $"-{runner.Id}" : runner.Id.ToString());
        await runner.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await FaultKernel.WaitGone(qemu, TimeSpan.FromSeconds(5));

        Assert.Equal(code, runner.ExitCode);
        Assert.False(Fixtures.ProcessAlive(qemu), $"QEMU {qemu} outlived SIG{signal}");
        var err = await stderr;
        Assert.Contains($"interrupted by {(signal == "INT" ? "Ctrl-C (SIGINT)" : "SIGTERM")}", err);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.True(doc.RootElement.GetProperty("partial").GetBoolean());
        var tests = doc.RootElement.GetProperty("tests").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        // Config order: gp finished (its expected FAIL), cli-hlt was in flight, noise never started.
        Assert.Equal("PASS", tests["faults-gp"].GetProperty("outcome").GetString());
        Assert.Equal("SKIP", tests["faults-cli-hlt"].GetProperty("outcome").GetString());
        Assert.StartsWith("interrupted: stopped by ", tests["faults-cli-hlt"].GetProperty("reason").GetString());
        Assert.Equal("SKIP", tests["faults-noise"].GetProperty("outcome").GetString());
        Assert.Contains("name=\"partial\"", await File.ReadAllTextAsync(junit));
        // gp's line says "as expected, FAIL: …"; no verdict is a FAIL.
        Assert.DoesNotContain((await stdout).Split('\n'), l => l.StartsWith("FAIL", StringComparison.Ordinal));
    }

    /// <summary>SIGKILL skips every handler: the kernel kills QEMU (parent-death signal), and the next runner removes the scratch folder.</summary>
    [Fact]
    public async Task SigkillOfTheRunnerTakesQemuWithIt()
    {
        var root = FaultKernel.Root();
        // Its own temp folder: any runner starting meanwhile (another test's, or anyone's on a shared host) reaps the shared one.
        using var tmp = new TempDir();
        using var runner = RunnerProcess.Start(root, ["run", "faults-cli-hlt", "--root", root], new Dictionary<string, string> { ["TMPDIR"] = tmp.Path });
        _ = runner.StandardOutput.ReadToEndAsync();
        _ = runner.StandardError.ReadToEndAsync();
        var qemu = await FaultKernel.WaitForQemu(runner.Id, "mode=cli-hlt", Boot);

        runner.Kill();
        await runner.WaitForExitAsync();
        await FaultKernel.WaitGone(qemu, TimeSpan.FromSeconds(5));

        Assert.False(Fixtures.ProcessAlive(qemu), $"QEMU {qemu} outlived its SIGKILLed runner");
        var left = Directory.GetDirectories(tmp.Path, $"runner-{runner.Id}-*");
        Assert.NotEmpty(left);
        var removed = ScratchDirs.ReapDead(tmp.Path);
        Assert.All(left, d => Assert.Contains(d, removed));
        Assert.All(left, d => Assert.False(Directory.Exists(d)));
    }

    [Theory]
    [InlineData("--json", "{tmp}", "--json {tmp}: is a folder: give a file name")]
    [InlineData("--json", "/proc/nope/x.json", "--json /proc/nope/x.json: cannot create its folder /proc/nope")]
    [InlineData("--junit", "/dev/full", "--junit /dev/full: cannot be written (No space left on device)")]
    public async Task UnwritableOutputIsOneLineBeforeTheFirstBoot(string option, string path, string expected)
    {
        var root = FaultKernel.Root();
        using var tmp = new TempDir();
        path = path.Replace("{tmp}", tmp.Path);
        var (code, _, err) = await RunnerProcess.RunAsync(root, ["run", "faults-noise", "--root", root, option, path]);
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.StartsWith("runner: " + expected.Replace("{tmp}", tmp.Path), err);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task UnwritableLogsFolderIsOneLineBeforeTheFirstBoot()
    {
        var root = FaultKernel.Root();
        using var tmp = new TempDir();
        var build = Path.Combine(tmp.Path, "build");
        Directory.CreateDirectory(build);
        File.CreateSymbolicLink(Path.Combine(build, "faults.elf"), Path.Combine(root, "build", "faults.elf"));
        File.WriteAllText(Path.Combine(build, "logs"), "a file where the logs folder should be");
        var (code, _, err) = await RunnerProcess.RunAsync(root, ["run", "faults-noise", "--root", root, "--build-dir", build]);
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.StartsWith($"runner: the logs folder {Path.Combine(build, "logs")} is not writable", err);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
    }

    /// <summary>The JUnit folder vanishes during the run: that one output fails with one line; the JSON is still written.</summary>
    [Fact]
    public async Task WriteErrorAfterTheRunCostsOnlyThatOutput()
    {
        var root = FaultKernel.Root();
        using var tmp = new TempDir();
        var gone = Path.Combine(tmp.Path, "gone");
        Directory.CreateDirectory(gone);
        var json = Path.Combine(tmp.Path, "r.json");
        // A halted guest until its timeout: time to swap the folder, without a vCPU spinning meanwhile.
        using var runner = RunnerProcess.Start(root, ["run", "faults-cli-hlt", "--root", root, "--json", json, "--junit", Path.Combine(gone, "r.xml")]);
        var stderr = runner.StandardError.ReadToEndAsync();
        _ = runner.StandardOutput.ReadToEndAsync();
        await FaultKernel.WaitForQemu(runner.Id, "mode=cli-hlt", Boot);
        Directory.Delete(gone, recursive: true);
        File.WriteAllText(gone, "now a file");
        await runner.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(ExitCodes.OutputFailed, runner.ExitCode);
        var err = (await stderr).TrimEnd('\n').Split('\n');
        Assert.Single(err, l => l.StartsWith("runner: --junit ", StringComparison.Ordinal) && l.Contains("could not be written"));
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var hang = doc.RootElement.GetProperty("tests")[0];
        Assert.True(hang.GetProperty("outcome").GetString() == "PASS", hang.GetProperty("reason").GetString());
    }

    /// <summary>Two runs on one build folder keep their own logs (one folder per run), and each JSON points at its own.</summary>
    [Fact]
    public async Task ConcurrentRunsKeepTheirOwnLogs()
    {
        var root = FaultKernel.Root();
        using var tmp = new TempDir();
        var jsons = new[] { Path.Combine(tmp.Path, "a.json"), Path.Combine(tmp.Path, "b.json") };
        var runs = jsons.Select(j => RunnerProcess.RunAsync(root, ["run", "faults-noise", "faults-lying-summary", "--root", root, "--json", j])).ToArray();
        var results = await Task.WhenAll(runs);
        Assert.All(results, r => Assert.True(r.Code == 0, r.Err));

        var logs = jsons.Select(j =>
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(j));
            return doc.RootElement.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("logPath").GetString()!).ToList();
        }).ToList();
        Assert.Empty(logs[0].Intersect(logs[1]));
        Assert.NotEqual(Path.GetDirectoryName(logs[0][0]), Path.GetDirectoryName(logs[1][0]));
        foreach (var log in logs.SelectMany(l => l))
            Assert.Contains("# verdict: PASS: as expected", File.ReadAllText(log));
    }

    [Fact]
    public async Task JobsAboveTheCpuCountWarn()
    {
        var root = FaultKernel.Root();
        int jobs = Environment.ProcessorCount + 1;
        var (code, output, err) = await RunnerProcess.RunAsync(root, ["run", "faults-noise", "--root", root, "-j", jobs.ToString()]);
        Assert.True(code == 0, err);
        Assert.Contains($"warning: -j {jobs} runs more VMs than this host has CPUs ({Environment.ProcessorCount})", output + err);
    }
}
