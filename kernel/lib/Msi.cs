namespace Kernel
{
    /// <summary>
    /// The MSI capability (PCI Local Bus Spec 3.0 6.8.1) and the x86 message format
    /// (Intel SDM vol. 3A 11.11: address 0xFEE00000 | destination ID[19:12] | RH[3] | DM[2];
    /// data vector[7:0] | delivery mode[10:8] | level[14] | trigger mode[15]).
    /// </summary>
    public static class Msi
    {
        // ---- capability layout (fig. 6-9) ----
        public const int MessageControl = 2;
        public const int MessageAddress = 4;
        public const int MessageUpperAddress = 8;
        public const int MessageData32 = 8, MessageData64 = 12;
        public const int MaskBits32 = 12, MaskBits64 = 16;
        public const int PendingBits32 = 16, PendingBits64 = 20;

        // ---- message control (6.8.1.3) ----
        public const ushort ControlEnable = 1 << 0;
        public const ushort ControlMultipleMessageCapableMask = 7 << 1;
        public const ushort ControlMultipleMessageEnableMask = 7 << 4;
        public const ushort Control64Bit = 1 << 7;
        public const ushort ControlPerVectorMasking = 1 << 8;

        // ---- x86 message address (SDM 11.11.1, fig. 11-24) ----
        public const uint AddressBase = 0xFEE0_0000;
        public const int AddressDestinationShift = 12;
        public const uint AddressDestinationMask = 0xFF;
        /// <summary>Redirection hint: with it, lowest-priority style delivery among the destinations.</summary>
        public const uint AddressRedirectionHint = 1u << 3;
        /// <summary>Destination mode: 0 physical, 1 logical.</summary>
        public const uint AddressDestinationLogical = 1u << 2;
        public const uint AddressDestinationPhysical = 0;

        // ---- x86 message data (SDM 11.11.2, fig. 11-25) ----
        public const uint DataVectorMask = 0xFF;
        public const uint DataDeliveryFixed = 0u << 8;
        public const uint DataDeliveryLowestPriority = 1u << 8;
        public const uint DataDeliveryNmi = 4u << 8;
        public const uint DataLevelAssert = 1u << 14;
        public const uint DataTriggerEdge = 0u << 15;
        public const uint DataTriggerLevel = 1u << 15;

        public static uint MessageAddressFor(uint apicId, bool logical, bool redirectionHint) =>
            AddressBase | ((apicId & AddressDestinationMask) << AddressDestinationShift)
            | (logical ? AddressDestinationLogical : AddressDestinationPhysical)
            | (redirectionHint ? AddressRedirectionHint : 0);

        /// <summary>Fixed delivery, edge-triggered (the level bit is ignored for edge).</summary>
        public static uint MessageDataFor(int vector) => ((uint)vector & DataVectorMask) | DataDeliveryFixed | DataTriggerEdge;

        public static ushort ControlOf(int bdf, int cap) => Pci.Read16(bdf, cap + MessageControl);
        public static bool Is64Bit(int bdf, int cap) => (ControlOf(bdf, cap) & Control64Bit) != 0;
        public static bool HasPerVectorMasking(int bdf, int cap) => (ControlOf(bdf, cap) & ControlPerVectorMasking) != 0;
        public static bool IsEnabled(int bdf, int cap) => (ControlOf(bdf, cap) & ControlEnable) != 0;

        private static int DataOffset(int bdf, int cap) => cap + (Is64Bit(bdf, cap) ? MessageData64 : MessageData32);
        private static int MaskOffset(int bdf, int cap) => cap + (Is64Bit(bdf, cap) ? MaskBits64 : MaskBits32);
        private static int PendingOffset(int bdf, int cap) => cap + (Is64Bit(bdf, cap) ? PendingBits64 : PendingBits32);

        /// <summary>
        /// Programs one vector (fixed, edge, physical destination <paramref name="apicId"/>)
        /// with MSI disabled, then enables it with one message (Multiple Message Enable 0),
        /// and turns on bus mastering (an MSI is a memory write by the device) with INTx off.
        /// </summary>
        public static void Program(int bdf, int cap, uint apicId, int vector)
        {
            Disable(bdf, cap);
            Pci.Write32(bdf, cap + MessageAddress, MessageAddressFor(apicId, false, false));
            if (Is64Bit(bdf, cap)) Pci.Write32(bdf, cap + MessageUpperAddress, 0);
            // Message data is 16 bits in the spec; the dword's upper half is reserved (or
            // extended data, off by default) and written as 0.
            Pci.Write32(bdf, DataOffset(bdf, cap), MessageDataFor(vector));
            ushort control = ControlOf(bdf, cap);
            control = (ushort)((control & ~ControlMultipleMessageEnableMask) | ControlEnable);
            Pci.Write16(bdf, cap + MessageControl, control);
            Pci.SetCommandBits(bdf, Pci.CommandBusMaster | Pci.CommandMemorySpace | Pci.CommandInterruptDisable);
        }

        public static void Enable(int bdf, int cap) =>
            Pci.Write16(bdf, cap + MessageControl, (ushort)(ControlOf(bdf, cap) | ControlEnable));

        public static void Disable(int bdf, int cap) =>
            Pci.Write16(bdf, cap + MessageControl, (ushort)(ControlOf(bdf, cap) & ~ControlEnable));

        public static uint ReadAddress(int bdf, int cap) => Pci.Read32(bdf, cap + MessageAddress);
        public const uint DataMask = 0xFFFF;
        public static uint ReadData(int bdf, int cap) => Pci.Read32(bdf, DataOffset(bdf, cap)) & DataMask;

        /// <summary>Per-vector mask bits (only with <see cref="ControlPerVectorMasking"/>).</summary>
        public static void WriteMask(int bdf, int cap, uint mask) => Pci.Write32(bdf, MaskOffset(bdf, cap), mask);
        public static uint ReadPending(int bdf, int cap) => Pci.Read32(bdf, PendingOffset(bdf, cap));
    }
}
