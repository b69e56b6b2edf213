using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kernel
{
    /// <summary>Operating mode of a local APIC, from IA32_APIC_BASE EN and EXTD (SDM vol. 3A table 11-5).</summary>
    public enum ApicMode
    {
        Disabled = 0,
        XApic = 1,
        X2Apic = 2,
        /// <summary>EXTD = 1 with EN = 0: not a mode, writing it must #GP.</summary>
        Invalid = 3,
    }

    /// <summary>
    /// The local APIC (Intel SDM vol. 3A ch. 11) through one interface over two back
    /// ends, <see cref="XApic"/> (MMIO) and <see cref="X2Apic"/> (MSRs), chosen at run
    /// time by <see cref="Mode"/>. The kernel keeps every CPU's APIC in that one mode:
    /// the BSP picks it with <see cref="SetMode"/> / <see cref="Init"/>, each AP follows
    /// with <see cref="InitThisCpu"/>. Register functions act on the calling CPU's APIC.
    /// </summary>
    public static unsafe class Apic
    {
        /// <summary>The mode the kernel runs every APIC in; Disabled until first set up.</summary>
        public static ApicMode Mode;

        /// <summary>Vector of the spurious interrupt (SVR[7:0]) <see cref="InitThisCpu"/> programs.</summary>
        public const int SpuriousVectorDefault = 0xFF;
        /// <summary>Vector InitThisCpu puts in LVT Error (masked).</summary>
        public const int ErrorVectorDefault = 0xFE;
        /// <summary>How long a send may stay pending in xAPIC ICR before SendIpi gives up.</summary>
        public const ulong IcrIdleLimitUs = 100_000;
        private const ulong FallbackCyclesPerUs = 4000;     // only before Tsc.Calibrate ran

        /// <summary>Spurious-vector interrupts seen, all CPUs (they need no EOI, SDM 11.9).</summary>
        public static int SpuriousCount;

        // ---------------- feature discovery ----------------

        public static bool Present => CpuidLeaves.Has(Cpu.Cpuid(CpuidLeaves.Features).Edx, CpuidLeaves.EdxApic);
        public static bool X2ApicSupported => CpuidLeaves.Has(Cpu.Cpuid(CpuidLeaves.Features).Ecx, CpuidLeaves.EcxX2Apic);
        public static bool TscDeadlineSupported => CpuidLeaves.Has(Cpu.Cpuid(CpuidLeaves.Features).Ecx, CpuidLeaves.EcxTscDeadline);

        // ---------------- IA32_APIC_BASE and mode transitions ----------------

        public static ulong ReadBase() => Cpu.ReadMsr(ApicBaseMsr.Msr);

        /// <summary>WRMSR IA32_APIC_BASE that reports a fault instead of dying: <see cref="Cpu.NoFault"/> or the vector.</summary>
        public static int WriteBaseSafe(ulong value) => Cpu.WriteMsrSafe(ApicBaseMsr.Msr, value);

        public static ApicMode ModeOf(ulong apicBase)
        {
            bool en = (apicBase & ApicBaseMsr.Enable) != 0, extd = (apicBase & ApicBaseMsr.Extd) != 0;
            return en ? (extd ? ApicMode.X2Apic : ApicMode.XApic) : (extd ? ApicMode.Invalid : ApicMode.Disabled);
        }

        /// <summary>This CPU's APIC mode as the hardware has it now.</summary>
        public static ApicMode HardwareMode => ModeOf(ReadBase());

        public static bool IsBsp => (ReadBase() & ApicBaseMsr.Bsp) != 0;

        /// <summary>IA32_APIC_BASE with the EN/EXTD bits of <paramref name="mode"/>.</summary>
        public static ulong WithMode(ulong apicBase, ApicMode mode)
        {
            apicBase &= ~(ApicBaseMsr.Enable | ApicBaseMsr.Extd);
            if (mode == ApicMode.XApic || mode == ApicMode.X2Apic) apicBase |= ApicBaseMsr.Enable;
            if (mode == ApicMode.X2Apic || mode == ApicMode.Invalid) apicBase |= ApicBaseMsr.Extd;
            return apicBase;
        }

        /// <summary>
        /// Puts this CPU's APIC into <paramref name="mode"/> through legal transitions only
        /// (SDM fig. 11-27: x2APIC -> xAPIC goes through disabled; disabled -> x2APIC through
        /// xAPIC) and makes it the kernel's <see cref="Mode"/>. Returns false if the mode is
        /// not supported, a step faulted, or the hardware did not end up in it.
        /// </summary>
        public static bool SetMode(ApicMode mode)
        {
            if (mode == ApicMode.Invalid) return false;
            if (mode == ApicMode.X2Apic && !X2ApicSupported) return false;
            ulong b = ReadBase();
            ApicMode now = ModeOf(b);
            if (now != mode)
            {
                if (now == ApicMode.X2Apic || (now == ApicMode.XApic && mode == ApicMode.Disabled))
                {
                    if (WriteBaseSafe(WithMode(b, ApicMode.Disabled)) != Cpu.NoFault) return false;
                    now = ApicMode.Disabled;
                }
                if (now == ApicMode.Disabled && mode != ApicMode.Disabled)
                {
                    if (WriteBaseSafe(WithMode(b, ApicMode.XApic)) != Cpu.NoFault) return false;
                    now = ApicMode.XApic;
                }
                if (now == ApicMode.XApic && mode == ApicMode.X2Apic)
                {
                    if (WriteBaseSafe(WithMode(b, ApicMode.X2Apic)) != Cpu.NoFault) return false;
                }
                b = ReadBase();
            }
            XApic.Base = b & ApicBaseMsr.AddressMask;
            Mode = mode;
            apic_entries_select(mode == ApicMode.X2Apic ? 1 : 0, XApic.Base);
            return ModeOf(b) == mode;
        }

        /// <summary>
        /// Attempts the illegal x2APIC -> xAPIC transition (EN=1, EXTD 1 -> 0) with one
        /// guarded WRMSR; returns the vector it raised (SDM 11.12.5: #GP) or NoFault.
        /// Leaves <see cref="Mode"/> alone.
        /// </summary>
        public static int TryX2ApicToXApic() => WriteBaseSafe(WithMode(ReadBase(), ApicMode.XApic));

        // ---------------- per-CPU set-up ----------------

        /// <summary>BSP: choose the kernel's APIC mode and set this CPU up in it.</summary>
        public static bool Init(ApicMode mode)
        {
            Mode = mode;
            return InitThisCpu();
        }

        private struct PerCpuResult { public fixed int Value[PerCpu.MaxCpus]; }
        private static PerCpuResult s_apInitOk;

        /// <summary>
        /// BSP, after <see cref="Init"/>: runs <see cref="InitThisCpu"/> on every AP (each CPU
        /// must switch its own APIC). False if an AP never ran it or could not set up.
        /// </summary>
        public static bool InitOtherCpus()
        {
            bool ok = true;
            for (int cpu = 1; cpu < Smp.CpuCount; cpu++)
            {
                s_apInitOk.Value[cpu] = 0;
                ok &= Smp.OnCpu(cpu, &InitOnAp, null) && s_apInitOk.Value[cpu] == 1;
            }
            return ok;
        }

        private static void InitOnAp(void* arg) => s_apInitOk.Value[Smp.CurrentCpu] = InitThisCpu() ? 1 : 0;

        /// <summary>
        /// Brings the calling CPU's APIC into <see cref="Mode"/> (xAPIC if none chosen yet)
        /// and to a known state: software-enabled with the spurious vector, TPR 0, LINT0
        /// masked (no 8259 is used), LINT1 as NMI (unmasked on the BSP only, as the MP
        /// convention has it), timer, error and the other LVTs masked, ESR cleared.
        /// </summary>
        public static bool InitThisCpu()
        {
            ApicMode want = Mode == ApicMode.X2Apic ? ApicMode.X2Apic : ApicMode.XApic;
            if (!SetMode(want)) return false;
            Idt.Set(SpuriousVectorDefault, &OnSpurious);
            Write(ApicRegisters.Svr, ApicRegisters.SvrEnable | SpuriousVectorDefault);
            Write(ApicRegisters.Tpr, 0);
            Write(ApicRegisters.LvtLint0, ApicRegisters.LvtMasked | ApicRegisters.LvtDeliveryExtInt);
            Write(ApicRegisters.LvtLint1, ApicRegisters.LvtDeliveryNmi | (IsBsp ? 0 : ApicRegisters.LvtMasked));
            Write(ApicRegisters.LvtTimer, ApicRegisters.LvtMasked);
            Write(ApicRegisters.LvtError, ApicRegisters.LvtMasked | ErrorVectorDefault);
            uint maxLvt = MaxLvt;
            if (maxLvt >= ApicRegisters.MaxLvtWithPerf) Write(ApicRegisters.LvtPerf, ApicRegisters.LvtMasked);
            if (maxLvt >= ApicRegisters.MaxLvtWithThermal) Write(ApicRegisters.LvtThermal, ApicRegisters.LvtMasked);
            if (maxLvt >= ApicRegisters.MaxLvtWithCmci) Write(ApicRegisters.LvtCmci, ApicRegisters.LvtMasked);
            ClearErrors();
            return true;
        }

        private static void OnSpurious(InterruptFrame* frame)
        {
            fixed (int* count = &SpuriousCount) Atomic.FetchAdd(count, 1);
        }

        // ---------------- registers ----------------

        public static uint Read(int offset) => Mode == ApicMode.X2Apic ? X2Apic.Read(offset) : XApic.Read(offset);

        public static void Write(int offset, uint value)
        {
            if (Mode == ApicMode.X2Apic) X2Apic.Write(offset, value);
            else XApic.Write(offset, value);
        }

        /// <summary>The APIC ID: xAPIC bits 31:24 of the ID register; x2APIC all 32 bits.</summary>
        public static uint Id
        {
            get
            {
                uint raw = Read(ApicRegisters.Id);
                return Mode == ApicMode.X2Apic ? raw : (raw >> ApicRegisters.XApicIdShift) & ApicRegisters.XApicIdMask;
            }
        }

        public static uint VersionRegister => Read(ApicRegisters.Version);
        public static uint Version => VersionRegister & ApicRegisters.VersionMask;
        /// <summary>Number of LVT entries minus one (version register bits 23:16).</summary>
        public static uint MaxLvt => (VersionRegister >> ApicRegisters.MaxLvtShift) & ApicRegisters.MaxLvtMask;

        public static uint Tpr
        {
            get => Read(ApicRegisters.Tpr) & ApicRegisters.PriorityMask;
            set => Write(ApicRegisters.Tpr, value & ApicRegisters.PriorityMask);
        }

        public static uint Ppr => Read(ApicRegisters.Ppr) & ApicRegisters.PriorityMask;

        public static uint Ldr => Read(ApicRegisters.Ldr);

        private static bool TestVectorBit(int bank, int vector) =>
            ((Read(bank + (vector / ApicRegisters.BitsPerBank) * ApicRegisters.BankStride) >> (vector % ApicRegisters.BitsPerBank)) & 1) != 0;

        public static bool IsInService(int vector) => TestVectorBit(ApicRegisters.Isr, vector);
        public static bool IsRequested(int vector) => TestVectorBit(ApicRegisters.Irr, vector);
        public static bool IsLevelTriggered(int vector) => TestVectorBit(ApicRegisters.Tmr, vector);

        /// <summary>Highest vector set in ISR (or IRR), -1 if none.</summary>
        public static int HighestInService() => HighestSet(ApicRegisters.Isr);
        public static int HighestRequested() => HighestSet(ApicRegisters.Irr);

        private static int HighestSet(int bank)
        {
            for (int word = ApicRegisters.VectorCount / ApicRegisters.BitsPerBank - 1; word >= 0; word--)
            {
                uint bits = Read(bank + word * ApicRegisters.BankStride);
                for (int bit = ApicRegisters.BitsPerBank - 1; bit >= 0; bit--)
                    if (((bits >> bit) & 1) != 0) return word * ApicRegisters.BitsPerBank + bit;
            }
            return -1;
        }

        /// <summary>End of interrupt: clears the highest ISR bit (SDM 11.8.5). Write 0: non-zero #GPs in x2APIC.</summary>
        /// <summary>
        /// Writes 0 to EOI through boot/apic_entries.asm, whose entry <see cref="SetMode"/>
        /// chose for the mode (MMIO store or WRMSR): no mode test per EOI.
        /// </summary>
        public static void Eoi() => apic_eoi();

        /// <summary>
        /// EOI for a handler installed for x2APIC mode alone (<see cref="EoiXApic"/> for xAPIC):
        /// the WRMSR without <see cref="Eoi"/>'s jump through the mode pointer.
        /// </summary>
        public static void EoiX2Apic() => apic_eoi_x2apic();
        /// <summary>EOI for a handler installed for xAPIC mode alone: the MMIO store.</summary>
        public static void EoiXApic() => apic_eoi_xapic();

        // RuntimeImport: a plain CALL, without the GC poll ilc puts after a P/Invoke.
        [MethodImpl(MethodImplOptions.InternalCall), System.Runtime.RuntimeImport("*", "apic_eoi")]
        private static extern void apic_eoi();
        [MethodImpl(MethodImplOptions.InternalCall), System.Runtime.RuntimeImport("*", "apic_eoi_x2apic")]
        private static extern void apic_eoi_x2apic();
        [MethodImpl(MethodImplOptions.InternalCall), System.Runtime.RuntimeImport("*", "apic_eoi_xapic")]
        private static extern void apic_eoi_xapic();
        [MethodImpl(MethodImplOptions.InternalCall), System.Runtime.RuntimeImport("*", "apic_send_ipi")]
        private static extern void apic_send_ipi(uint destination, uint icrLow);
        [DllImport("*"), SuppressGCTransition] private static extern void apic_entries_select(int x2apic, ulong xapicBase);

        public static uint SvrRegister
        {
            get => Read(ApicRegisters.Svr);
            set => Write(ApicRegisters.Svr, value);
        }

        public static int SpuriousVector
        {
            get => (int)(Read(ApicRegisters.Svr) & ApicRegisters.SvrVectorMask);
            set => Write(ApicRegisters.Svr, (Read(ApicRegisters.Svr) & ~ApicRegisters.SvrVectorMask) | ((uint)value & ApicRegisters.SvrVectorMask));
        }

        /// <summary>SVR bit 8: software enable (the APIC stays hardware-enabled either way).</summary>
        public static bool SoftwareEnabled
        {
            get => (Read(ApicRegisters.Svr) & ApicRegisters.SvrEnable) != 0;
            set
            {
                uint svr = Read(ApicRegisters.Svr);
                Write(ApicRegisters.Svr, value ? svr | ApicRegisters.SvrEnable : svr & ~ApicRegisters.SvrEnable);
            }
        }

        /// <summary>ESR is updated by a write (SDM 11.5.3): write, then read the errors since the last write.</summary>
        public static uint ReadErrors()
        {
            Write(ApicRegisters.Esr, 0);
            return Read(ApicRegisters.Esr);
        }

        public static void ClearErrors()
        {
            Write(ApicRegisters.Esr, 0);
            Write(ApicRegisters.Esr, 0);
        }

        // ---------------- LVT ----------------

        public static uint ReadLvt(int lvt) => Read(lvt);
        public static void WriteLvt(int lvt, uint value) => Write(lvt, value);
        public static bool IsLvtMasked(int lvt) => (Read(lvt) & ApicRegisters.LvtMasked) != 0;

        // ---------------- IPIs ----------------

        private static ulong IcrBudget => Tsc.Hz != 0 ? Tsc.MicrosecondsToCycles(IcrIdleLimitUs) : IcrIdleLimitUs * FallbackCyclesPerUs;

        /// <summary>
        /// Sends an edge-triggered, level-assert IPI. <paramref name="deliveryMode"/>,
        /// <paramref name="destinationMode"/> and <paramref name="shorthand"/> are the
        /// ApicRegisters.Icr* constants. Returns false if an xAPIC ICR stayed send-pending.
        /// </summary>
        public static bool SendIpi(uint destination, int vector, uint deliveryMode, uint destinationMode, uint shorthand) =>
            SendIpiRaw(destination, ((uint)vector & ApicRegisters.IcrVectorMask) | deliveryMode | destinationMode | shorthand
                | ApicRegisters.IcrLevelAssert | ApicRegisters.IcrTriggerEdge);

        /// <summary>Fixed IPI to one APIC ID, physical destination.</summary>
        public static bool SendFixed(uint apicId, int vector) =>
            SendIpi(apicId, vector, ApicRegisters.IcrFixed, ApicRegisters.IcrPhysical, ApicRegisters.IcrNoShorthand);

        /// <summary>
        /// Writes ICR_LOW <paramref name="icrLow"/> with <paramref name="destination"/>
        /// (xAPIC: ICR_HIGH first, with interrupts off so no handler's IPI lands between
        /// the two writes, then a bounded wait for delivery status; x2APIC: one 64-bit write).
        /// </summary>
        public static bool SendIpiRaw(uint destination, uint icrLow)
        {
            if (Mode == ApicMode.X2Apic)
            {
                X2Apic.SendIpi(destination, icrLow);
                return true;
            }
            bool wasEnabled = Cpu.InterruptsEnabled;
            Cpu.DisableInterrupts();
            bool idle = XApic.SendIpi(destination, icrLow, IcrBudget);
            if (wasEnabled) Cpu.EnableInterrupts();
            return idle;
        }

        /// <summary>
        /// Writes the ICR and returns without polling delivery status: the benchmark
        /// path, identical to the assembly reference in boot/ipi.asm. The target's
        /// acknowledgement is what the caller waits for. The xAPIC's two writes must not
        /// be split by an interrupt handler that also sends: call with IF clear. Goes
        /// through boot/apic_entries.asm's entry for the mode, like <see cref="Eoi"/>.
        /// </summary>
        public static void SendIpiNoWait(uint destination, uint icrLow) => apic_send_ipi(destination, icrLow);

        /// <summary>Fixed self-IPI: the SELF IPI register in x2APIC, the ICR "self" shorthand in xAPIC.</summary>
        public static bool SelfIpi(int vector)
        {
            if (Mode == ApicMode.X2Apic)
            {
                X2Apic.SelfIpi(vector);
                return true;
            }
            return SendIpi(0, vector, ApicRegisters.IcrFixed, ApicRegisters.IcrPhysical, ApicRegisters.IcrSelf);
        }

        /// <summary>The physical destination every APIC accepts in the current mode.</summary>
        public static uint BroadcastDestination => Mode == ApicMode.X2Apic ? ApicRegisters.X2ApicBroadcast : ApicRegisters.XApicBroadcast;

        // ---------------- timer (SDM 11.5.4) ----------------

        /// <summary>Divide-configuration encoding for <paramref name="divisor"/> (1, 2, 4 ... 128); DivideBy1 otherwise.</summary>
        public static uint DivideConfigFor(uint divisor)
        {
            switch (divisor)
            {
                case 2: return ApicRegisters.DivideBy2;
                case 4: return ApicRegisters.DivideBy4;
                case 8: return ApicRegisters.DivideBy8;
                case 16: return ApicRegisters.DivideBy16;
                case 32: return ApicRegisters.DivideBy32;
                case 64: return ApicRegisters.DivideBy64;
                case 128: return ApicRegisters.DivideBy128;
                default: return ApicRegisters.DivideBy1;
            }
        }

        public static uint TimerDivide
        {
            get => Read(ApicRegisters.TimerDivide) & ApicRegisters.DivideMask;
            set => Write(ApicRegisters.TimerDivide, value & ApicRegisters.DivideMask);
        }

        public static uint TimerInitialCount
        {
            get => Read(ApicRegisters.TimerInitialCount);
            set => Write(ApicRegisters.TimerInitialCount, value);
        }

        public static uint TimerCurrentCount => Read(ApicRegisters.TimerCurrentCount);

        public static uint TimerMode => Read(ApicRegisters.LvtTimer) & ApicRegisters.TimerModeMask;

        /// <summary>Programs LVT timer then divide, then the initial count, which starts it.</summary>
        public static void TimerStart(uint timerMode, int vector, uint initialCount, uint divideConfig, bool masked)
        {
            Write(ApicRegisters.LvtTimer, timerMode | ((uint)vector & ApicRegisters.LvtVectorMask) | (masked ? ApicRegisters.LvtMasked : 0));
            Write(ApicRegisters.TimerDivide, divideConfig & ApicRegisters.DivideMask);
            Write(ApicRegisters.TimerInitialCount, initialCount);
        }

        public static void TimerOneShot(int vector, uint initialCount, uint divideConfig) =>
            TimerStart(ApicRegisters.TimerOneShot, vector, initialCount, divideConfig, false);

        public static void TimerPeriodic(int vector, uint initialCount, uint divideConfig) =>
            TimerStart(ApicRegisters.TimerPeriodic, vector, initialCount, divideConfig, false);

        /// <summary>
        /// Arms the TSC-deadline timer (CPUID.1:ECX[24] required): LVT in TSC-deadline mode,
        /// then IA32_TSC_DEADLINE. In xAPIC the MMIO write and the WRMSR are ordered by
        /// MFENCE, as SDM 11.5.4.1 asks.
        /// </summary>
        public static void TimerTscDeadline(int vector, ulong deadline)
        {
            uint lvt = ApicRegisters.TimerTscDeadline | ((uint)vector & ApicRegisters.LvtVectorMask);
            if (Read(ApicRegisters.LvtTimer) != lvt)
            {
                Write(ApicRegisters.LvtTimer, lvt);
                if (Mode != ApicMode.X2Apic) Cpu.MemoryFence();
            }
            Cpu.WriteMsr(TscDeadlineMsr.Msr, deadline);
        }

        public static ulong TscDeadline
        {
            get => Cpu.ReadMsr(TscDeadlineMsr.Msr);
            set => Cpu.WriteMsr(TscDeadlineMsr.Msr, value);
        }

        /// <summary>Stops the timer in any mode and masks it.</summary>
        public static void TimerStop()
        {
            if (TimerMode == ApicRegisters.TimerTscDeadline) Cpu.WriteMsr(TscDeadlineMsr.Msr, TscDeadlineMsr.Disarmed);
            Write(ApicRegisters.LvtTimer, ApicRegisters.LvtMasked | ApicRegisters.TimerOneShot);
            Write(ApicRegisters.TimerInitialCount, 0);
        }
    }
}
