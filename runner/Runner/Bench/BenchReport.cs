using System.Text.Json.Serialization;

namespace Runner.Bench;

/// <summary>
/// What every benchmark report (`runner ipi`, `vmexit`, `wakeup --json`) records about itself
/// before its figures: its schema, the runner, when and how long, the command, the host (with
/// QEMU) and the kernel image. A table from the report names its host, kernel, QEMU and command
/// from here. The header fields come first in the file and the notes after the figures.
/// </summary>
public abstract record BenchReport
{
    protected BenchReport(string schema) => Schema = schema;

    [JsonPropertyOrder(-1)]
    public string Schema { get; init; }
    [JsonPropertyOrder(-1)]
    public required string RunnerVersion { get; init; }
    [JsonPropertyOrder(-1)]
    public required DateTimeOffset Started { get; init; }
    [JsonPropertyOrder(-1)]
    public double WallSeconds { get; init; }
    /// <summary>The runner's own arguments.</summary>
    [JsonPropertyOrder(-1)]
    public IReadOnlyList<string> CommandLine { get; init; } = [];
    [JsonPropertyOrder(-1)]
    public required IpiHost Host { get; init; }
    [JsonPropertyOrder(-1)]
    public required IpiKernel Kernel { get; init; }
    /// <summary>What happened around the figures (KVM module parameters restored, hung cases left out, ...).</summary>
    [JsonPropertyOrder(1)]
    public IReadOnlyList<string> Notes { get; init; } = [];
}
