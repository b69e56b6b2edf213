namespace Kernel
{
    /// <summary>
    /// QEMU's educational PCI device, `-device edu` (QEMU docs/specs/edu.rst,
    /// hw/misc/edu.c): vendor 0x1234, device 0x11e8, BAR0 a 1 MiB 32-bit memory BAR of
    /// 32-bit registers. Writing a value to the interrupt raise register ORs it into the
    /// interrupt status and raises the interrupt: INTx, or with MSI enabled one MSI per
    /// write (msi_notify, single vector, 64-bit address, no per-vector masking). The
    /// handler acknowledges by writing the status bits to the acknowledge register.
    /// </summary>
    public static unsafe class Edu
    {
        public const ushort VendorQemu = 0x1234;        // PCI_VENDOR_ID_QEMU
        public const ushort DeviceEdu = 0x11E8;
        public const ulong Bar0Size = 1 << 20;

        // ---- BAR0 registers (edu.rst "MMIO area spec"; 32-bit accesses below 0x80) ----
        /// <summary>RO: 0xRRrr00ED, RR major and rr minor version.</summary>
        public const int Identification = 0x00;
        /// <summary>RW: reads back the bitwise inverse of what was written.</summary>
        public const int Liveness = 0x04;
        public const int Factorial = 0x08;
        public const int StatusRegister = 0x20;
        /// <summary>RO: the values that raised the interrupt (OR of raise writes not yet acknowledged).</summary>
        public const int InterruptStatus = 0x24;
        /// <summary>WO: ORs the value into the interrupt status and raises the interrupt.</summary>
        public const int InterruptRaise = 0x60;
        /// <summary>WO: clears the value's bits from the interrupt status (INTx: lowers the line when 0).</summary>
        public const int InterruptAcknowledge = 0x64;
        public const int DmaSource = 0x80, DmaDestination = 0x88, DmaCount = 0x90, DmaCommand = 0x98;

        public const uint IdentificationMagicMask = 0xFFFF;
        public const uint IdentificationMagic = 0x00ED;
        public const int IdentificationMajorShift = 24, IdentificationMinorShift = 16;
        public const uint IdentificationVersionMask = 0xFF;

        /// <summary>Routing ID of the device <see cref="Open"/> found, or Pci.NotFound.</summary>
        public static int Bdf = Pci.NotFound;
        /// <summary>Identity-mapped BAR0, 0 until opened.</summary>
        public static ulong Mmio;
        /// <summary>Offset of the MSI capability, 0 if none.</summary>
        public static int MsiCap;

        private static int s_problem;
        private const int ProblemNone = 0, ProblemNoPci = 1, ProblemAbsent = 2, ProblemBar = 3, ProblemNoMsi = 4;

        /// <summary>Why <see cref="Open"/> failed, for a skip or fail reason.</summary>
        public static string Problem
        {
            get
            {
                switch (s_problem)
                {
                    case ProblemNoPci: return "no PCI configuration mechanism: no 0xCF8 ports, no ACPI MCFG, no microvm ECAM (use -M microvm,pcie=on or -M q35)";
                    case ProblemAbsent: return "no edu device (1234:11e8) on PCI bus 0: add -device edu";
                    case ProblemBar: return "edu BAR0 could not be sized or placed below 4 GiB";
                    case ProblemNoMsi: return "edu has no MSI capability (ID 0x05)";
                    default: return "none";
                }
            }
        }

        /// <summary>True when PCI works but no edu is plugged in (a SKIP, not a failure).</summary>
        public static bool Absent => s_problem == ProblemNoPci || s_problem == ProblemAbsent;

        /// <summary>
        /// Finds the first edu, places and enables BAR0, finds its MSI capability. MSI
        /// itself stays off until <see cref="ProgramMsi"/>.
        /// </summary>
        public static bool Open()
        {
            if (Mmio != 0) return true;
            if (!Pci.Init()) { s_problem = ProblemNoPci; return false; }
            int bdf = Pci.Find(VendorQemu, DeviceEdu);
            if (bdf == Pci.NotFound) { s_problem = ProblemAbsent; return false; }
            ulong mmio = Pci.MapMemoryBar(bdf, 0);
            if (mmio == 0) { s_problem = ProblemBar; return false; }
            Bdf = bdf;
            MsiCap = Pci.FindCapability(bdf, Pci.CapabilityIdMsi);
            Mmio = mmio;
            if (MsiCap == 0) { s_problem = ProblemNoMsi; return false; }
            s_problem = ProblemNone;
            return true;
        }

        public static uint Read(int register) => Cpu.MmioRead32(Mmio + (ulong)register);
        public static void Write(int register, uint value) => Cpu.MmioWrite32(Mmio + (ulong)register, value);

        public static uint Id => Read(Identification);
        public static uint Status => Read(InterruptStatus);

        /// <summary>Raise: one MSI (or INTx assertion) per call, <paramref name="value"/> ORed into the status.</summary>
        public static void Raise(uint value) => Write(InterruptRaise, value);
        public static void Acknowledge(uint value) => Write(InterruptAcknowledge, value);

        /// <summary>
        /// The acknowledge register, for a handler that may write only rax, rcx and rdx (a light
        /// lean entry's, <see cref="LeanIdt.InstallLight"/>): a 32-bit store through it is the MMIO
        /// write <see cref="Acknowledge"/> makes, without its call's argument registers.
        /// </summary>
        public static uint* AcknowledgeRegister => (uint*)(Mmio + InterruptAcknowledge);

        /// <summary>MSI to <paramref name="apicId"/> (physical, fixed, edge) on <paramref name="vector"/>, enabled.</summary>
        public static void ProgramMsi(uint apicId, int vector) => Msi.Program(Bdf, MsiCap, apicId, vector);
        public static void DisableMsi() => Msi.Disable(Bdf, MsiCap);
        public static void EnableMsi() => Msi.Enable(Bdf, MsiCap);
    }
}
