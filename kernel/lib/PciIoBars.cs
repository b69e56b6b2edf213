namespace Kernel
{
    /// <summary>
    /// I/O base address registers (PCI Local Bus Spec 3.0 6.2.5.1): their size, and placing
    /// the ones firmware left unassigned in a fixed port window, so a device's I/O BAR works
    /// the same after SeaBIOS (which assigns it) and after qboot (which does not).
    /// </summary>
    public static unsafe partial class Pci
    {
        public const uint BarIoAddressMask = 0xFFFFFFFC;
        /// <summary>x86 port space is 16 bits: an I/O BAR may hardwire the upper half of its address to 0.</summary>
        private const uint PortSpaceMask = 0xFFFF;

        // ---- where unassigned I/O BARs go ----
        /// <summary>
        /// The ports SeaBIOS gives PCI I/O BARs on pc and q35: above the ISA devices and the
        /// chipset's own blocks (q35's ACPI PM block sits at 0x600, its hotplug registers at
        /// 0xcc0-0xcf7, the configuration ports at 0xcf8-0xcff), to the top of port space.
        /// </summary>
        public const uint IoWindowBase = 0xC000;
        public const uint IoWindowEnd = 0x1_0000;
        private static uint s_nextIo;

        public static bool IsIoBar(int bdf, int bar) => (Read32(bdf, BarOffset(bar)) & BarIoSpace) != 0;

        public static ushort IoBarAddress(int bdf, int bar) => (ushort)(Read32(bdf, BarOffset(bar)) & BarIoAddressMask & PortSpaceMask);

        /// <summary>Size of an I/O BAR by the sizing protocol, with I/O decode off; 0 if not implemented.</summary>
        public static uint IoBarSize(int bdf, int bar)
        {
            int off = BarOffset(bar);
            ushort command = ReadCommand(bdf);
            WriteCommand(bdf, (ushort)(command & ~(CommandMemorySpace | CommandIoSpace)));
            uint mask = SizingReadBack(bdf, off) & BarIoAddressMask & PortSpaceMask;
            WriteCommand(bdf, command);
            return mask == 0 ? 0 : (~mask & PortSpaceMask) + 1;
        }

        /// <summary>
        /// Makes an I/O BAR usable: if it is unassigned (0), gives it a naturally aligned base
        /// in <see cref="IoWindowBase"/>'s window above every I/O BAR already there; then
        /// enables I/O decode. Only where port I/O reaches PCI (configuration mechanism #1: pc
        /// and q35; microvm's PCIe host has no port window). Returns the base, or 0.
        /// </summary>
        public static ushort MapIoBar(int bdf, int bar)
        {
            if (Mechanism != MechanismPortIo || !IsIoBar(bdf, bar)) return 0;
            uint size = IoBarSize(bdf, bar);
            if (size == 0) return 0;
            uint address = IoBarAddress(bdf, bar);
            if (address == 0)
            {
                if (s_nextIo == 0) s_nextIo = FirstFreeInIoWindow();
                uint aligned = (s_nextIo + size - 1) & ~(size - 1);
                if (aligned + size > IoWindowEnd) return 0;
                s_nextIo = aligned + size;
                address = aligned;
                MoveBar(bdf, bar, CommandIoSpace, address | BarIoSpace, clearUpper: false);
            }
            SetCommandBits(bdf, CommandIoSpace);
            return (ushort)address;
        }

        /// <summary>The first port in the I/O window above every I/O BAR on bus 0 that lies in it.</summary>
        private static uint FirstFreeInIoWindow()
        {
            uint next = IoWindowBase;
            for (int bdf = NextFunction(NotFound); bdf != NotFound; bdf = NextFunction(bdf))
            {
                if ((Read8(bdf, HeaderType) & HeaderTypeMask) != HeaderTypeNormal) continue;
                for (int b = 0; b < BarCount; b++)
                {
                    uint raw = Read32(bdf, BarOffset(b));
                    if ((raw & BarIoSpace) == 0)
                    {
                        if ((raw & BarMemoryTypeMask) == BarMemoryType64) b++;
                        continue;
                    }
                    uint a = raw & BarIoAddressMask & PortSpaceMask;
                    if (a >= IoWindowBase)
                    {
                        uint end = a + IoBarSize(bdf, b);
                        if (end > next) next = end;
                    }
                }
            }
            return next;
        }
    }
}
