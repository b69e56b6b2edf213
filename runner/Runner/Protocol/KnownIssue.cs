namespace Runner.Protocol;

/// <summary>
/// What tests/errata.cfg says about one guest check on this host. An intermittent issue
/// fails only sometimes (a timing the host cannot always meet): its failure is XFAIL, but
/// its pass is a plain pass, not an XPASS that says the entry may be stale.
/// </summary>
public sealed record KnownIssue(string Reason, bool Intermittent = false);
