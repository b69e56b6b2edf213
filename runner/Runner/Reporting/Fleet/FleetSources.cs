using Runner.Bench;

namespace Runner.Reporting.Fleet;

/// <summary>One `--json` result in a fleet report, with the short tag its table column and plot series carry.</summary>
public abstract record FleetResult(string Tag, string Path, IpiHost HostFacts, DateTimeOffset Started, IReadOnlyList<string> CommandLine)
{
    public string Host => $"{HostFacts.CpuModel} ({HostFacts.CpuVendor})";
    public string Where => HostFacts.Where.Length > 0 ? HostFacts.Where : $"{HostFacts.KvmBackend}, Linux {HostFacts.KernelRelease}";
    public string Qemu => HostFacts.QemuVersion ?? "unknown";
    /// <summary>The command that made the result, as it was typed (the L1 host's relayed one under --host-kernel).</summary>
    public string Command => HostFacts.Command.Length > 0 ? HostFacts.Command : "runner " + string.Join(' ', CommandLine);
    public abstract string Setting { get; }
}

/// <summary>A `runner ipi --json` result.</summary>
public sealed record FleetSource(string Tag, string Path, IpiReport Report)
    : FleetResult(Tag, Path, Report.Host, Report.Started, Report.CommandLine)
{
    public override string Setting
    {
        get
        {
            var s = Report.Settings;
            return $"{s.Kind.Arg()}, target {s.Target.Arg()}, {s.Cpus} vCPUs, {s.Runs} runs x {s.Iterations}";
        }
    }
}

/// <summary>A `runner vmexit --json` result.</summary>
public sealed record VmexitSource(string Tag, string Path, VmexitReport Report)
    : FleetResult(Tag, Path, Report.Host, Report.Started, Report.CommandLine)
{
    public override string Setting
    {
        get
        {
            var s = Report.Settings;
            return $"{s.Runs} boots x {s.Batches} batches x {s.OpsPerBatch} ops, {s.Cpus} vCPUs{(s.Parallel ? ", parallel" : "")}, {s.Machine}";
        }
    }
}

/// <summary>A `runner pveoi --json` result.</summary>
public sealed record PveoiSource(string Tag, string Path, PveoiReport Report)
    : FleetResult(Tag, Path, Report.Host, Report.Started, Report.CommandLine)
{
    public override string Setting => $"{Report.Settings.Source} at {Report.Settings.Rate}/s for {Report.Settings.Seconds} s, {Report.Settings.Cpus} vCPU";
}

/// <summary>A `runner wakeup --json` result.</summary>
public sealed record WakeupSource(string Tag, string Path, WakeupReport Report)
    : FleetResult(Tag, Path, Report.Host, Report.Started, Report.CommandLine)
{
    public override string Setting
    {
        get
        {
            var s = Report.Settings;
            return $"{s.Runs} boots x {s.Samples} samples, gap {s.GapMicroseconds} us, {s.Cpus} vCPUs, {s.Machine}";
        }
    }
}

/// <summary>Everything a fleet report merges, by kind, and the files it left out (named, with why).</summary>
public sealed record FleetInputs(IReadOnlyList<FleetSource> Ipi, IReadOnlyList<VmexitSource> Vmexit, IReadOnlyList<PveoiSource> Pveoi,
    IReadOnlyList<WakeupSource> Wakeup, IReadOnlyList<string> Notes)
{
    public int Count => Ipi.Count + Vmexit.Count + Pveoi.Count + Wakeup.Count;
}

/// <summary>
/// Finds the results to merge: files as given, folders searched for *.json (CI artifacts arrive
/// as one folder per job). Files of another kind are named and left out, never guessed at.
/// </summary>
public static class FleetSources
{
    public const string Kinds = "runner ipi, vmexit, pveoi or wakeup --json";

    public static FleetInputs Load(IReadOnlyList<string> paths)
    {
        var files = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
                files.AddRange(Directory.EnumerateFiles(p, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            else if (File.Exists(p))
                files.Add(p);
            else
                throw new UserErrorException($"{p}: no such file or folder: pass `{Kinds}` files or folders holding them");
        }

        var ipi = new List<FleetSource>();
        var vmexit = new List<VmexitSource>();
        var pveoi = new List<PveoiSource>();
        var wakeup = new List<WakeupSource>();
        var notes = new List<string>();
        string NextTag() => $"H{ipi.Count + vmexit.Count + pveoi.Count + wakeup.Count + 1}";
        foreach (var file in files)
        {
            switch (BenchReportFile.SchemaOf(file))
            {
                case IpiReport.CurrentSchema:
                    ipi.Add(new FleetSource(NextTag(), file, BenchReportFile.Load<IpiReport>(file, IpiReport.CurrentSchema, "runner ipi --json")));
                    break;
                case VmexitReport.CurrentSchema:
                    vmexit.Add(new VmexitSource(NextTag(), file, BenchReportFile.Load<VmexitReport>(file, VmexitReport.CurrentSchema, "runner vmexit --json")));
                    break;
                case PveoiReport.CurrentSchema:
                    pveoi.Add(new PveoiSource(NextTag(), file, BenchReportFile.Load<PveoiReport>(file, PveoiReport.CurrentSchema, "runner pveoi --json")));
                    break;
                case WakeupReport.CurrentSchema:
                    wakeup.Add(new WakeupSource(NextTag(), file, BenchReportFile.Load<WakeupReport>(file, WakeupReport.CurrentSchema, "runner wakeup --json")));
                    break;
                case var schema:
                    notes.Add($"left out {file}: schema '{schema ?? "none"}' (the report merges {IpiReport.CurrentSchema}, {VmexitReport.CurrentSchema}, " +
                              $"{PveoiReport.CurrentSchema} and {WakeupReport.CurrentSchema})");
                    break;
            }
        }
        var inputs = new FleetInputs(ipi, vmexit, pveoi, wakeup, notes);
        if (inputs.Count == 0)
            throw new UserErrorException($"no `{Kinds}` result among {files.Count} file(s): pass files those commands wrote");
        return inputs;
    }
}
