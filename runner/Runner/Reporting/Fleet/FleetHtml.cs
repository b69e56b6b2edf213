using Runner.Bench;
using System.Net;
using System.Text;

namespace Runner.Reporting.Fleet;

/// <summary>One kind of result in the fleet report: its heading, table, the reasons behind its "unavailable" cells, and its plot (SVG) if it has one.</summary>
public sealed record FleetSection(string Heading, TextTable Table, IReadOnlyList<string> Reasons, string? SvgPlot);

/// <summary>
/// The fleet report as one standalone HTML page to attach to a patch review: per kind of result
/// the table, the reasons behind its unavailable cells, and the plot inlined as SVG. No script,
/// font or style sheet is fetched from anywhere.
/// </summary>
public static class FleetHtml
{
    public static string Render(string title, IReadOnlyList<FleetSection> sections, IReadOnlyList<string> notes)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
        h.Append($"<title>{E(title)}</title>\n");
        h.Append("<style>body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:1em 0}" +
                 "th,td{border:1px solid #bbb;padding:.3em .6em;text-align:right;vertical-align:top}th:first-child,td:first-child{text-align:left}" +
                 "tr.rule td{border-top:2px solid #555}thead th{background:#eef}p.note,li{font-size:.9em}svg{max-width:100%;height:auto}</style>\n");
        h.Append("</head><body>\n");
        h.Append($"<h1>{E(title)}</h1>\n");
        foreach (var section in sections)
        {
            if (sections.Count > 1) h.Append($"<h2>{E(section.Heading)}</h2>\n");
            Table(h, section.Table);
            h.Append("<ul>\n");
            foreach (var f in section.Table.Footnotes) h.Append($"<li>{E(f)}</li>\n");
            foreach (var r in section.Reasons) h.Append($"<li>{E(r)}</li>\n");
            h.Append("</ul>\n");
            if (section.SvgPlot is not null) Figure(h, section.SvgPlot);
        }
        if (notes.Count > 0)
        {
            h.Append("<ul>\n");
            foreach (var n in notes) h.Append($"<li>{E(n)}</li>\n");
            h.Append("</ul>\n");
        }
        h.Append("</body></html>\n");
        return h.ToString();
    }

    static void Table(StringBuilder h, TextTable table)
    {
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
        h.Append("</tbody></table>\n");
    }

    static void Figure(StringBuilder h, string svgPlot)
    {
        // The SVG goes in as markup (without its XML declaration): the page stays one file.
        var start = svgPlot.IndexOf("<svg", StringComparison.Ordinal);
        var svg = start >= 0 ? svgPlot[start..] : svgPlot;
        // Without a viewBox a narrower page clips the drawing instead of scaling it.
        if (!svg[..Math.Min(svg.Length, 300)].Contains("viewBox", StringComparison.Ordinal))
            svg = "<svg viewBox=\"0 0 " + Plots.PlotFile.Width + " " + Plots.PlotFile.Height + "\"" + svg["<svg".Length..];
        h.Append("<figure>").Append(svg).Append("</figure>\n");
    }

    static string E(string s) => WebUtility.HtmlEncode(s);
}
