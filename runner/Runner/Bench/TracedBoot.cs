using Runner.Config;
using Runner.Counters;
using Runner.Execution;

namespace Runner.Bench;

/// <summary>
/// One benchmark boot whose measured region (the guest's measure-begin and measure-end
/// sync points) is marked in the APICv trace, so the trace can say whether APICv/AVIC was
/// active and uninhibited during the timed batch of exactly this VM.
/// </summary>
public static class TracedBoot
{
    /// <param name="trace">null: the trace cannot be opened here, for <paramref name="traceWhy"/></param>
    public static async Task<(TestRunResult Result, ApicvObservation Apicv)> RunAsync(
        TestEntry entry, RunSettings settings, ApicvTrace? trace, string traceWhy, string logName, CancellationToken cancel)
    {
        int qemuPid = 0;
        var traceProblem = trace?.EnsureEnabled();
        var boot = trace is null ? settings : settings with
        {
            OnSync = (tag, pid) =>
            {
                qemuPid = pid;
                if (tag is SyncTags.MeasureBegin or SyncTags.MeasureEnd && pid != 0) trace.Mark(pid, tag);
                return Task.CompletedTask;
            },
        };
        var result = await TestExecutor.RunAsync(entry, boot, null, cancel, logName);
        var apicv = trace is null ? ApicvObservation.Unverified(traceWhy)
            : traceProblem is not null ? ApicvObservation.Unverified(traceProblem)
            : qemuPid == 0 ? ApicvObservation.Unverified("the guest reached no sync point, so QEMU's process was never matched in the trace")
            : trace.Observe(qemuPid, SyncTags.MeasureBegin, SyncTags.MeasureEnd);
        return (result, apicv);
    }
}
