namespace Runner.Host;

public enum SseOutcome { Works, Faults, Unknown, NotRun }

/// <summary>What booting a tiny guest under KVM taught us.</summary>
public sealed record KvmGuestProbeResult(string? CpuModel, string CpuModelDetail, SseOutcome Sse, string SseDetail)
{
    public static KvmGuestProbeResult NotRun(string why) => new(null, why, SseOutcome.NotRun, why);

    public string SseReport => Sse switch
    {
        SseOutcome.Works => "works",
        SseOutcome.Faults => $"faults: {SseDetail} — guest code must stay SSE-free",
        SseOutcome.Unknown => $"unknown: {SseDetail}",
        _ => $"not probed: {SseDetail}",
    };
}
