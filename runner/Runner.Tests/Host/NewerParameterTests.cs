using Runner.Host;
using Runner.Tests.Support;

namespace Runner.Tests.Host;

/// <summary>Parameters newer kernels added (kvm_amd enable_ipiv, avic auto, kvm_intel enable_device_posted_irqs).</summary>
public class NewerParameterTests
{
    /// <summary>A copy of a recorded tree with some kvm_amd parameters replaced (the changes are hand-made).</summary>
    static string AmdTreeWith(params (string Name, string Value)[] parameters)
    {
        var dir = Directory.CreateTempSubdirectory("ktest-params-").FullName;
        CopyDir(Fixtures.Tree("kvm-amd-l1-tcg-6.12"), dir);
        foreach (var (name, value) in parameters)
            File.WriteAllText(Path.Combine(dir, "sys/module/kvm_amd/parameters", name), value + "\n");
        return dir;
    }

    static void CopyDir(string from, string to)
    {
        foreach (var d in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, d)));
        foreach (var f in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(f, Path.Combine(to, Path.GetRelativePath(from, f)));
    }

    [Fact]
    public void ThePublishedSierraForestListingHasApicvAndIpiv()
    {
        var caps = HostProbe.ProbeFiles(Fixtures.Tree("intel-sierra-forest-published"));
        Assert.Equal("kvm_intel", caps.Backend);
        Assert.True(caps.Apicv.Available);
        Assert.True(caps.Ipiv.Available);
        var state = VirtState.Read(caps.Modules);
        Assert.True(state.Apicv);
        Assert.True(state.Ipiv);
        // That kernel predates enable_device_posted_irqs: it is left out, not shown as missing.
        Assert.DoesNotContain("enable_device_posted_irqs", state.Detail);
    }

    [Fact]
    public void KvmAmdEnableIpivOffMeansAvicWithoutIpiAcceleration()
    {
        var dir = AmdTreeWith(("avic", "Y"), ("enable_ipiv", "N"));
        var state = VirtState.Read(HostProbe.ProbeFiles(dir).Modules);
        Assert.True(state.Apicv);
        Assert.False(state.Ipiv);
        Assert.Contains("enable_ipiv=N", state.Detail);
    }

    [Fact]
    public void AvicAutoIsTakenAsOnAndLeftToTheInVmTrace()
    {
        var dir = AmdTreeWith(("avic", "-1"));
        var caps = HostProbe.ProbeFiles(dir);
        var state = VirtState.Read(caps.Modules);
        Assert.True(state.Apicv);
        Assert.Contains("auto", state.Detail);
        // The recorded L1 CPU lists no avic flag: auto cannot have turned it on.
        Assert.False(caps.Avic.Available);
        Assert.Contains("(auto) on a CPU whose flags lack avic", caps.Avic.Detail);
    }

    [Fact]
    public void WithEnableIpivApicvOnIpivOffIsAPlanNotARefusal()
    {
        var dir = AmdTreeWith(("avic", "Y"), ("enable_ipiv", "Y"));
        var caps = HostProbe.ProbeFiles(dir);
        var cpu = caps.Cpu with { Flags = new HashSet<string>(caps.Cpu.Flags) { "avic" } };
        var plan = KvmReloadPlanner.Plan(caps.Modules, cpu, new VirtWant(false, Want.On));
        Assert.Null(plan.Impossible);
        Assert.Equal("0", plan.Plan!.Set["enable_ipiv"]);
        Assert.False(plan.Plan.Set.ContainsKey("avic"));
    }
}
