using Runner.Nested;
using Runner.Tests.Support;

namespace Runner.Tests.Nested;

/// <summary>Closure and modules.dep over a modules folder of hand-built modules (ElfAndImageTests.Module).</summary>
public class KernelModulesTests
{
    static TempDir Tree()
    {
        var tmp = new TempDir();
        void Ko(string rel, string depends)
        {
            var path = Path.Combine(tmp.Path, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, ElfAndImageTests.Module($"depends={depends}\0"));
        }
        // 6.1's shape: virtio needs virtio_ring, virtio_pci needs both and the two devs.
        Ko("kernel/drivers/virtio/virtio_ring.ko", "");
        Ko("kernel/drivers/virtio/virtio.ko", "virtio_ring");
        Ko("kernel/drivers/virtio/virtio_pci_modern_dev.ko", "");
        Ko("kernel/drivers/virtio/virtio_pci_legacy_dev.ko", "");
        Ko("kernel/drivers/virtio/virtio_pci.ko", "virtio_ring,virtio_pci_modern_dev,virtio_pci_legacy_dev,virtio");
        Ko("kernel/arch/x86/kvm/kvm.ko", "irqbypass");
        Ko("kernel/arch/x86/kvm/kvm-amd.ko", "kvm");
        Ko("kernel/virt/lib/irqbypass.ko", "");
        tmp.File("modules.builtin", "kernel/drivers/crypto/ccp/ccp.ko\nkernel/fs/overlayfs/overlay.ko\n");
        return tmp;
    }

    [Fact]
    public async Task TheClosureLoadsDependenciesFirst()
    {
        using var tmp = Tree();
        var modules = await KernelModules.Read(tmp.Path).ClosureAsync(["virtio_pci", "overlay", "kvm_amd"], CancellationToken.None);
        var names = modules.Select(m => m.Name).ToList();
        Assert.Equal(["virtio_ring", "virtio_pci_modern_dev", "virtio_pci_legacy_dev", "virtio", "virtio_pci", "irqbypass", "kvm", "kvm_amd"], names);
    }

    [Fact]
    public async Task ModulesDepListsWhatLoadsFirstLast()
    {
        using var tmp = Tree();
        var modules = await KernelModules.Read(tmp.Path).ClosureAsync(["virtio_pci"], CancellationToken.None);
        var line = KernelModules.ModulesDep(modules).Split('\n').Single(l => l.StartsWith("kernel/drivers/virtio/virtio_pci.ko:", StringComparison.Ordinal));
        // modprobe loads from the right: virtio_ring must come before virtio.
        Assert.Equal("kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_pci_legacy_dev.ko "
            + "kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio_ring.ko", line);
    }

    [Fact]
    public async Task AModuleThatIsNeitherFileNorBuiltinIsNamed()
    {
        using var tmp = Tree();
        var e = await Assert.ThrowsAsync<UserErrorException>(() => KernelModules.Read(tmp.Path).ClosureAsync(["9p"], CancellationToken.None));
        Assert.Contains("module 9p is neither a file", e.Message);
    }
}
