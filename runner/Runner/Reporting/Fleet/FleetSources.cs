using System.Text.Json;
using Runner.Bench;

namespace Runner.Reporting.Fleet;

/// <summary>One `--json` result in a fleet report, with the short tag its table column and plot series carry.</summary>
public sealed record FleetSource(string Tag, string Path, IpiReport Report)
{
    public string Host => $"{Report.Host.CpuModel} ({Report.Host.CpuVendor})";
    public string Where => Report.Host.Where.Length > 0 ? Report.Host.Where : $"{Report.Host.KvmBackend}, Linux {Report.Host.KernelRelease}";
    public string Setting
    {
        get
        {
            var s = Report.Settings;
            return $"{s.Kind}, target {s.Target}, {s.Cpus} vCPUs, {s.Runs} runs x {s.Iterations}";
        }
    }
}

/// <summary>
/// Finds the results to merge: files as given, folders searched for *.json (CI artifacts arrive
/// as one folder per job). Files of another kind are named and left out, never guessed at.
/// </summary>
public static class FleetSources
{
    public static (IReadOnlyList<FleetSource> Sources, IReadOnlyList<string> Notes) Load(IReadOnlyList<string> paths)
    {
        var files = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
                files.AddRange(Directory.EnumerateFiles(p, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            else if (File.Exists(p))
                files.Add(p);
            else
                throw new UserErrorException($"{p}: no such file or folder: pass `runner ipi --json` files or folders holding them");
        }

        var sources = new List<FleetSource>();
        var notes = new List<string>();
        foreach (var file in files)
        {
            var schema = SchemaOf(file);
            if (schema == IpiReport.CurrentSchema)
                sources.Add(new FleetSource($"H{sources.Count + 1}", file, IpiCompare.Load(file)));
            else
                notes.Add($"left out {file}: schema '{schema ?? "none"}' (the report merges {IpiReport.CurrentSchema} from `runner ipi --json`; pveoi has no --json yet)");
        }
        if (sources.Count == 0)
            throw new UserErrorException($"no `runner ipi --json` result among {files.Count} file(s): pass files written by runner ipi --json");
        return (sources, notes);
    }

    static string? SchemaOf(string file)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("schema", out var s) && s.ValueKind == JsonValueKind.String
                ? s.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
