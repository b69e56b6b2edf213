namespace Runner.Bench;

/// <summary>What a benchmark command boots: its unittests.cfg entry, and why it needs KVM.</summary>
/// <param name="Entry">The [section] of tests/unittests.cfg.</param>
/// <param name="EntryHint">What to add when the section is missing, e.g. "file = ipi, smp = 2".</param>
/// <param name="KvmNeed">Why the command refuses to run without KVM (ends the one-line error).</param>
public sealed record BenchTarget(string Entry, string EntryHint, string KvmNeed);
