using Runner.Host;
using Runner.Processes;

namespace Runner.Qemu;

/// <summary>
/// The parts of the host probe that start QEMU: its version, and the boot probe. Above the
/// read-only file probe (<see cref="HostProbe.ProbeFiles"/>), which needs no process.
/// </summary>
public static class HostCapsProbe
{
    /// <summary>
    /// Files, then QEMU's version, then (when KVM is usable and asked for) the boot probe, whose
    /// answer comes from <paramref name="cache"/> while its key holds. The real host uses the
    /// user's cache unless told otherwise; a recorded tree never does (it is another machine).
    /// </summary>
    public static async Task<HostCaps> ProbeAsync(string root, string? qemuPath, bool bootGuest, CancellationToken cancel = default,
        ProbeCache? cache = null, bool refresh = false)
    {
        var caps = HostProbe.ProbeFiles(root);
        if (qemuPath is null)
            return caps with { QemuProblem = QemuBinary.InstallHint };

        var qemu = await QemuVersionAsync(qemuPath);
        caps = caps with { Qemu = qemu };
        if (!bootGuest)
            return caps;
        if (!caps.Kvm.Available)
            return caps with { Guest = KvmGuestProbeResult.NotRun($"KVM unusable: {caps.Kvm.Detail}") };

        cache ??= root == "/" ? ProbeCache.ForUser() : null;
        if (cache is null)
            return caps with { Guest = await KvmGuestProbe.RunAsync(qemuPath, cancel), GuestProbeOrigin = "probed now (no cache for a recorded tree)" };

        var key = ProbeCacheKey.Compute(caps, qemu, ProbeCacheKey.RunnerBuild);
        var lookup = cache.Read(key);
        if (!refresh && lookup is { State: ProbeCacheState.Hit, Result: { } cached })
            return caps with { Guest = cached, GuestProbeOrigin = $"cached in {lookup.Path} ({lookup.Detail})" };

        var why = refresh ? "--refresh" : lookup.State switch
        {
            ProbeCacheState.Missing => "nothing cached yet",
            ProbeCacheState.Stale => $"cache stale: {lookup.Detail}",
            _ => $"cache unusable: {lookup.Detail}",
        };
        var guest = await KvmGuestProbe.RunAsync(qemuPath, cancel);
        var saved = cache.Write(key, guest, DateTime.UtcNow)
            ? $"saved to {lookup.Path}"
            : ProbeCache.Worth(guest) ? $"could not save to {lookup.Path}" : "not cached: no definite answer";
        return caps with { Guest = guest, GuestProbeOrigin = $"probed now ({why}); {saved}" };
    }

    /// <summary>Asks the binary for its version; an unreadable answer leaves Version null rather than failing.</summary>
    public static async Task<QemuBinary> QemuVersionAsync(string path)
    {
        var result = await ProcessRunner.RunAsync([path, "--version"], new ProcessLimits(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)));
        var first = result.Stdout.FirstOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";
        return new QemuBinary(path, first.Length > 0 ? first : "(no version output)", QemuBinary.ParseVersion(first));
    }
}
