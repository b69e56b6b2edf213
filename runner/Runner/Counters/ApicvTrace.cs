using System.Globalization;

namespace Runner.Counters;

/// <summary>
/// Watches KVM's kvm:kvm_apicv_inhibit_changed tracepoint in a tracefs instance of its own
/// (instances/ktest-PID, so nobody else's tracing is disturbed), with the thread group id in
/// every line so events can be matched to one QEMU process. Each event carries the VM's
/// whole inhibit mask after the change; KVM also traces the first mask it sets when the VM
/// is created, so the mask in force at any moment is the last one traced before it. The
/// runner writes a marker at the timed batch's two sync points (<see cref="Mark"/>), and
/// <see cref="Observe"/> reads what held between them.
/// </summary>
public sealed class ApicvTrace : IDisposable
{
    public const string Event = "kvm/kvm_apicv_inhibit_changed";
    const string InstancePrefix = "ktest-";
    const int BufferKbPerCpu = 512;

    readonly string _instance;
    readonly string _kernelRelease;
    readonly object _gate = new();

    ApicvTrace(string instance, string kernelRelease)
    {
        _instance = instance;
        _kernelRelease = kernelRelease;
    }

    /// <summary>The tracefs root, or null when none is mounted.</summary>
    public static string? TracefsRoot(string sysRoot = "/") =>
        new[] { "sys/kernel/tracing", "sys/kernel/debug/tracing" }
            .Select(p => Path.Combine(sysRoot, p))
            .FirstOrDefault(p => File.Exists(Path.Combine(p, "trace_marker")) || Directory.Exists(Path.Combine(p, "instances")));

    /// <summary>Opens a tracing instance; null with the reason when this host cannot give one.</summary>
    public static ApicvTrace? TryOpen(string kernelRelease, out string why, string sysRoot = "/")
    {
        why = "";
        var root = TracefsRoot(sysRoot) ?? MountTracefs(sysRoot);
        if (root is null)
        {
            why = "tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)";
            return null;
        }
        if (!Directory.Exists(Path.Combine(root, "events", Event)))
        {
            why = $"this kernel has no tracepoint {Event.Replace('/', ':')} (load kvm, or a kernel too old to trace APICv inhibits)";
            return null;
        }
        if (!Environment.IsPrivilegedProcess)
        {
            why = "tracing APICv inhibits needs root (tracefs instances)";
            return null;
        }
        RemoveStale(root);
        var instance = Path.Combine(root, "instances", InstancePrefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            Directory.CreateDirectory(instance);
            File.WriteAllText(Path.Combine(instance, "buffer_size_kb"), BufferKbPerCpu.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(instance, "options", "record-tgid"), "1");
            File.WriteAllText(Path.Combine(instance, "events", Event, "enable"), "1");
            File.WriteAllText(Path.Combine(instance, "tracing_on"), "1");
            return new ApicvTrace(instance, kernelRelease);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            why = $"could not set up tracefs instance {instance}: {e.Message}";
            TryRemove(instance);
            return null;
        }
    }

    /// <summary>
    /// As root on a host that has tracefs but has not mounted it (a fresh CI machine), mounts
    /// it where the kernel documents it; perf's tracepoints need the same mount.
    /// </summary>
    static string? MountTracefs(string sysRoot)
    {
        var mountPoint = Path.Combine(sysRoot, "sys/kernel/tracing");
        if (sysRoot != "/" || !Environment.IsPrivilegedProcess || !Directory.Exists(mountPoint)) return null;
        try
        {
            using var mount = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("mount", ["-t", "tracefs", "nodev", mountPoint])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            });
            if (mount is null || !mount.WaitForExit(TimeSpan.FromSeconds(10))) return null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
        return TracefsRoot(sysRoot);
    }

    /// <summary>Instances left by runners that are gone (killed before they could remove theirs).</summary>
    static void RemoveStale(string root)
    {
        var instances = Path.Combine(root, "instances");
        if (!Directory.Exists(instances)) return;
        foreach (var dir in Directory.GetDirectories(instances, InstancePrefix + "*"))
            if (int.TryParse(Path.GetFileName(dir)[InstancePrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && !Directory.Exists($"/proc/{pid}"))
                TryRemove(dir);
    }

    static void TryRemove(string instance)
    {
        // A tracefs instance is removed with rmdir, its files and all.
        try { Directory.Delete(instance, recursive: false); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Turns the event on again before a boot. `modprobe -r kvm_amd` (--reload-kvm) also drops
    /// kvm.ko, whose trace events come back disabled when it is loaded again; the first VM after
    /// a reload would otherwise show no event at all. Null when on; else why not.
    /// </summary>
    public string? EnsureEnabled()
    {
        var enable = Path.Combine(_instance, "events", Event, "enable");
        try
        {
            lock (_gate)
                if (File.ReadAllText(enable).Trim() != "1") File.WriteAllText(enable, "1");
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"could not enable {Event.Replace('/', ':')} in {_instance} (KVM module reloaded?): {e.Message}";
        }
    }

    /// <summary>Writes "ktest PID TAG" into the instance's trace, in order with KVM's events.</summary>
    public void Mark(int qemuPid, string tag)
    {
        lock (_gate)
            File.WriteAllText(Path.Combine(_instance, "trace_marker"), $"ktest {qemuPid} {tag}\n");
    }

    /// <summary>What held for this QEMU between the two markers (read after the run).</summary>
    public ApicvObservation Observe(int qemuPid, string beginTag, string endTag)
    {
        string text;
        lock (_gate)
            text = File.ReadAllText(Path.Combine(_instance, "trace"));
        return ApicvObservation.FromTrace(text, qemuPid, beginTag, endTag, _kernelRelease);
    }

    public void Dispose()
    {
        try { File.WriteAllText(Path.Combine(_instance, "events", Event, "enable"), "0"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        TryRemove(_instance);
    }
}
