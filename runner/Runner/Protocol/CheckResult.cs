namespace Runner.Protocol;

/// <summary>
/// One guest check after errata were applied. Detail is the guest's failure detail or
/// skip reason; ErratumReason is set for XFAIL/XPASS.
/// </summary>
public sealed record CheckResult(string Name, CheckOutcome Outcome, string Detail, string? ErratumReason = null)
{
    /// <summary>The errata.cfg entry's name for XFAIL/XPASS.</summary>
    public string? ErratumId { get; init; }
}
