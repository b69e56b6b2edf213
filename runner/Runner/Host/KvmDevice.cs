namespace Runner.Host;

/// <summary>Whether /dev/kvm can be opened read-write, which is exactly what QEMU -accel kvm needs.</summary>
public static class KvmDevice
{
    public static Capability Probe(string root)
    {
        var path = Path.Combine(root, "dev", "kvm");
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            return Capability.Yes($"{path} opens read-write");
        }
        catch (FileNotFoundException)
        {
            return Capability.No($"{path} does not exist: no KVM module is loaded (needs kvm_intel/kvm_amd, nested virtualization on a VM host)");
        }
        catch (DirectoryNotFoundException)
        {
            return Capability.No($"{path} does not exist: no KVM module is loaded (needs kvm_intel/kvm_amd, nested virtualization on a VM host)");
        }
        catch (UnauthorizedAccessException)
        {
            return Capability.No($"{path} exists but cannot be opened read-write: add the user to the kvm group (or run as root)");
        }
        catch (IOException e)
        {
            return Capability.No($"{path} cannot be opened read-write: {e.Message}");
        }
    }
}
