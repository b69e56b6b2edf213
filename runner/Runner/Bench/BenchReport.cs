using System.Text.Json.Serialization;

namespace Runner.Bench;

/// <summary>
/// What every benchmark report (`runner ipi`, `vmexit`, `wakeup`, `pveoi --json`) records about
/// itself before its figures: its schema, the runner, when and how long, the command, the host
/// (with QEMU) and the kernel image. A table from the report names its host, kernel, QEMU and
/// command from here. The header fields come first in the file (order -1: before the fields of
/// the report itself, whatever order the serializer gives a base type).
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
}
