using Runner.Host;

namespace Runner.Bench;

/// <summary>
/// The column loop the vmexit and wakeup benchmarks share: for each host setting (APICv/AVIC
/// off, on), check the host right before the column runs, reload KVM into the setting when
/// --reload-kvm allows it (and verify it from sysfs again), measure, and put every reloaded
/// parameter back at the end, also after Ctrl-C. Columns the host already gives run first,
/// so a reload happens only when needed; results keep the asked-for order.
/// </summary>
public sealed class SettingColumns
{
    public required Func<HostCaps> ProbeHost { get; init; }
    /// <summary>Null without --reload-kvm: a column the host does not give says how to get it.</summary>
    public KvmReloader? Reloader { get; init; }
    /// <summary>Why a reload may not happen now (not root, other VMs on /dev/kvm), or null.</summary>
    public Func<string?> ReloadRefusal { get; init; } = () => null;
    /// <summary>Told each reload and restore as it happens.</summary>
    public Action<string>? Note { get; set; }

    /// <summary>On this machine: a reloader that runs modprobe when <paramref name="reloadKvm"/> (--reload-kvm), refused when not root or another VM holds /dev/kvm.</summary>
    public static SettingColumns OnThisHost(bool reloadKvm, Func<HostCaps> probeHost) => new()
    {
        ProbeHost = probeHost,
        Reloader = reloadKvm ? new KvmReloader("/", KvmReloader.RunCommandAsync) : null,
        ReloadRefusal = () => KvmHolders.RefuseReload(Environment.IsPrivilegedProcess, KvmHolders.Find("/", Environment.ProcessId)),
    };

    public sealed record Outcome<T>(IReadOnlyList<T> Columns, IReadOnlyList<string> Notes, bool Interrupted, bool RestoreFailed);

    /// <param name="unavailable">The result of a column that cannot run, with the reason.</param>
    /// <param name="measure">Runs a ready column on the host as probed after any reload, in its verified state.</param>
    public async Task<Outcome<T>> RunAsync<T>(IReadOnlyList<VmexitColumn> columns, Func<VmexitColumn, string, T> unavailable,
        Func<VmexitColumn, HostCaps, VirtState, Task<T>> measure, CancellationToken cancel)
    {
        bool reloadAllowed = Reloader is not null;
        var notes = new List<string>();
        var results = new Dictionary<VmexitColumn, T>();
        bool restoreFailed = false;
        var order = ColumnReload.ReadyFirst(columns.Select(c => (c, c.Check(ProbeHost(), reloadAllowed, ReloadRefusal))));
        try
        {
            foreach (var column in order)
            {
                if (cancel.IsCancellationRequested) break;
                var host = ProbeHost();
                var readiness = column.Check(host, reloadAllowed, ReloadRefusal);
                if (readiness is Readiness.NeedsReload needs)
                {
                    Note?.Invoke($"{column.Label}: reloading {needs.Plan.Module}: {needs.Plan.ShellLine}");
                    (readiness, var note) = await ColumnReload.ApplyAsync(column.AsIpiColumnOn(host), column.Label, needs, Reloader, ProbeHost, ReloadRefusal);
                    notes.Add(note);
                    Note?.Invoke(note);
                    host = ProbeHost();
                }
                results[column] = readiness is Readiness.Ready ready
                    ? await measure(column, host, ready.State)
                    : unavailable(column, readiness is Readiness.Unavailable u ? u.Reason : "the host is not in the wanted state");
            }
        }
        finally
        {
            if (Reloader is { Changed: true })
            {
                var failed = await Reloader.RestoreAsync();
                restoreFailed = failed is not null;
                notes.Add(failed is null ? "KVM module parameters restored to their values before the run" : $"RESTORE FAILED: {failed}");
                Note?.Invoke(notes[^1]);
            }
        }
        foreach (var column in columns.Where(c => !results.ContainsKey(c)))
            results[column] = unavailable(column, "not run: interrupted");
        return new Outcome<T>(columns.Select(c => results[c]).ToList(), notes, cancel.IsCancellationRequested, restoreFailed);
    }

    /// <summary>
    /// One column's boots: <paramref name="runs"/> of them, or fewer when cancelled (a boot the
    /// cancel cut short, which did not pass, is dropped: its figures would be partial).
    /// <paramref name="finished"/> sees each kept run before the next boot.
    /// </summary>
    public static async Task<IReadOnlyList<TRun>> BootsAsync<TRun>(int runs, Func<int, Task<TRun>> boot, Func<TRun, bool> passed,
        Action<TRun> finished, CancellationToken cancel)
    {
        var kept = new List<TRun>();
        for (int index = 1; index <= runs && !cancel.IsCancellationRequested; index++)
        {
            var run = await boot(index);
            if (cancel.IsCancellationRequested && !passed(run)) break;
            kept.Add(run);
            finished(run);
        }
        return kept;
    }
}
