namespace Runner.Protocol;

/// <summary>
/// What tests/errata.cfg says about one guest check on this host. An intermittent issue
/// fails only sometimes (a timing the host cannot always meet): its failure is XFAIL, but
/// its pass is a plain pass, not an XPASS that says the entry may be stale.
/// Id is the entry's [name] in tests/errata.cfg, what the one-line verdict lists.
/// </summary>
public sealed record KnownIssue(string Reason, bool Intermittent = false, string Id = "");
