using Runner.Bench;
using Runner.Execution;
using Runner.Host;
using Runner.Tests.Host;
using Runner.Tests.Support;

namespace Runner.Tests.Bench;

/// <summary>The column loop with a fake boot: order, checks before each column, reloads and their restore, exclusions.</summary>
public class IpiBenchTests
{
    sealed class Recorder : IIpiProgress
    {
        public readonly List<string> Events = [];
        public void ColumnStarted(IpiColumn column, int runs) { lock (Events) Events.Add($"start {column.Key}"); }
        public void RunFinished(IpiColumn column, IpiRun run, int of) { lock (Events) Events.Add($"run {column.Key} {run.Index}"); }
        public void ColumnSkipped(IpiColumn column, string reason) { lock (Events) Events.Add($"skip {column.Key}"); }
        public void Note(string text) { lock (Events) Events.Add($"note {text}"); }
    }

    static IReadOnlyList<IpiColumn> Four => IpiColumn.All([ApicMode.XApic, ApicMode.X2Apic], [false, true], Want.Any);

    [Fact]
    public async Task OnThisKvmPvmHostOnlyTheWithoutIpivColumnsRun()
    {
        var boots = new List<string>();
        var bench = new IpiBench
        {
            BootOnce = (col, log, args, _) =>
            {
                lock (boots) boots.Add($"{log}: {string.Join(' ', args)}");
                return Task.FromResult(IpiFakes.Run(col.Apic.Arg(), col.Apic == ApicMode.XApic ? 6000 : 4300, 4000));
            },
            ProbeHost = () => HostProbe.ProbeFiles(Fixtures.Tree("kvm-pvm-host")),
            Progress = new Recorder(),
        };

        var o = await bench.RunAsync(new IpiPlan { Columns = Four, Runs = 3, Iterations = 20, Warmup = 5 }, CancellationToken.None);

        Assert.Equal(["xapic/wo-ipiv", "xapic/w-ipiv", "x2apic/wo-ipiv", "x2apic/w-ipiv"], o.Columns.Select(c => c.Key));
        Assert.Equal(3, o.Columns[0].Runs.Count);
        Assert.Equal(6000, o.Columns[0].Stats!.CSharp.Mean);
        Assert.Equal(4300, o.Columns[2].Stats!.CSharp.Mean);
        Assert.StartsWith("needs kvm_intel with enable_ipiv=Y", o.Columns[1].Unavailable);
        Assert.Empty(o.Columns[1].Runs);
        Assert.Null(o.Columns[1].Stats);
        Assert.Equal("kvm_pvm: no APICv, IPIv or AVIC (this backend has no hardware interrupt virtualization)", o.Columns[0].VerifiedState);
        Assert.Equal(6, boots.Count);
        Assert.Contains("ipi_xapic_wo-ipiv_run01: apic=xapic target=spin kind=unicast iters=20 warmup=5 sync=1", boots);
        Assert.Contains("ipi_x2apic_wo-ipiv_run03: apic=x2apic target=spin kind=unicast iters=20 warmup=5 sync=1", boots);
        Assert.False(o.Interrupted);
        Assert.Empty(o.Notes);
    }

    [Fact]
    public async Task AutoIterationsComeFromACalibrationBootWithoutSync()
    {
        var boots = new List<IReadOnlyList<string>>();
        var bench = new IpiBench
        {
            BootOnce = (col, log, args, _) => { lock (boots) boots.Add(args); return Task.FromResult(IpiFakes.Run("xapic", 2_445_430, 1_000_000)); },
            ProbeHost = () => HostProbe.ProbeFiles(Fixtures.Tree("kvm-pvm-host")),
        };

        var o = await bench.RunAsync(new IpiPlan { Columns = [new IpiColumn(ApicMode.XApic, false, Want.Any)], Runs = 2 }, CancellationToken.None);

        Assert.Equal(["apic=xapic", "target=spin", "kind=unicast", "iters=10", "warmup=2"], boots[0]);
        // 1 ms per round trip (2,445,430 cycles at 2.44543 GHz): 0.4 s / 1 ms / 4.4 = 90.9 -> 90
        Assert.Equal(90, o.Iterations);
        Assert.Equal(9, o.Warmup);
        Assert.Contains("iters=90", boots[1]);
        Assert.StartsWith("auto: a calibration boot measured", o.IterationsSource);
        Assert.Equal(2_445_430, o.Calibration!.Metric("ipi.cycles.avg"));
        Assert.Equal(3, boots.Count);
    }

    [Fact]
    public async Task FailedRunsAreKeptExcludedAndCounted()
    {
        int n = 0;
        var bench = new IpiBench
        {
            BootOnce = (col, log, args, _) => Task.FromResult(Interlocked.Increment(ref n) == 2
                ? IpiFakes.Failed("no output for 60 s (timeout 60 s)")
                : IpiFakes.Run("xapic", 6000, 5000)),
            ProbeHost = () => HostProbe.ProbeFiles(Fixtures.Tree("kvm-pvm-host")),
        };

        var o = await bench.RunAsync(new IpiPlan { Columns = [new IpiColumn(ApicMode.XApic, false, Want.Any)], Runs = 3, Iterations = 20 }, CancellationToken.None);

        var col = o.Columns.Single();
        Assert.Equal(3, col.Runs.Count);
        Assert.Equal(2, col.Stats!.RunsUsed);
        Assert.Equal(1, col.Stats.RunsExcluded);
        Assert.Equal("TIMEOUT: no output for 60 s (timeout 60 s)", col.Runs.Single(r => !r.Used).Excluded);
    }

