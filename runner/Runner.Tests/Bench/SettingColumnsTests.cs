using Runner.Bench;
using Runner.Host;
using Runner.Tests.Host;
using Runner.Tests.Support;

namespace Runner.Tests.Bench;

/// <summary>The vmexit and wakeup column loop: checks before each column, --reload-kvm with its verification and restore, the reason when a setting cannot be had.</summary>
public class SettingColumnsTests
{
    static readonly IReadOnlyList<VmexitColumn> OffOn = VmexitColumn.All([Want.Off, Want.On]);

    /// <summary>A reloader over a copied host tree whose "modprobe" writes the parameters it was given into sysfs.</summary>
    static KvmReloader FakeModprobe(string root, string module, List<string> calls) => new(root, argv =>
    {
        lock (calls) calls.Add(string.Join(' ', argv));
        if (argv[1] != "-r")
            foreach (var kv in argv.Skip(2))
                File.WriteAllText(Path.Combine(root, "sys/module", module, "parameters", kv[..kv.IndexOf('=')]),
                    kv.EndsWith("=1") || kv.EndsWith("=Y") ? "Y" : "N");
        return Task.FromResult((0, ""));
    });

    static Task<string> Measure(VmexitColumn column, HostCaps host, VirtState state, List<string> ran, string root)
    {
        // The host really is in the column's state when its boots would run.
        Assert.Equal(column.Apicv == Want.On, VirtState.Read(KvmModules.Read(root)).Apicv);
        lock (ran) ran.Add(column.Key);
        return Task.FromResult($"{column.Key}: {state.Detail}");
    }

    [Fact]
    public async Task WithReloadTheHostsOwnSettingRunsFirstThenTheReloadedOneThenTheRestore()
    {
        using var tmp = new TempDir();
        KvmSettingsTests.CopyTree(Fixtures.Tree("intel-apicv-no-ipiv"), tmp.Path);
        var calls = new List<string>();
        var ran = new List<string>();
        var notes = new List<string>();
        var columns = new SettingColumns
        {
            ProbeHost = () => HostProbe.ProbeFiles(tmp.Path),
            Reloader = FakeModprobe(tmp.Path, "kvm_intel", calls),
            Note = notes.Add,
        };

        var o = await columns.RunAsync(OffOn, (c, why) => $"{c.Key}: unavailable: {why}", (c, h, s) => Measure(c, h, s, ran, tmp.Path), CancellationToken.None);

        Assert.Equal(["apicv-on", "apicv-off"], ran);
        Assert.StartsWith("apicv-off: kvm_intel enable_apicv=N", o.Columns[0]);
        Assert.StartsWith("apicv-on: kvm_intel enable_apicv=Y", o.Columns[1]);
        Assert.Equal("modprobe -r kvm_intel", calls[0]);
        Assert.Contains("enable_apicv=", calls[1]);
        Assert.Equal(4, calls.Count);     // the reload, then the restore
        Assert.Equal("Y", File.ReadAllText(Path.Combine(tmp.Path, "sys/module/kvm_intel/parameters/enable_apicv")).Trim());
        Assert.Contains("KVM module parameters restored to their values before the run", o.Notes);
        Assert.Contains(notes, n => n.StartsWith("APICv/AVIC off: reloaded kvm_intel with enable_apicv=", StringComparison.Ordinal));
        Assert.False(o.RestoreFailed);
        Assert.False(o.Interrupted);
    }

    [Fact]
    public async Task WithoutReloadTheOtherSettingSaysHowToGetIt()
    {
        var ran = new List<string>();
        var root = Fixtures.Tree("intel-apicv-no-ipiv");
        var columns = new SettingColumns { ProbeHost = () => HostProbe.ProbeFiles(root) };

        var o = await columns.RunAsync(OffOn, (c, why) => $"{c.Key}: unavailable: {why}", (c, h, s) => Measure(c, h, s, ran, root), CancellationToken.None);

        Assert.Equal(["apicv-on"], ran);
        Assert.StartsWith("apicv-off: unavailable: kvm_intel enable_apicv=Y", o.Columns[0]);
        Assert.Contains("--reload-kvm", o.Columns[0]);
        Assert.Empty(o.Notes);
    }

    [Fact]
    public async Task OnKvmPvmTheApicvColumnSaysWhyAndNothingIsReloaded()
    {
        var calls = new List<string>();
        var ran = new List<string>();
        using var tmp = new TempDir();
        KvmSettingsTests.CopyTree(Fixtures.Tree("kvm-pvm-host"), tmp.Path);
        var columns = new SettingColumns { ProbeHost = () => HostProbe.ProbeFiles(tmp.Path), Reloader = FakeModprobe(tmp.Path, "kvm_pvm", calls) };

        var o = await columns.RunAsync(OffOn, (c, why) => $"{c.Key}: unavailable: {why}", (c, h, s) =>
        {
            lock (ran) ran.Add(c.Key);
            return Task.FromResult(c.Key);
        }, CancellationToken.None);

        Assert.Equal(["apicv-off"], ran);
        Assert.StartsWith("apicv-on: unavailable: ", o.Columns[1]);
        Assert.Contains("kvm_pvm", o.Columns[1]);
        Assert.Empty(calls);
        Assert.Empty(o.Notes);
    }

    [Fact]
    public async Task CancelledColumnsAreNotRunAndTheReloadIsStillUndone()
    {
        using var tmp = new TempDir();
        KvmSettingsTests.CopyTree(Fixtures.Tree("intel-apicv-no-ipiv"), tmp.Path);
        var calls = new List<string>();
        using var cts = new CancellationTokenSource();
        var columns = new SettingColumns { ProbeHost = () => HostProbe.ProbeFiles(tmp.Path), Reloader = FakeModprobe(tmp.Path, "kvm_intel", calls) };

        // apicv-on runs first (the host's own); the reloaded apicv-off is interrupted while it runs.
        var o = await columns.RunAsync(OffOn, (c, why) => $"{c.Key}: {why}", (c, h, s) =>
        {
            if (c.Apicv == Want.Off) cts.Cancel();
            return Task.FromResult(c.Key);
        }, cts.Token);

        Assert.True(o.Interrupted);
        Assert.Equal("Y", File.ReadAllText(Path.Combine(tmp.Path, "sys/module/kvm_intel/parameters/enable_apicv")).Trim());
        Assert.Contains("KVM module parameters restored to their values before the run", o.Notes);
    }
}
