using System.Text.Json;
using Runner.Bench;

namespace Runner.Reporting;

/// <summary>
/// Reads a benchmark report back (`runner compare`, `runner report`, plots): the file must exist,
/// carry the schema of the report asked for (named first, so another command's file says
/// whose it is rather than which field it lacks), and parse as that report.
/// </summary>
public static class BenchReportFile
{
    /// <summary>The file's schema; null when it is unreadable or has none.</summary>
    public static string? SchemaOf(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("schema", out var s) && s.ValueKind == JsonValueKind.String
                ? s.GetString()
                : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <param name="schema">The report's CurrentSchema.</param>
    /// <param name="command">The command that writes such files, e.g. "runner vmexit --json".</param>
    /// <exception cref="UserErrorException">missing, unreadable, another schema, or not such a report</exception>
    public static T Load<T>(string path, string schema, string command) where T : BenchReport
    {
        if (!File.Exists(path))
            throw new UserErrorException($"{path}: no such file: pass a file written by `{command}`");
        T? report;
        try
        {
            var text = File.ReadAllText(path);
            using (var doc = JsonDocument.Parse(text))
            {
                var found = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("schema", out var s) && s.ValueKind == JsonValueKind.String
                    ? s.GetString()
                    : null;
                if (found != schema)
                    throw new UserErrorException($"{path}: schema '{found ?? "none"}' is not {schema}: pass a file written by `{command}`");
            }
            report = JsonSerializer.Deserialize<T>(text, JsonFiles.Options);
        }
        catch (JsonException e)
        {
            throw new UserErrorException($"{path}: not readable as a `{command}` file ({e.Message}): rerun {command}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserErrorException($"{path}: cannot be read ({e.Message})");
        }
        return report ?? throw new UserErrorException($"{path}: holds null, not a `{command}` file");
    }
}
