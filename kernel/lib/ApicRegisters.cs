namespace Kernel
{
    /// <summary>
    /// Local APIC register offsets from the xAPIC MMIO base (Intel SDM vol. 3A ch. 11,
    /// table 11-1). In x2APIC mode the same register is MSR <see cref="X2ApicMsrBase"/>
    /// + offset / 16 (table 11-6), except ICR, which is one 64-bit MSR there.
    /// </summary>
    public static class ApicRegisters
    {
        /// <summary>IA32_APIC_BASE[35:12] after reset (SDM 11.4.4).</summary>
        public const ulong DefaultBase = 0xFEE00000;
        public const int PageSize = 4096;

        public const int Id = 0x20;
        public const int Version = 0x30;
        public const int Tpr = 0x80;
        /// <summary>Arbitration priority: xAPIC only, absent in x2APIC mode.</summary>
        public const int Apr = 0x90;
        public const int Ppr = 0xA0;
        public const int Eoi = 0xB0;
        /// <summary>Remote read: xAPIC only (and not on Pentium 4 and later), absent in x2APIC mode.</summary>
        public const int Rrd = 0xC0;
        public const int Ldr = 0xD0;
        /// <summary>Destination format: xAPIC only, absent in x2APIC mode.</summary>
        public const int Dfr = 0xE0;
        public const int Svr = 0xF0;
        /// <summary>ISR, TMR and IRR are 8 x 32-bit registers each, 16 bytes apart.</summary>
        public const int Isr = 0x100;
        public const int Tmr = 0x180;
        public const int Irr = 0x200;
        public const int Esr = 0x280;
        public const int LvtCmci = 0x2F0;
        public const int IcrLow = 0x300;
        /// <summary>xAPIC only: destination field in bits 31:24; x2APIC has one 64-bit ICR.</summary>
        public const int IcrHigh = 0x310;
        public const int LvtTimer = 0x320;
        public const int LvtThermal = 0x330;
        public const int LvtPerf = 0x340;
        public const int LvtLint0 = 0x350;
        public const int LvtLint1 = 0x360;
        public const int LvtError = 0x370;
        public const int TimerInitialCount = 0x380;
        public const int TimerCurrentCount = 0x390;
        public const int TimerDivide = 0x3E0;
        /// <summary>x2APIC only (MSR 0x83F): write a vector to send a fixed self-IPI.</summary>
        public const int SelfIpi = 0x3F0;

        /// <summary>Distance between consecutive 32-bit words of ISR/TMR/IRR.</summary>
        public const int BankStride = 0x10;
        public const int BitsPerBank = 32;

        // ---- x2APIC MSR space (SDM 11.12.1.2) ----
        public const uint X2ApicMsrBase = 0x800;
        public const int X2ApicMsrShift = 4;
        public const uint X2ApicSelfIpiMsr = 0x83F;
        public const uint X2ApicIcrMsr = 0x830;

        public static uint MsrFor(int offset) => X2ApicMsrBase + (uint)(offset >> X2ApicMsrShift);

        // ---- ID register ----
        /// <summary>xAPIC: the ID is in bits 31:24 (SDM fig. 11-6); x2APIC: all 32 bits.</summary>
        public const int XApicIdShift = 24;
        public const uint XApicIdMask = 0xFF;

        // ---- Version register (SDM fig. 11-7) ----
        public const uint VersionMask = 0xFF;
        public const int MaxLvtShift = 16;
        public const uint MaxLvtMask = 0xFF;
        public const int VersionEoiBroadcastSuppression = 24;
        /// <summary>Integrated APICs report versions 0x10..0x15 (SDM 11.4.8).</summary>
        public const uint IntegratedVersionMin = 0x10;
        public const uint IntegratedVersionMax = 0x15;

        // ---- TPR / PPR (SDM 11.8.3) ----
        public const uint PriorityMask = 0xFF;
        public const uint PriorityClassMask = 0xF0;
        public const int PriorityClassShift = 4;
        public const uint PrioritySubClassMask = 0x0F;

        // ---- SVR (SDM fig. 11-23) ----
        public const uint SvrVectorMask = 0xFF;
        public const uint SvrEnable = 1u << 8;
        public const uint SvrFocusDisable = 1u << 9;
        public const uint SvrEoiBroadcastSuppression = 1u << 12;
        /// <summary>SVR after reset: vector 0xFF, APIC software-disabled (SDM 11.4.7.1).</summary>
        public const uint SvrResetValue = 0xFF;

        // ---- LDR / DFR (SDM 11.6.2.2) ----
        public const int XApicLdrShift = 24;
        public const uint DfrFlat = 0xFFFFFFFF;
        public const uint DfrCluster = 0x0FFFFFFF;
        /// <summary>DFR bits 27:0 are reserved and read as ones.</summary>
        public const uint DfrReservedOnes = 0x0FFFFFFF;
        /// <summary>x2APIC logical ID: cluster = x2APIC ID[19:4] in LDR[31:16], bit (ID[3:0]) in LDR[15:0] (SDM 11.12.10.2).</summary>
        public const int X2ApicClusterShift = 4;
        public const int X2ApicLdrClusterShift = 16;
        public const uint X2ApicLdrClusterMask = 0xFFFF0000;
        public const uint X2ApicLogicalIdMask = 0xF;

        // ---- ESR (SDM fig. 11-9) ----
        public const uint EsrSendIllegalVector = 1u << 5;
        public const uint EsrReceiveIllegalVector = 1u << 6;
        public const uint EsrIllegalRegister = 1u << 7;

        // ---- LVT (SDM fig. 11-8) ----
        public const uint LvtVectorMask = 0xFF;
        public const int LvtDeliveryModeShift = 8;
        public const uint LvtDeliveryModeMask = 7u << 8;
        public const uint LvtDeliveryFixed = 0u << 8;
        public const uint LvtDeliverySmi = 2u << 8;
        public const uint LvtDeliveryNmi = 4u << 8;
        public const uint LvtDeliveryInit = 5u << 8;
        public const uint LvtDeliveryExtInt = 7u << 8;
        public const uint LvtDeliveryStatus = 1u << 12;
        public const uint LvtPolarityLow = 1u << 13;
        public const uint LvtRemoteIrr = 1u << 14;
        public const uint LvtTriggerLevel = 1u << 15;
        public const uint LvtMasked = 1u << 16;
        /// <summary>LVT entries a version register's max-LVT field counts (max LVT + 1 entries).</summary>
        public const uint MaxLvtWithPerf = 4, MaxLvtWithThermal = 5, MaxLvtWithCmci = 6;

        // ---- LVT timer modes (SDM 11.5.4, bits 18:17) ----
        public const uint TimerModeMask = 3u << 17;
        public const uint TimerOneShot = 0u << 17;
        public const uint TimerPeriodic = 1u << 17;
        public const uint TimerTscDeadline = 2u << 17;

        // ---- Divide configuration (SDM fig. 11-10: bits 0, 1 and 3) ----
        public const uint DivideMask = 0xB;
        public const uint DivideBy2 = 0x0;
        public const uint DivideBy4 = 0x1;
        public const uint DivideBy8 = 0x2;
        public const uint DivideBy16 = 0x3;
        public const uint DivideBy32 = 0x8;
        public const uint DivideBy64 = 0x9;
        public const uint DivideBy128 = 0xA;
        public const uint DivideBy1 = 0xB;

        // ---- ICR (SDM fig. 11-12, 11-28) ----
        public const uint IcrVectorMask = 0xFF;
        public const uint IcrDeliveryModeMask = 7u << 8;
        public const uint IcrFixed = 0u << 8;
        public const uint IcrLowestPriority = 1u << 8;
        public const uint IcrSmi = 2u << 8;
        public const uint IcrNmi = 4u << 8;
        public const uint IcrInit = 5u << 8;
        public const uint IcrStartup = 6u << 8;
        public const uint IcrPhysical = 0u << 11;
        public const uint IcrLogical = 1u << 11;
        /// <summary>Delivery status (xAPIC only; reserved in x2APIC mode): 1 = send pending.</summary>
        public const uint IcrDeliveryStatus = 1u << 12;
        public const uint IcrLevelDeassert = 0u << 14;
        public const uint IcrLevelAssert = 1u << 14;
        public const uint IcrTriggerEdge = 0u << 15;
        public const uint IcrTriggerLevel = 1u << 15;
        public const uint IcrShorthandMask = 3u << 18;
        public const uint IcrNoShorthand = 0u << 18;
        public const uint IcrSelf = 1u << 18;
        public const uint IcrAllIncludingSelf = 2u << 18;
        public const uint IcrAllExcludingSelf = 3u << 18;
        /// <summary>xAPIC ICR_HIGH: destination in bits 31:24.</summary>
        public const int XApicIcrDestinationShift = 24;
        /// <summary>x2APIC ICR: destination in bits 63:32.</summary>
        public const int X2ApicIcrDestinationShift = 32;
        /// <summary>Physical destination that every APIC accepts (SDM 11.6.2.1).</summary>
        public const uint XApicBroadcast = 0xFF;
        public const uint X2ApicBroadcast = 0xFFFFFFFF;

        // ---- x2APIC SELF IPI (SDM 11.12.11) ----
        public const uint SelfIpiVectorMask = 0xFF;

        // ---- Vectors ----
        /// <summary>Vectors 0-15 are illegal for fixed delivery (SDM 11.5.2).</summary>
        public const int FirstLegalVector = 16;
        public const int VectorCount = 256;
    }

    /// <summary>IA32_APIC_BASE (MSR 0x1B, SDM fig. 11-5).</summary>
    public static class ApicBaseMsr
    {
        public const uint Msr = 0x1B;
        public const ulong Bsp = 1ul << 8;
        public const ulong Extd = 1ul << 10;
        public const ulong Enable = 1ul << 11;
        public const ulong AddressMask = 0xFFFFFFFFFFFFF000;
        /// <summary>Bits 7:0 and 9 are reserved.</summary>
        public const ulong ReservedLow = 0x2FF;
    }

    /// <summary>IA32_TSC_DEADLINE (MSR 0x6E0, SDM 11.5.4.1).</summary>
    public static class TscDeadlineMsr
    {
        public const uint Msr = 0x6E0;
        public const ulong Disarmed = 0;
    }
}
