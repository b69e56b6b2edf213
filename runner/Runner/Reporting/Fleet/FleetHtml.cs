using System.Net;
using System.Text;
using Runner.Bench;

namespace Runner.Reporting.Fleet;

/// <summary>
/// The fleet report as one standalone HTML page to attach to a patch review: the table, every
/// result's unavailable columns with their reasons, and the plot inlined as SVG. No script,
/// font or style sheet is fetched from anywhere.
/// </summary>
public static class FleetHtml
{
    public static string Render(string title, TextTable table, IReadOnlyList<FleetSource> sources, IReadOnlyList<string> notes, string? svgPlot)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
        h.Append($"<title>{E(title)}</title>\n");
        h.Append("<style>body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:1em 0}" +
                 "th,td{border:1px solid #bbb;padding:.3em .6em;text-align:right;vertical-align:top}th:first-child,td:first-child{text-align:left}" +
                 "tr.rule td{border-top:2px solid #555}thead th{background:#eef}p.note,li{font-size:.9em}svg{max-width:100%;height:auto}</style>\n");
        h.Append("</head><body>\n");
        h.Append($"<h1>{E(title)}</h1>\n");
        h.Append("<table><thead><tr>");
        foreach (var header in table.Headers) h.Append($"<th>{E(header)}</th>");
        h.Append("</tr></thead><tbody>\n");
        foreach (var row in table.Rows)
        {
            h.Append(row.Rule ? "<tr class=\"rule\">" : "<tr>");
            h.Append($"<td>{E(row.Label)}</td>");
            foreach (var cell in row.Cells) h.Append($"<td>{E(cell)}</td>");
            h.Append("</tr>\n");
        }
        h.Append("</tbody></table>\n<ul>\n");
        foreach (var f in table.Footnotes) h.Append($"<li>{E(f)}</li>\n");
        foreach (var s in sources)
            foreach (var c in s.Report.Columns.Where(c => c.Unavailable is not null))
                h.Append($"<li>{E($"{s.Tag} {c.Label}: unavailable: {c.Unavailable}")}</li>\n");
        foreach (var n in notes) h.Append($"<li>{E(n)}</li>\n");
        h.Append("</ul>\n");
        if (svgPlot is not null)
        {
            // The SVG goes in as markup (without its XML declaration): the page stays one file.
            var start = svgPlot.IndexOf("<svg", StringComparison.Ordinal);
            var svg = start >= 0 ? svgPlot[start..] : svgPlot;
            // Without a viewBox a narrower page clips the drawing instead of scaling it.
            if (!svg[..Math.Min(svg.Length, 300)].Contains("viewBox", StringComparison.Ordinal))
                svg = "<svg viewBox=\"0 0 " + Plots.PlotFile.Width + " " + Plots.PlotFile.Height + "\"" + svg["<svg".Length..];
            h.Append("<figure>").Append(svg).Append("</figure>\n");
        }
        h.Append("</body></html>\n");
        return h.ToString();
    }

    static string E(string s) => WebUtility.HtmlEncode(s);
}
