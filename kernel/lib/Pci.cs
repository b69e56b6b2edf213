namespace Kernel
{
    /// <summary>
    /// PCI configuration space (PCI Local Bus Spec 3.0 ch. 6; PCI Express Base 4.0 7.2).
    /// Two access methods, chosen by <see cref="Init"/>: configuration mechanism #1 through
    /// ports 0xCF8/0xCFC (q35, pc), or ECAM, memory-mapped, at the base the ACPI MCFG
    /// table gives, else at QEMU microvm's fixed base (microvm with pcie=on has no 0xCF8
    /// and lists no MCFG). A function is named by its
    /// routing ID, bus[15:8] device[7:3] function[2:0] (<see cref="Bdf"/>), an int, so no
    /// structure is ever copied.
    /// </summary>
    public static unsafe partial class Pci
    {
        public const int MechanismNone = 0, MechanismPortIo = 1, MechanismEcam = 2;
        /// <summary>How configuration space is reached; <see cref="MechanismNone"/> until Init found one.</summary>
        public static int Mechanism;
        public static ulong EcamBase;
        public static int EcamStartBus, EcamEndBus;

        // ---- configuration mechanism #1 (PCI 3.0 3.2.2.3.2) ----
        public const ushort ConfigAddressPort = 0xCF8;
        public const ushort ConfigDataPort = 0xCFC;
        public const uint ConfigAddressEnable = 1u << 31;
        private const int PortBusShift = 16, PortDeviceShift = 11, PortFunctionShift = 8;
        private const uint PortRegisterMask = 0xFC;

        // ---- ECAM (PCIe 4.0 7.2.2, table 7-1) ----
        private const int EcamBusShift = 20, EcamDeviceShift = 15, EcamFunctionShift = 12;
        private const uint EcamRegisterMask = 0xFFC;
        /// <summary>Configuration space of one function: 256 bytes (PCI), 4 KiB (PCIe, ECAM only).</summary>
        public const int ConfigSpaceSize = 256;

        // ---- MCFG (PCI Firmware Spec 3.0 4.1.2) ----
        private const int McfgReservedBytes = 8;
        private const int McfgAllocationsOffset = Acpi.HeaderSize + McfgReservedBytes;
        private const int McfgAllocationSize = 16;
        private const int McfgSegmentOffset = 8, McfgStartBusOffset = 10, McfgEndBusOffset = 11;

        // ---- routing ID ----
        public const int MaxDevices = 32, MaxFunctions = 8;
        private const int BdfBusShift = 8, BdfDeviceShift = 3;
        private const int BdfDeviceMask = 0x1F, BdfFunctionMask = 0x7, BdfBusMask = 0xFF;
        /// <summary>No function: what the Find functions return when nothing matched.</summary>
        public const int NotFound = -1;

        // ---- type 0 header (PCI 3.0 6.1, fig. 6-1) ----
        public const int VendorId = 0x00;
        public const int DeviceId = 0x02;
        public const int Command = 0x04;
        public const int Status = 0x06;
        public const int RevisionId = 0x08;
        public const int ClassCode = 0x09;          // prog-if 0x09, subclass 0x0A, class 0x0B
        public const int HeaderType = 0x0E;
        public const int Bar0 = 0x10;
        public const int BarCount = 6;
        public const int BarSize = 4;
        public const int CapabilitiesPointer = 0x34;
        public const int InterruptLine = 0x3C;
        public const int InterruptPin = 0x3D;

        /// <summary>Vendor ID read from an empty slot (master abort returns all ones).</summary>
        public const ushort NoVendor = 0xFFFF;
        public const uint HeaderTypeMultiFunction = 1u << 7;
        public const uint HeaderTypeMask = 0x7F;
        public const uint HeaderTypeNormal = 0;

        // ---- command register (PCI 3.0 6.2.2) ----
        public const ushort CommandIoSpace = 1 << 0;
        public const ushort CommandMemorySpace = 1 << 1;
        public const ushort CommandBusMaster = 1 << 2;
        public const ushort CommandInterruptDisable = 1 << 10;

        // ---- status register ----
        public const ushort StatusCapabilitiesList = 1 << 4;

        // ---- capability list (PCI 3.0 6.7) ----
        public const int CapabilityNext = 1;
        private const uint CapabilityPointerMask = 0xFC;
        /// <summary>Walk limit: 48 capabilities fit in the 192 bytes after the header.</summary>
        private const int MaxCapabilities = 48;
        private const int FirstCapabilityOffset = 0x40;
        public const int CapabilityIdPowerManagement = 0x01;
        public const int CapabilityIdMsi = 0x05;
        public const int CapabilityIdPciExpress = 0x10;
        public const int CapabilityIdMsiX = 0x11;

        // =====================================================================
        // Access
        // =====================================================================

        public static int Bdf(int bus, int device, int function) =>
            (bus << BdfBusShift) | (device << BdfDeviceShift) | function;
        public static int BusOf(int bdf) => (bdf >> BdfBusShift) & BdfBusMask;
        public static int DeviceOf(int bdf) => (bdf >> BdfDeviceShift) & BdfDeviceMask;
        public static int FunctionOf(int bdf) => bdf & BdfFunctionMask;

        /// <summary>
        /// Finds a configuration mechanism: #1 when the 0xCF8 probe reads back its enable
        /// bit (as Linux' pci_check_type1 does), else ECAM from the ACPI MCFG table, else
        /// ECAM at microvm's base if a function answers there. Returns false (Mechanism =
        /// None) when none exists, e.g. microvm without pcie=on.
        /// </summary>
        public static bool Init()
        {
            if (Mechanism != MechanismNone) return true;
            // `pci=ecam` on the command line skips the port probe (to exercise ECAM on q35).
            if (!CommandLine.Is("pci", "ecam") && PortMechanismPresent()) Mechanism = MechanismPortIo;
            else if (EcamFromMcfg()) { Mechanism = MechanismEcam; s_ecamSource = EcamSourceMcfg; }
            else if (EcamAtMicrovmBase()) { Mechanism = MechanismEcam; s_ecamSource = EcamSourceMicrovm; }
            return Mechanism != MechanismNone;
        }

        /// <summary>
        /// QEMU microvm with pcie=on (QEMU 7.2) lists no MCFG, only FACP and APIC: its GPEX
        /// host's ECAM is at the fixed PCIE_ECAM_BASE of include/hw/i386/microvm.h,
        /// 256 buses. Taken only if a function answers at 00:00.0 there (the GPEX host
        /// bridge); unbacked addresses read all zeros or all ones.
        /// </summary>
        public const ulong MicrovmEcamBase = 0xE000_0000;
        public const int MicrovmEcamLastBus = 0xFF;

        private static bool EcamAtMicrovmBase()
        {
            EcamBase = MicrovmEcamBase;
            EcamStartBus = 0;
            EcamEndBus = MicrovmEcamLastBus;
            Mechanism = MechanismEcam;
            bool present = Exists(Bdf(0, 0, 0));
            Mechanism = MechanismNone;
            if (!present) EcamBase = 0;
            return present;
        }

        private const int EcamSourceNone = 0, EcamSourceMcfg = 1, EcamSourceMicrovm = 2;
        private static int s_ecamSource;

        private static bool PortMechanismPresent()
        {
            uint saved = Cpu.InL(ConfigAddressPort);
            Cpu.OutL(ConfigAddressPort, ConfigAddressEnable);
            uint back = Cpu.InL(ConfigAddressPort);
            Cpu.OutL(ConfigAddressPort, saved);
            return back == ConfigAddressEnable;
        }

        private static bool EcamFromMcfg()
        {
            byte* mcfg = Acpi.FindTable("MCFG");
            if (mcfg == null) return false;
            uint length = Acpi.LengthOf(mcfg);
            for (uint off = McfgAllocationsOffset; off + McfgAllocationSize <= length; off += McfgAllocationSize)
            {
                byte* a = mcfg + off;
                ulong baseAddress = *(ulong*)a;
                // Segment group 0 only (offset 8); the base must be inside the identity map.
                if (*(ushort*)(a + McfgSegmentOffset) != 0 || baseAddress == 0 || baseAddress >= Acpi.IdentityMapLimit) continue;
                EcamBase = baseAddress;
                EcamStartBus = a[McfgStartBusOffset];
                EcamEndBus = a[McfgEndBusOffset];
                return true;
            }
            return false;
        }

        public static string MechanismName =>
            Mechanism == MechanismPortIo ? "port-cf8"
            : Mechanism != MechanismEcam ? "none"
            : s_ecamSource == EcamSourceMcfg ? "ecam-mcfg" : "ecam-microvm";

        private static uint PortAddress(int bdf, int offset) =>
            ConfigAddressEnable | ((uint)BusOf(bdf) << PortBusShift) | ((uint)DeviceOf(bdf) << PortDeviceShift)
            | ((uint)FunctionOf(bdf) << PortFunctionShift) | ((uint)offset & PortRegisterMask);

        private static ulong EcamAddress(int bdf, int offset) =>
            EcamBase + ((ulong)(BusOf(bdf) - EcamStartBus) << EcamBusShift) + ((ulong)DeviceOf(bdf) << EcamDeviceShift)
            + ((ulong)FunctionOf(bdf) << EcamFunctionShift) + ((uint)offset & EcamRegisterMask);

        /// <summary>
        /// One aligned dword of configuration space. Port I/O is two accesses: callers on
        /// several CPUs must not interleave (the tests configure devices from the BSP only).
        /// </summary>
        public static uint Read32(int bdf, int offset)
        {
            if (Mechanism == MechanismEcam)
            {
                int bus = BusOf(bdf);
                if (bus < EcamStartBus || bus > EcamEndBus) return uint.MaxValue;
                return Cpu.MmioRead32(EcamAddress(bdf, offset));
            }
            if (Mechanism == MechanismPortIo)
            {
                Cpu.OutL(ConfigAddressPort, PortAddress(bdf, offset));
                return Cpu.InL(ConfigDataPort);
            }
            return uint.MaxValue;
        }

        public static void Write32(int bdf, int offset, uint value)
        {
            if (Mechanism == MechanismEcam)
            {
                int bus = BusOf(bdf);
                if (bus >= EcamStartBus && bus <= EcamEndBus) Cpu.MmioWrite32(EcamAddress(bdf, offset), value);
            }
            else if (Mechanism == MechanismPortIo)
            {
                Cpu.OutL(ConfigAddressPort, PortAddress(bdf, offset));
                Cpu.OutL(ConfigDataPort, value);
            }
        }

        private const int BitsPerByte = 8;
        private const int WordAlignMask = 2, ByteAlignMask = 3, DwordMask = ~3;
        private const uint WordMask = 0xFFFF;

        public static ushort Read16(int bdf, int offset) =>
            (ushort)(Read32(bdf, offset & DwordMask) >> ((offset & WordAlignMask) * BitsPerByte));

        public static byte Read8(int bdf, int offset) =>
            (byte)(Read32(bdf, offset & DwordMask) >> ((offset & ByteAlignMask) * BitsPerByte));

        /// <summary>
        /// A 16-bit write done as a dword read-modify-write (MmioWrite32 is the only MMIO
        /// store). The other half is written back as read, except the status register
        /// (offset 6), whose bits are write-one-to-clear: it is written as 0, which changes
        /// nothing. Not for other registers with write-one-to-clear neighbours.
        /// </summary>
        public static void Write16(int bdf, int offset, ushort value)
        {
            int aligned = offset & DwordMask;
            int shift = (offset & WordAlignMask) * BitsPerByte;
            uint dword = aligned == Command ? Read16(bdf, Command) : Read32(bdf, aligned);
            dword = (dword & ~(WordMask << shift)) | ((uint)value << shift);
            Write32(bdf, aligned, dword);
        }

        public static ushort VendorOf(int bdf) => Read16(bdf, VendorId);
        public static ushort DeviceIdOf(int bdf) => Read16(bdf, DeviceId);
        public static bool Exists(int bdf)
        {
            ushort v = VendorOf(bdf);
            // Unbacked ECAM or port space may read all zeros instead of all ones.
            return v != NoVendor && v != 0;
        }

        // =====================================================================
        // Enumeration
        // =====================================================================

        /// <summary>
        /// Scans bus 0 (every device, every function of multi-function devices) for the
        /// <paramref name="index"/>-th function with this vendor and device ID; returns its
        /// routing ID or <see cref="NotFound"/>.
        /// </summary>
        public static int Find(ushort vendor, ushort device, int index = 0)
        {
            for (int bdf = NextFunction(NotFound); bdf != NotFound; bdf = NextFunction(bdf))
                if (VendorOf(bdf) == vendor && DeviceIdOf(bdf) == device && index-- == 0) return bdf;
            return NotFound;
        }

        /// <summary>Functions present on bus 0.</summary>
        public static int CountFunctions()
        {
            int n = 0;
            for (int bdf = NextFunction(NotFound); bdf != NotFound; bdf = NextFunction(bdf)) n++;
            return n;
        }

        /// <summary>
        /// The present function on bus 0 after <paramref name="bdf"/> (the first one when it is
        /// <see cref="NotFound"/>), in device then function order, looking past function 0
        /// only on multi-function devices; <see cref="NotFound"/> after the last.
        /// </summary>
        public static int NextFunction(int bdf)
        {
            if (Mechanism == MechanismNone) return NotFound;
            int bus = Mechanism == MechanismEcam ? EcamStartBus : 0;
            int d = bdf == NotFound ? 0 : DeviceOf(bdf);
            int f = bdf == NotFound ? 0 : FunctionOf(bdf) + 1;
            for (; d < MaxDevices; d++, f = 0)
            {
                if (!Exists(Bdf(bus, d, 0))) continue;
                int functions = IsMultiFunction(Bdf(bus, d, 0)) ? MaxFunctions : 1;
                for (; f < functions; f++)
                    if (Exists(Bdf(bus, d, f))) return Bdf(bus, d, f);
            }
            return NotFound;
        }

        public static bool IsMultiFunction(int bdf) => (Read8(bdf, HeaderType) & HeaderTypeMultiFunction) != 0;

        // =====================================================================
        // Command register
        // =====================================================================

        public static ushort ReadCommand(int bdf) => Read16(bdf, Command);

        /// <summary>Writes the command register; the status half of the dword is written as 0 (RW1C: no change).</summary>
        public static void WriteCommand(int bdf, ushort value) => Write32(bdf, Command, value);

        public static void SetCommandBits(int bdf, ushort bits) => WriteCommand(bdf, (ushort)(ReadCommand(bdf) | bits));

        // =====================================================================
        // Capabilities
        // =====================================================================

        /// <summary>Offset of the first capability with <paramref name="id"/>, or 0 (bounded walk).</summary>
        public static int FindCapability(int bdf, int id)
        {
            if ((Read16(bdf, Status) & StatusCapabilitiesList) == 0) return 0;
            int offset = (int)(Read8(bdf, CapabilitiesPointer) & CapabilityPointerMask);
            for (int n = 0; n < MaxCapabilities && offset >= FirstCapabilityOffset; n++)
            {
                if (Read8(bdf, offset) == id) return offset;
                offset = (int)(Read8(bdf, offset + CapabilityNext) & CapabilityPointerMask);
            }
            return 0;
        }
    }
}
