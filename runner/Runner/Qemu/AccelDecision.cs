namespace Runner.Qemu;

/// <summary>Which accelerator a test runs under and why; Accel is null when the test cannot run here (SkipReason says why).</summary>
public sealed record AccelDecision(AccelKind? Accel, string Why, string? SkipReason = null)
{
    public static AccelDecision Use(AccelKind accel, string why) => new(accel, why);
    public static AccelDecision Skip(string reason) => new(null, reason, reason);
}
