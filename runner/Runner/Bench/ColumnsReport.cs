using System.Text.Json.Serialization;
using Runner.Protocol;

namespace Runner.Bench;

/// <summary>
/// The shape `runner vmexit --json` and `runner wakeup --json` share: the header, the settings,
/// one result per host setting (column), and notes. The JSON fields keep the order the reports
/// had before the shape was shared.
/// </summary>
public abstract record ColumnsReport<TSettings, TColumn> : BenchReport where TColumn : BenchColumnResult
{
    protected ColumnsReport(string schema) : base(schema) { }

    public required TSettings Settings { get; init; }
    public IReadOnlyList<TColumn> Columns { get; init; } = [];
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>What every column of such a report starts with (order -1: first in the file, before the benchmark's own fields).</summary>
public abstract record BenchColumnResult
{
    [JsonPropertyOrder(-1)]
    public required string Key { get; init; }
    [JsonPropertyOrder(-1)]
    public required string Label { get; init; }
    /// <summary>Why the host cannot give this setting; the column then has no boots.</summary>
    [JsonPropertyOrder(-1)]
    public string? Unavailable { get; init; }
    /// <summary>The host state the column was checked against (sysfs module parameters).</summary>
    [JsonPropertyOrder(-1)]
    public string? VerifiedState { get; init; }
}

/// <summary>What every boot of such a report starts with (order -1, as above).</summary>
public abstract record BenchRun
{
    [JsonPropertyOrder(-1)]
    public required int Index { get; init; }
    [JsonPropertyOrder(-1)]
    public required Outcome Outcome { get; init; }
    [JsonPropertyOrder(-1)]
    public string Reason { get; init; } = "";
    [JsonPropertyOrder(-1)]
    public double DurationSeconds { get; init; }
    [JsonPropertyOrder(-1)]
    public IReadOnlyList<string> Argv { get; init; } = [];
    [JsonPropertyOrder(-1)]
    public string? LogPath { get; init; }
    [JsonPropertyOrder(-1)]
    public IReadOnlyDictionary<string, long> Metrics { get; init; } = new Dictionary<string, long>();

    public long? Metric(string name) => Metrics.TryGetValue(name, out var v) ? v : null;
}
