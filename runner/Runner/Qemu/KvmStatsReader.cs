using System.Text.Json.Nodes;

namespace Runner.Qemu;

/// <summary>
/// Reads a running VM's KVM counters over QMP. The connection is opened as soon as QEMU
/// starts (in the background, so boot is not delayed) and kept, so a read at a sync point
/// or at `#kt end` is one command, not a connect plus handshake.
/// </summary>
public sealed class KvmStatsReader : IAsyncDisposable
{
    static TimeSpan ConnectTimeout => Host.NestedHost.Scale(TimeSpan.FromSeconds(5));
    static readonly JsonObject VcpuTarget = new() { ["target"] = "vcpu" };
    static readonly JsonObject VmTarget = new() { ["target"] = "vm" };

    readonly Task<QmpClient> _connect;
    readonly CancellationTokenSource _stop = new();
    IReadOnlySet<string>? _notCumulative;
    string? _permanentlyUnavailable;

    public KvmStatsReader(string socketPath, Func<bool> qemuRunning)
    {
        _connect = QmpClient.ConnectAsync(socketPath, ConnectTimeout, qemuRunning, _stop.Token);
    }

    /// <summary>One snapshot; never throws: failures come back as an unavailable snapshot with the reason.</summary>
    public async Task<KvmCounters> ReadAsync(CancellationToken cancel = default)
    {
        if (_permanentlyUnavailable is not null)
            return KvmCounters.Missing(_permanentlyUnavailable);
        QmpClient qmp;
        try
        {
            qmp = await _connect.WaitAsync(cancel);
        }
        catch (QmpUnavailableException e)
        {
            return KvmCounters.Missing(e.VmGone ? KvmCounters.VmExited : e.Message);
        }
        catch (OperationCanceledException)
        {
            return KvmCounters.Missing("the run was interrupted");
        }

        try
        {
            if (_notCumulative is null)
            {
                try { _notCumulative = KvmCounters.NonCumulativeFromSchemas(await qmp.ExecuteAsync("query-stats-schemas", null, null, cancel)); }
                catch (QmpErrorException) { _notCumulative = new HashSet<string>(); }
            }
            var vcpu = await qmp.ExecuteAsync("query-stats", VcpuTarget, null, cancel);
            var vm = await qmp.ExecuteAsync("query-stats", VmTarget, null, cancel);
            return KvmCounters.FromQueryStats(vcpu, vm, _notCumulative);
        }
        catch (QmpErrorException e) when (e.IsCommandNotFound)
        {
            var version = qmp.QemuVersion is { } v ? $" (this is QEMU {v})" : "";
            _permanentlyUnavailable = KvmCounters.NoQueryStats + version;
            return KvmCounters.Missing(_permanentlyUnavailable);
        }
        catch (QmpErrorException e)
        {
            return KvmCounters.Missing($"query-stats failed: {e.ErrorClass}: {e.Description}");
        }
        catch (QmpUnavailableException e)
        {
            return KvmCounters.Missing(e.VmGone ? KvmCounters.VmExited : e.Message);
        }
        catch (FormatException e)
        {
            return KvmCounters.Missing($"query-stats answered something unexpected: {e.Message}");
        }
        catch (OperationCanceledException)
        {
            return KvmCounters.Missing("the run was interrupted");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await (await _connect).DisposeAsync(); }
        catch (Exception e) when (e is QmpUnavailableException or OperationCanceledException or QmpErrorException) { }
        _stop.Dispose();
    }
}
