namespace Kernel
{
    /// <summary>
    /// Memory base address registers (PCI Local Bus Spec 3.0 6.2.5.1): reading their address
    /// and size, and placing the ones firmware left unassigned in a fixed 32-bit window.
    /// </summary>
    public static unsafe partial class Pci
    {
        // ---- base address registers (PCI 3.0 6.2.5.1) ----
        public const uint BarIoSpace = 1u << 0;
        public const uint BarMemoryTypeMask = 3u << 1;
        public const uint BarMemoryType32 = 0u << 1;
        public const uint BarMemoryType64 = 2u << 1;
        public const uint BarPrefetchable = 1u << 3;
        public const uint BarMemoryAddressMask = 0xFFFFFFF0;
        private const uint BarSizingPattern = 0xFFFFFFFF;
        /// <summary>Upper half of a 32-bit BAR's size mask: such a BAR decodes nothing above 4 GiB.</summary>
        private const ulong UpperDwordOnes = 0xFFFF_FFFF_0000_0000;
        private const int DwordBits = 32;

        // ---- where unassigned memory BARs go ----
        /// <summary>
        /// 32-bit window for BARs firmware left at 0: QEMU microvm's PCIE_MMIO_BASE/SIZE
        /// (include/hw/i386/microvm.h), which also lies inside q35's 32-bit PCI hole. It is
        /// in the 4th GiB, mapped uncached by boot/pvh.asm.
        /// </summary>
        public const ulong MmioWindowBase = 0xC000_0000;
        public const ulong MmioWindowSize = 0x2000_0000;
        private static ulong s_nextMmio;

        public static int BarOffset(int bar) => Bar0 + bar * BarSize;

        public static bool IsMemoryBar(int bdf, int bar) => (Read32(bdf, BarOffset(bar)) & BarIoSpace) == 0;

        public static bool Is64BitBar(int bdf, int bar) =>
            (Read32(bdf, BarOffset(bar)) & (BarIoSpace | BarMemoryTypeMask)) == BarMemoryType64;

        /// <summary>The memory BAR's current base address (both halves for a 64-bit BAR).</summary>
        public static ulong MemoryBarAddress(int bdf, int bar)
        {
            uint low = Read32(bdf, BarOffset(bar));
            ulong address = low & BarMemoryAddressMask;
            if ((low & BarMemoryTypeMask) == BarMemoryType64 && bar + 1 < BarCount)
                address |= (ulong)Read32(bdf, BarOffset(bar + 1)) << DwordBits;
            return address;
        }

        /// <summary>
        /// Size of a memory BAR by the sizing protocol (PCI 3.0 6.2.5.1): with memory decode
        /// off, write all ones, read back the writable address bits, restore. 0 if the BAR
        /// is not implemented.
        /// </summary>
        public static ulong MemoryBarSize(int bdf, int bar)
        {
            int off = BarOffset(bar);
            ushort command = ReadCommand(bdf);
            WriteCommand(bdf, (ushort)(command & ~(CommandMemorySpace | CommandIoSpace)));
            bool is64 = (Read32(bdf, off) & BarMemoryTypeMask) == BarMemoryType64 && bar + 1 < BarCount;
            ulong mask = SizingReadBack(bdf, off) & BarMemoryAddressMask;
            if (is64) mask |= (ulong)SizingReadBack(bdf, off + BarSize) << DwordBits;
            else mask |= UpperDwordOnes;
            WriteCommand(bdf, command);
            return mask == UpperDwordOnes ? 0 : ~mask + 1;
        }

        /// <summary>
        /// Makes a memory BAR usable from the guest: if it is unassigned (0, as on microvm,
        /// which has no firmware) or outside the 4 GiB identity map, gives it a naturally
        /// aligned address in <see cref="MmioWindowBase"/>'s window above every BAR already
        /// there; then enables memory decode. Returns the base, or 0 when the BAR is not a
        /// memory BAR, has no size, or does not fit.
        /// </summary>
        public static ulong MapMemoryBar(int bdf, int bar)
        {
            if (!IsMemoryBar(bdf, bar)) return 0;
            ulong size = MemoryBarSize(bdf, bar);
            if (size == 0) return 0;
            ulong address = MemoryBarAddress(bdf, bar);
            if (address == 0 || address + size > Acpi.IdentityMapLimit)
            {
                if (s_nextMmio == 0) s_nextMmio = FirstFreeInWindow();
                ulong aligned = (s_nextMmio + size - 1) & ~(size - 1);
                if (aligned + size > MmioWindowBase + MmioWindowSize) return 0;
                s_nextMmio = aligned + size;
                address = aligned;
                uint low = (uint)address | (Read32(bdf, BarOffset(bar)) & ~BarMemoryAddressMask);
                MoveBar(bdf, bar, CommandMemorySpace, low, clearUpper: Is64BitBar(bdf, bar));
            }
            SetCommandBits(bdf, CommandMemorySpace);
            return address;
        }

        /// <summary>
        /// One dword of the sizing protocol: write all ones, read back which address bits are
        /// writable, restore. The caller has the BAR's decode off.
        /// </summary>
        private static uint SizingReadBack(int bdf, int off)
        {
            uint saved = Read32(bdf, off);
            Write32(bdf, off, BarSizingPattern);
            uint mask = Read32(bdf, off);
            Write32(bdf, off, saved);
            return mask;
        }

        /// <summary>
        /// Gives a BAR a new base with <paramref name="decode"/> (memory or I/O space) off meanwhile,
        /// so the device never decodes a half-written address; <paramref name="clearUpper"/> zeroes
        /// a 64-bit BAR's upper dword.
        /// </summary>
        private static void MoveBar(int bdf, int bar, ushort decode, uint low, bool clearUpper)
        {
            ushort command = ReadCommand(bdf);
            WriteCommand(bdf, (ushort)(command & ~decode));
            Write32(bdf, BarOffset(bar), low);
            if (clearUpper) Write32(bdf, BarOffset(bar + 1), 0);
            WriteCommand(bdf, command);
        }

        /// <summary>The first address in the BAR window above every memory BAR on bus 0 that lies in it.</summary>
        private static ulong FirstFreeInWindow()
        {
            ulong next = MmioWindowBase;
            for (int bdf = NextFunction(NotFound); bdf != NotFound; bdf = NextFunction(bdf))
            {
                if ((Read8(bdf, HeaderType) & HeaderTypeMask) != HeaderTypeNormal) continue;
                for (int b = 0; b < BarCount; b++)
                {
                    uint raw = Read32(bdf, BarOffset(b));
                    if ((raw & BarIoSpace) != 0) continue;
                    ulong a = MemoryBarAddress(bdf, b);
                    bool is64 = (raw & BarMemoryTypeMask) == BarMemoryType64;
                    if (a >= MmioWindowBase && a < MmioWindowBase + MmioWindowSize)
                    {
                        ulong end = a + MemoryBarSize(bdf, b);
                        if (end > next) next = end;
                    }
                    if (is64) b++;
                }
            }
            return next;
        }
    }
}
