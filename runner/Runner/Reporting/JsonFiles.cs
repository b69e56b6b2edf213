using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Runner.Reporting;

/// <summary>The one JSON dialect the runner writes and reads back (every `--json` of the runner, and `runner compare` and `runner report` reading them back).</summary>
public static class JsonFiles
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // NaN (a statistic of one value) must survive a round trip rather than fail the write.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        // Guest text and shell lines stay readable: '<', '>' and quotes need no \u escapes in a file.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A report written by <paramref name="writer"/> (e.g. "runner vmexit --json"), read back once its schema is the one asked for.</summary>
    /// <exception cref="UserErrorException">missing, unreadable, or of another schema</exception>
    public static T ReadReport<T>(string path, string schema, string writer) where T : class
    {
        if (!File.Exists(path))
            throw new UserErrorException($"{path}: no such file: pass a file written by `{writer}`");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            // The schema first: a file of another kind is named as such, not as a malformed one of this kind.
            var found = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("schema", out var s) && s.ValueKind == JsonValueKind.String
                ? s.GetString() : null;
            if (found != schema)
                throw new UserErrorException($"{path}: schema '{found ?? "none"}' is not {schema}: pass a file written by `{writer}`");
            return doc.Deserialize<T>(Options) ?? throw new UserErrorException($"{path}: holds null, not a `{writer}` file");
        }
        catch (JsonException e)
        {
            throw new UserErrorException($"{path}: not readable as a `{writer}` file ({e.Message}): rerun {writer}");
        }
        catch (IOException e)
        {
            throw new UserErrorException($"{path}: cannot be read ({e.Message})");
        }
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options) + "\n";

    public static async Task WriteAsync<T>(string path, T value)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await File.WriteAllTextAsync(full, Serialize(value));
    }
}
