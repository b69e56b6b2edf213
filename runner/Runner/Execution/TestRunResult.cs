using Runner.Config;
using Runner.Processes;
using Runner.Protocol;
using Runner.Qemu;

namespace Runner.Execution;

/// <summary>One test kernel's run as the reporters see it. Argv and LogPath are null when QEMU never started (SKIP before boot).</summary>
public sealed record TestRunResult(TestEntry Entry, AccelDecision Accel, Verdict Verdict, TimeSpan Duration)
{
    public IReadOnlyList<string>? Argv { get; init; }
    /// <summary>Where it ran ("kvm_amd, L1 Linux 6.12.x under TCG"); null when it did not run.</summary>
    public string? Where { get; init; }
    public string? LogPath { get; init; }
    /// <summary>Why the log could not be written (a full or read-only disk); the verdict stands without it.</summary>
    public string? LogError { get; init; }
    /// <summary>Every line QEMU printed, for JUnit's system-out.</summary>
    public IReadOnlyList<OutputLine> Output { get; init; } = [];
    /// <summary>KVM counters read at `#kt sync` lines and at `#kt end` (runner run --kvm-stats); null when not asked for.</summary>
    public IReadOnlyList<KvmReading>? KvmReadings { get; init; }

    public Outcome Outcome => Verdict.Outcome;
    public bool IsFailure => Outcome is Outcome.Fail or Outcome.Timeout;
}
