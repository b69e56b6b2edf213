namespace Kernel
{
    /// <summary>
    /// QEMU's `-device pci-testdev` (vendor 1b36 Red Hat, device 0005): BAR0 memory and BAR1
    /// I/O, each starting with a header that describes one of the device's tests. Writing a
    /// test index to the header's first byte selects it; the header then gives the access
    /// width, the offset in the BAR to write, the value to write, how often it was hit and
    /// the test's name (NUL-terminated). A width of 0 means there is no such test. QEMU backs
    /// the tests by plain dispatch to its own code or by ioeventfd, which KVM completes
    /// without leaving the kernel.
    /// </summary>
    public static unsafe class PciTestDev
    {
        public const ushort VendorRedHat = 0x1B36;
        public const ushort DeviceTest = 0x0005;
        public const int MemoryBar = 0, IoBar = 1;

        // Header (both BARs).
        public const int HeaderTest = 0, HeaderWidth = 1, HeaderOffset = 4, HeaderData = 8, HeaderCount = 12, HeaderName = 16;
        public const int NameMax = 32;
        public const int MaxTests = 16;

        public static int Bdf = Pci.NotFound;
        public static ulong Mmio;
        /// <summary>The I/O BAR's port base; 0 where port I/O does not reach PCI (microvm).</summary>
        public static ushort IoBase;

        private static int s_problem;
        private const int ProblemNone = 0, ProblemNoPci = 1, ProblemAbsent = 2, ProblemBar = 3;

        public static string Problem
        {
            get
            {
                switch (s_problem)
                {
                    case ProblemNoPci: return "no PCI configuration mechanism (use -M q35 or -M microvm,pcie=on)";
                    case ProblemAbsent: return "no pci-testdev (1b36:0005) on PCI bus 0: add -device pci-testdev";
                    case ProblemBar: return "pci-testdev BAR0 could not be placed below 4 GiB";
                    default: return "none";
                }
            }
        }

        /// <summary>Finds the device, places BAR0 and (where ports reach PCI) BAR1, enables their decode.</summary>
        public static bool Open()
        {
            if (Mmio != 0) return true;
            if (!Pci.Init()) { s_problem = ProblemNoPci; return false; }
            int bdf = Pci.Find(VendorRedHat, DeviceTest);
            if (bdf == Pci.NotFound) { s_problem = ProblemAbsent; return false; }
            ulong mmio = Pci.MapMemoryBar(bdf, MemoryBar);
            if (mmio == 0) { s_problem = ProblemBar; return false; }
            IoBase = Pci.MapIoBar(bdf, IoBar);
            Bdf = bdf;
            Mmio = mmio;
            s_problem = ProblemNone;
            return true;
        }

        /// <summary>Selects test <paramref name="index"/> in the memory BAR's header; its width (0: no such test).</summary>
        public static int SelectMemory(int index)
        {
            *(byte*)(Mmio + HeaderTest) = (byte)index;
            return *(byte*)(Mmio + HeaderWidth);
        }

        public static uint MemoryHeader(int field) => *(uint*)(Mmio + (ulong)field);
        public static byte* MemoryName => (byte*)(Mmio + HeaderName);

        /// <summary>Selects test <paramref name="index"/> in the I/O BAR's header; its width (0: no such test).</summary>
        public static int SelectIo(int index)
        {
            Cpu.OutB((ushort)(IoBase + HeaderTest), (byte)index);
            return Cpu.InB((ushort)(IoBase + HeaderWidth));
        }

        public static uint IoHeader(int field) => Cpu.InL((ushort)(IoBase + field));
    }
}
