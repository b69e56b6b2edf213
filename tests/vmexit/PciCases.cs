using Kernel;

/// <summary>
/// kvm-unit-tests' pci-mem and pci-io cases: one case per test the pci-testdev device
/// describes in each BAR (a write QEMU handles in user space, or one KVM completes through
/// an ioeventfd), named pci-mem-N / pci-io-N with the device's own name in an info line.
/// </summary>
internal static unsafe class PciCases
{
    private static ulong s_address;
    private static ushort s_port;
    private static uint s_data;

    public static void Run()
    {
        bool open = PciTestDev.Open();
        if (!open)
        {
            BenchSuite.Case("pci-mem", null, &Absent, null, CaseFlags.None, null);
            BenchSuite.Case("pci-io", null, &Absent, null, CaseFlags.None, null);
            return;
        }
        for (int i = 0; i < PciTestDev.MaxTests; i++)
        {
            string? name = MemName(i);
            int width = PciTestDev.SelectMemory(i);
            if (name == null || width == 0) break;
            if (!BenchSuite.Selected(name)) continue;
            s_address = PciTestDev.Mmio + PciTestDev.MemoryHeader(PciTestDev.HeaderOffset);
            s_data = PciTestDev.MemoryHeader(PciTestDev.HeaderData);
            Report.Info("bench.", name, ".test", PciTestDev.MemoryName, PciTestDev.NameMax);
            BenchSuite.Case(name, width == 1 ? &Mem8 : width == 2 ? &Mem16 : &Mem32, null, null, CaseFlags.None, null);
        }
        if (PciTestDev.IoBase == 0)
        {
            BenchSuite.Case("pci-io", null, &NoIoBar, null, CaseFlags.None, null);
            return;
        }
        for (int i = 0; i < PciTestDev.MaxTests; i++)
        {
            string? name = IoName(i);
            int width = PciTestDev.SelectIo(i);
            if (name == null || width == 0) break;
            if (!BenchSuite.Selected(name)) continue;
            s_port = (ushort)(PciTestDev.IoBase + PciTestDev.IoHeader(PciTestDev.HeaderOffset));
            s_data = PciTestDev.IoHeader(PciTestDev.HeaderData);
            BenchSuite.Case(name, width == 1 ? &Io8 : width == 2 ? &Io16 : &Io32, null, null, CaseFlags.None, null);
        }
    }

    private static string? Absent() => PciTestDev.Problem;
    private static string? NoIoBar() => "pci-testdev's I/O BAR is unusable: port I/O does not reach this machine's PCI host (microvm), or its window is full; use -M q35";

    // Plain stores through a pointer: the compiler keeps every one (BAR0 is mapped uncached).
    private static void Mem8() => *(byte*)s_address = (byte)s_data;
    private static void Mem16() => *(ushort*)s_address = (ushort)s_data;
    private static void Mem32() => *(uint*)s_address = s_data;
    private static void Io8() => Cpu.OutB(s_port, (byte)s_data);
    private static void Io16() => Cpu.OutW(s_port, (ushort)s_data);
    private static void Io32() => Cpu.OutL(s_port, s_data);

    private static string? MemName(int i)
    {
        switch (i)
        {
            case 0: return "pci-mem-0";
            case 1: return "pci-mem-1";
            case 2: return "pci-mem-2";
            case 3: return "pci-mem-3";
            case 4: return "pci-mem-4";
            case 5: return "pci-mem-5";
            default: return null;
        }
    }

    private static string? IoName(int i)
    {
        switch (i)
        {
            case 0: return "pci-io-0";
            case 1: return "pci-io-1";
            case 2: return "pci-io-2";
            case 3: return "pci-io-3";
            case 4: return "pci-io-4";
            case 5: return "pci-io-5";
            default: return null;
        }
    }
}
