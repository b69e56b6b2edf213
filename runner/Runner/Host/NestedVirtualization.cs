namespace Runner.Host;

/// <summary>
/// Whether this host can give an L1 guest hardware virtualization of its own (VMX or SVM
/// visible, kvm_intel/kvm_amd loaded with nested on). Without it an L1 host runs under TCG,
/// whose `-cpu max` emulates SVM, so L1 gets kvm_amd either way.
/// </summary>
public static class NestedVirtualization
{
    public static Capability Probe(HostCaps caps)
    {
        if (!caps.Kvm.Available)
            return Capability.No($"KVM unusable here ({caps.Kvm.Detail})");
        var module = caps.Modules.IsLoaded(KvmModules.Intel) ? KvmModules.Intel
            : caps.Modules.IsLoaded(KvmModules.Amd) ? KvmModules.Amd : null;
        if (module is null)
            return Capability.No($"the KVM backend is {caps.Backend}, which cannot run a hypervisor inside its guests");
        var flag = module == KvmModules.Intel ? "vmx" : "svm";
        if (!caps.Cpu.Has(flag))
            return Capability.No($"{module} is loaded but the CPU flags lack {flag}");
        var nested = caps.Modules.Parameter(module, "nested");
        if (!KvmModules.IsOn(nested))
            return Capability.No($"{module} loaded with nested={nested ?? "?"} (modprobe {module} nested=1)");
        return Capability.Yes($"{module} nested={nested}: L1 runs under KVM with -cpu host");
    }
}
