namespace Runner.Host;

/// <summary>A process with /dev/kvm open: a VM (or a VMM) that a module reload would break.</summary>
public sealed record KvmHolder(int Pid, string Command);

public static class KvmHolders
{
    /// <summary>
    /// Every process under root/proc whose open files include /dev/kvm, except <paramref name="ownPid"/>.
    /// Processes that vanish or cannot be inspected while we look are skipped.
    /// </summary>
    public static IReadOnlyList<KvmHolder> Find(string root, int ownPid)
    {
        var proc = Path.Combine(root, "proc");
        var result = new List<KvmHolder>();
        if (!Directory.Exists(proc)) return result;
        foreach (var dir in Directory.EnumerateDirectories(proc))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == ownPid) continue;
            var fd = Path.Combine(dir, "fd");
            try
            {
                if (!Directory.Exists(fd)) continue;
                bool holds = Directory.EnumerateFileSystemEntries(fd).Any(link =>
                    new FileInfo(link).LinkTarget is "/dev/kvm");
                if (!holds) continue;
                var commFile = Path.Combine(dir, "comm");
                var comm = File.Exists(commFile) ? File.ReadAllText(commFile).Trim() : "?";
                result.Add(new KvmHolder(pid, comm));
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return result.OrderBy(h => h.Pid).ToList();
    }

    /// <summary>Null when a reload may go ahead; else why not.</summary>
    public static string? RefuseReload(bool isRoot, IReadOnlyList<KvmHolder> holders)
    {
        if (!isRoot)
            return "--reload-kvm needs root (it runs modprobe): rerun as root, or set the module parameters yourself";
        if (holders.Count > 0)
            return "--reload-kvm refused: /dev/kvm is open in " +
                   string.Join(", ", holders.Select(h => $"pid {h.Pid} ({h.Command})")) +
                   ": reloading the KVM module would break those VMs; stop them first";
        return null;
    }
}
