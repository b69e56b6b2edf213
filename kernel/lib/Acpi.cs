using System.Runtime.InteropServices;

namespace Kernel
{
    /// <summary>
    /// Just enough ACPI (spec 6.5 ch. 5.2) to find one table by signature: the RSDP in
    /// the BIOS read-only area or the EBDA (5.2.5.1), then the XSDT or RSDT. Used for
    /// the PCI Express MCFG table (ECAM base). Tables are in RAM below 4 GiB on QEMU,
    /// inside the identity map.
    /// </summary>
    public static unsafe class Acpi
    {
        // 5.2.5.1: the RSDP is on a 16-byte boundary in the first KiB of the EBDA or in 0xE0000-0xFFFFF.
        private const ulong BiosAreaStart = 0xE0000, BiosAreaEnd = 0x100000;
        [DllImport("*"), SuppressGCTransition] private static extern ushort bios_ebda_segment();
        private const int EbdaSearchBytes = 1024;
        private const int RsdpAlignment = 16;
        private const int SegmentShift = 4;
        private const ulong EbdaLimit = 0xA0000;

        // RSDP layout (5.2.5.3).
        private const int RsdpChecksumLength = 20;
        private const int RsdpRevisionOffset = 15;
        private const int RsdpRsdtOffset = 16;
        private const int RsdpXsdtOffset = 24;
        private const int RsdpAcpi2Revision = 2;

        // System description table header (5.2.6).
        public const int HeaderSize = 36;
        private const int HeaderLengthOffset = 4;
        private const int SignatureLength = 4;
        private const uint MaxTableLength = 1 << 20;

        /// <summary>boot/pvh.asm identity-maps the first 4 GiB: tables above cannot be read.</summary>
        public const ulong IdentityMapLimit = 0x1_0000_0000;

        private static ulong s_rsdp;

        /// <summary>Physical address of the RSDP, or 0 when none was found.</summary>
        public static ulong Rsdp
        {
            get
            {
                if (s_rsdp == 0) s_rsdp = FindRsdp();
                return s_rsdp;
            }
        }

        private static ulong FindRsdp()
        {
            // boot/pvh.asm read the pointer before paging: page 0 is unmapped.
            ulong ebda = (ulong)bios_ebda_segment() << SegmentShift;
            if (ebda != 0 && ebda < EbdaLimit)
            {
                ulong found = ScanRsdp(ebda, ebda + EbdaSearchBytes);
                if (found != 0) return found;
            }
            return ScanRsdp(BiosAreaStart, BiosAreaEnd);
        }

        private static ulong ScanRsdp(ulong start, ulong end)
        {
            const string signature = "RSD PTR ";
            for (ulong p = start; p + RsdpChecksumLength <= end; p += RsdpAlignment)
            {
                byte* b = (byte*)p;
                int i = 0;
                while (i < signature.Length && b[i] == signature[i]) i++;
                if (i == signature.Length && Checksum(b, RsdpChecksumLength) == 0) return p;
            }
            return 0;
        }

        private static byte Checksum(byte* p, uint length)
        {
            byte sum = 0;
            for (uint i = 0; i < length; i++) sum += p[i];
            return sum;
        }

        /// <summary>Length field of the table at <paramref name="table"/>.</summary>
        public static uint LengthOf(byte* table) => *(uint*)(table + HeaderLengthOffset);

        /// <summary>
        /// The first table whose signature is <paramref name="signature"/> (4 characters)
        /// with a valid checksum, through the XSDT (ACPI 2.0+) or RSDT; null if none.
        /// </summary>
        public static byte* FindTable(string signature)
        {
            ulong rsdp = Rsdp;
            if (rsdp == 0) return null;
            byte* r = (byte*)rsdp;
            bool xsdt = r[RsdpRevisionOffset] >= RsdpAcpi2Revision && *(ulong*)(r + RsdpXsdtOffset) != 0;
            ulong root = xsdt ? *(ulong*)(r + RsdpXsdtOffset) : *(uint*)(r + RsdpRsdtOffset);
            if (root == 0 || root >= IdentityMapLimit) return null;
            byte* sdt = (byte*)root;
            uint length = LengthOf(sdt);
            if (length < HeaderSize || length > MaxTableLength) return null;
            int entrySize = xsdt ? sizeof(ulong) : sizeof(uint);
            int entries = (int)(length - HeaderSize) / entrySize;
            for (int e = 0; e < entries; e++)
            {
                byte* entry = sdt + HeaderSize + e * entrySize;
                ulong address = xsdt ? *(ulong*)entry : *(uint*)entry;
                if (address == 0 || address >= IdentityMapLimit) continue;
                byte* table = (byte*)address;
                int i = 0;
                while (i < SignatureLength && table[i] == signature[i]) i++;
                if (i != SignatureLength) continue;
                uint tableLength = LengthOf(table);
                if (tableLength < HeaderSize || tableLength > MaxTableLength) continue;
                if (Checksum(table, tableLength) == 0) return table;
            }
            return null;
        }
    }
}
