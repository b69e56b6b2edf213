using System.CommandLine;
using ScottPlot;

namespace Runner.Reporting.Plots;

/// <summary>Writes a plot as PNG or SVG, chosen by the file's extension.</summary>
public static class PlotFile
{
    public const int Width = 1200;
    public const int Height = 720;

    public static bool IsPlotPath(string path) => Path.GetExtension(path).ToLowerInvariant() is ".png" or ".svg";

    /// <summary>A `--plot FILE` option that refuses any other extension before anything boots.</summary>
    public static Option<string?> Option(string description)
    {
        var plot = new Option<string?>("--plot") { Description = description };
        plot.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is { } f && !IsPlotPath(f)) r.AddError($"--plot {f}: the file must end in .png or .svg"); });
        return plot;
    }

    public static void CheckPath(string path)
    {
        if (!IsPlotPath(path))
            throw new UserErrorException($"--plot {path}: the file must end in .png or .svg");
    }

    public static string Save(Plot plot, string path)
    {
        CheckPath(path);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        if (Path.GetExtension(full).Equals(".svg", StringComparison.OrdinalIgnoreCase))
            plot.SaveSvg(full, Width, Height);
        else
            plot.SavePng(full, Width, Height);
        return full;
    }
}
