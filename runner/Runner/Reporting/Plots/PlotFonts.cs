namespace Runner.Reporting.Plots;

/// <summary>
/// ScottPlot draws with SkiaSharp's self-contained Linux build (no fontconfig), which sees no
/// system fonts: the text face is loaded from a file. DejaVu Sans comes with Debian's
/// fonts-dejavu-core, which make deps installs.
/// </summary>
public static class PlotFonts
{
    public const string Family = "DejaVu Sans";
    public const string Package = "fonts-dejavu-core";

    static readonly string[] Candidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    ];

    static readonly object Gate = new();
    static bool _loaded;

    /// <summary>Makes DejaVu Sans ScottPlot's default face; a missing font is a one-line error naming the package.</summary>
    public static void Ensure()
    {
        lock (Gate)
        {
            if (_loaded) return;
            var regular = Candidates.FirstOrDefault(File.Exists)
                ?? throw new UserErrorException($"no font to draw plot text with ({string.Join(", ", Candidates.Take(1))} missing): apt-get install {Package}");
            var bold = Path.Combine(Path.GetDirectoryName(regular)!, "DejaVuSans-Bold.ttf");
            ScottPlot.Fonts.AddFontFile(Family, regular, bold: false, italic: false);
            if (File.Exists(bold))
                ScottPlot.Fonts.AddFontFile(Family, bold, bold: true, italic: false);
            ScottPlot.Fonts.Default = Family;
            ScottPlot.Fonts.Sans = Family;
            _loaded = true;
        }
    }
}