    [Fact]
    public async Task WithReloadTheReadyColumnsRunFirstThenTheReloadThenTheRestore()
    {
        using var tmp = new TempDir();
        KvmSettingsTests.CopyTree(Fixtures.Tree("intel-apicv-ipiv"), tmp.Path);
        var calls = new List<string>();
        var events = new Recorder();
        var reloader = new KvmReloader(tmp.Path, argv =>
        {
            lock (calls) calls.Add(string.Join(' ', argv));
            if (argv[1] != "-r")
                foreach (var kv in argv.Skip(2))
                    File.WriteAllText(Path.Combine(tmp.Path, "sys/module/kvm_intel/parameters", kv[..kv.IndexOf('=')]),
                        kv.EndsWith("=1") || kv.EndsWith("=Y") ? "Y" : "N");
            return Task.FromResult((0, ""));
        });
        var bench = new IpiBench
        {
            BootOnce = (col, log, args, _) =>
            {
                // The host really is in the column's state when its runs boot.
                var state = VirtState.Read(KvmModules.Read(tmp.Path));
                Assert.Equal(col.Ipiv, state.Ipiv);
                return Task.FromResult(IpiFakes.Run(col.Apic.Arg(), col.Ipiv ? 4700 : 6000, 4000));
            },
            ProbeHost = () => HostProbe.ProbeFiles(tmp.Path),
            Reloader = reloader,
            Progress = events,
        };

        var o = await bench.RunAsync(new IpiPlan { Columns = Four, Runs = 2, Iterations = 20, ReloadKvm = true }, CancellationToken.None);

        Assert.All(o.Columns, c => Assert.Null(c.Unavailable));
        Assert.Equal(["start xapic/w-ipiv", "start x2apic/w-ipiv", "start xapic/wo-ipiv", "start x2apic/wo-ipiv"],
            events.Events.Where(e => e.StartsWith("start", StringComparison.Ordinal)));
        // One reload for both w/o columns, one restore at the end.
        Assert.Equal(["modprobe -r kvm_intel", "modprobe kvm_intel enable_ipiv=0", "modprobe -r kvm_intel", "modprobe kvm_intel enable_ipiv=Y"], calls);
        Assert.Equal("Y", File.ReadAllText(Path.Combine(tmp.Path, "sys/module/kvm_intel/parameters/enable_ipiv")).Trim());
        Assert.Equal("kvm_intel enable_apicv=Y enable_ipiv=N: APICv on, IPIv off", o.Columns[0].VerifiedState);
        Assert.Equal("kvm_intel enable_apicv=Y enable_ipiv=Y: APICv on, IPIv on", o.Columns[1].VerifiedState);
        Assert.Contains("KVM module parameters restored to their values before the run", o.Notes);
        var reduction = IpiAnalysis.Reductions(o.Columns).First();
        Assert.Equal((4700.0 - 6000) / 6000 * 100, reduction.Percent!.Value, 1e-9);
    }

    [Fact]
    public async Task CancellationStopsTheRunsAndStillRestores()
    {
        using var tmp = new TempDir();
        KvmSettingsTests.CopyTree(Fixtures.Tree("intel-apicv-ipiv"), tmp.Path);
        var calls = new List<string>();
        using var cts = new CancellationTokenSource();
        var reloader = new KvmReloader(tmp.Path, argv =>
        {
            calls.Add(string.Join(' ', argv));
            if (argv[1] != "-r")
                foreach (var kv in argv.Skip(2))
                    File.WriteAllText(Path.Combine(tmp.Path, "sys/module/kvm_intel/parameters", kv[..kv.IndexOf('=')]), kv.EndsWith("=0") ? "N" : "Y");
            return Task.FromResult((0, ""));
        });
        var bench = new IpiBench
        {
            BootOnce = (col, log, args, _) =>
            {
                if (!col.Ipiv) cts.Cancel();     // Ctrl-C during the first run after the reload
                return Task.FromResult(IpiFakes.Run(col.Apic.Arg(), 5000, 4000));
            },
            ProbeHost = () => HostProbe.ProbeFiles(tmp.Path),
            Reloader = reloader,
        };

        var o = await bench.RunAsync(new IpiPlan { Columns = IpiColumn.All([ApicMode.XApic], [false, true], Want.Any), Runs = 3, Iterations = 20, ReloadKvm = true }, cts.Token);

        Assert.True(o.Interrupted);
        Assert.Equal("modprobe kvm_intel enable_ipiv=Y", calls[^1]);
        Assert.Equal("Y", File.ReadAllText(Path.Combine(tmp.Path, "sys/module/kvm_intel/parameters/enable_ipiv")).Trim());
    }
}
