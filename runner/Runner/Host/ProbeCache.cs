using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Runner.Host;

public enum ProbeCacheState { Hit, Missing, Stale, Corrupt }

/// <summary>What reading the cache gave: a result only on a hit with an equal key.</summary>
public sealed record ProbeCacheLookup(ProbeCacheState State, string Path, string Detail, KvmGuestProbeResult? Result = null);

/// <summary>
/// The KVM guest probe's answer kept on disk, one small text file per QEMU binary and runner
/// build. It is trusted only when every part of its key still holds; a file that does not parse
/// is a miss, never a guess. Only definite answers are written (a probe that timed out on a busy
/// host must run again next time).
/// </summary>
public sealed class ProbeCache(string dir)
{
    const string Format = "1";
    const string KeyPrefix = "key ";
    const string ResultPrefix = "result ";

    public string Dir { get; } = dir;

    public static ProbeCache ForUser() => new(System.IO.Path.Combine(Workspace.UserCacheDir.Root(), "host-probe"));

    public string PathFor(ProbeCacheKey key)
    {
        // Per QEMU binary and runner build, so two clones or two QEMUs do not overwrite each other.
        var identity = string.Join('\n', key.Parts.Where(p => p.Key is "qemu.path" or "runner.build").Select(p => $"{p.Key}={p.Value}"));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];
        return System.IO.Path.Combine(Dir, $"guest-probe-{hash}.txt");
    }

    public static bool Worth(KvmGuestProbeResult r) =>
        r.CpuModel is not null && r.Sse is SseOutcome.Works or SseOutcome.Faults;

    public ProbeCacheLookup Read(ProbeCacheKey key)
    {
        var path = PathFor(key);
        string[] lines;
        try
        {
            if (!File.Exists(path))
                return new(ProbeCacheState.Missing, path, "no cached probe");
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(ProbeCacheState.Corrupt, path, $"cannot read it ({e.Message})");
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var keyParts = new List<KeyValuePair<string, string>>();
        foreach (var line in lines)
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int eq = line.IndexOf(" = ", StringComparison.Ordinal);
            if (eq < 0)
                return new(ProbeCacheState.Corrupt, path, $"line '{Clip(line)}' is not 'name = value'");
            var name = line[..eq];
            var value = line[(eq + 3)..];
            if (name.StartsWith(KeyPrefix, StringComparison.Ordinal))
                keyParts.Add(new(name[KeyPrefix.Length..], value));
            else if (!fields.TryAdd(name, value))
                return new(ProbeCacheState.Corrupt, path, $"'{name}' appears twice");
        }

        if (!fields.TryGetValue("format", out var format) || format != Format)
            return new(ProbeCacheState.Corrupt, path, $"format '{format ?? "(none)"}' is not {Format}");
        var changes = key.ChangesFrom(new ProbeCacheKey(keyParts));
        if (changes.Count > 0)
            return new(ProbeCacheState.Stale, path, string.Join("; ", changes.Take(3)) + (changes.Count > 3 ? $"; {changes.Count - 3} more" : ""));

        if (!fields.TryGetValue(ResultPrefix + "cpu-model", out var cpu) || cpu.Length == 0
            || !fields.TryGetValue(ResultPrefix + "cpu-model-detail", out var cpuDetail)
            || !fields.TryGetValue(ResultPrefix + "sse", out var sseText)
            || !Enum.TryParse<SseOutcome>(sseText, ignoreCase: false, out var sse)
            || sse is not (SseOutcome.Works or SseOutcome.Faults)
            || !fields.TryGetValue(ResultPrefix + "sse-detail", out var sseDetail)
            || !fields.TryGetValue("probed-at", out var at))
            return new(ProbeCacheState.Corrupt, path, "a result field is missing or unknown");

        return new(ProbeCacheState.Hit, path, $"probed {at}", new KvmGuestProbeResult(cpu, cpuDetail, sse, sseDetail));
    }

    /// <summary>Writes atomically (temp file, rename): runners started at once never read half a file. False when it cannot be written.</summary>
    public bool Write(ProbeCacheKey key, KvmGuestProbeResult result, DateTime probedAtUtc)
    {
        if (!Worth(result))
            return false;
        var path = PathFor(key);
        var text = new StringBuilder();
        text.Append("# ktest runner: what booting a probe guest under KVM found on this host.\n");
        text.Append("# Used only while every 'key' line still holds; `runner caps --refresh` probes again.\n");
        text.Append($"format = {Format}\n");
        text.Append($"probed-at = {probedAtUtc.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)}\n");
        foreach (var (name, value) in key.Parts)
            text.Append($"{KeyPrefix}{name} = {OneLine(value)}\n");
        text.Append($"{ResultPrefix}cpu-model = {OneLine(result.CpuModel!)}\n");
        text.Append($"{ResultPrefix}cpu-model-detail = {OneLine(result.CpuModelDetail)}\n");
        text.Append($"{ResultPrefix}sse = {result.Sse}\n");
        text.Append($"{ResultPrefix}sse-detail = {OneLine(result.SseDetail)}\n");
        try
        {
            Directory.CreateDirectory(Dir);
            var tmp = $"{path}.{Environment.ProcessId}.tmp";
            File.WriteAllText(tmp, text.ToString());
            File.Move(tmp, path, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    static string OneLine(string s) => s.Replace('\r', ' ').Replace('\n', ' ');

    static string Clip(string s) => s.Length <= 40 ? s : s[..37] + "...";
}
