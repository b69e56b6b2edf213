namespace Kernel
{
    /// <summary>16550 UART on COM1, polled: the runner reads it as the guest's stdout.</summary>
    public static unsafe class Serial
    {
        private const ushort Com1 = 0x3F8;
        // 16550 register offsets from the base port.
        private const ushort THR = 0, DLL = 0, IER = 1, DLM = 1, FCR = 2, LCR = 3, MCR = 4, LSR = 5;
        private const byte LcrDlab = 0x80, Lcr8N1 = 0x03;
        private const byte FcrEnableClear = 0x07;
        /// <summary>
        /// The 16550's transmit FIFO: with FIFOs on, THRE set means it is empty and takes this
        /// many bytes without another look at LSR.
        /// </summary>
        public const int TransmitFifoBytes = 16;
        private const byte McrDtrRtsOut2 = 0x0B;
        private const byte LsrThrEmpty = 0x20;
        private const byte LsrDataReady = 0x01;
        private const ushort RBR = 0;
        private const byte Divisor115200 = 1;
        // Backoff between polls of LSR while waiting for the host: each poll is a VM exit.
        private const ulong PollBackoffMinUs = 2, PollBackoffMaxUs = 8000;

        public static void Init()
        {
            Cpu.OutB(Com1 + IER, 0);
            Cpu.OutB(Com1 + LCR, LcrDlab);
            Cpu.OutB(Com1 + DLL, Divisor115200);
            Cpu.OutB(Com1 + DLM, 0);
            Cpu.OutB(Com1 + LCR, Lcr8N1);
            Cpu.OutB(Com1 + FCR, FcrEnableClear);
            Cpu.OutB(Com1 + MCR, McrDtrRtsOut2);
        }

        /// <summary>
        /// Reads one byte from the host (QEMU's serial stdin) or returns -1 once the TSC passes
        /// <paramref name="deadline"/>. The runner reads the VM's exit counters while the guest
        /// waits here (`#kt sync`), and every LSR poll is an exit: polls back off on the TSC
        /// (RDTSC does not exit, and no PAUSE, which pause-loop exiting would turn into exits)
        /// so the wait adds few and nearly the same number of exits however long it lasts.
        /// </summary>
        public static int Read(ulong deadline)
        {
            ulong backoffUs = PollBackoffMinUs;
            while ((Cpu.InB(Com1 + LSR) & LsrDataReady) == 0)
            {
                if (Tsc.Passed(deadline)) return -1;
                ulong next = Tsc.Deadline(backoffUs);
                while (!Tsc.Passed(next) && !Tsc.Passed(deadline)) { }
                if (backoffUs < PollBackoffMaxUs) backoffUs *= 2;
            }
            return Cpu.InB(Com1 + RBR);
        }

        /// <summary>
        /// <see cref="Read"/> that looks at the UART only every <paramref name="gapIterations"/>
        /// DEC/JNZ iterations and at the clock every 16th look: under a hypervisor each port
        /// read and each RDTSC may be a VM exit, and a benchmark counting exits around a wait
        /// wants few of them.
        /// </summary>
        public static int ReadSparingly(ulong deadline, ulong gapIterations)
        {
            for (int looks = 1; (Cpu.InB(Com1 + LSR) & LsrDataReady) == 0; looks++)
            {
                if ((looks & 15) == 0 && Tsc.Passed(deadline)) return -1;
                Cpu.SpinLoop(gapIterations);
            }
            return Cpu.InB(Com1 + RBR);
        }

        public static void Write(byte b)
        {
            WaitTransmitterEmpty();
            Cpu.OutB(Com1 + THR, b);
        }

        /// <summary>
        /// Writes <paramref name="length"/> bytes a FIFO's worth at a time: one LSR read and one
        /// REP OUTSB per <see cref="TransmitFifoBytes"/>, where a byte at a time costs a read and a
        /// write each. Every port access is a VM exit to the VMM: under kvm_pvm the byte-wise
        /// writes were about a tenth of the apic kernel's run time (3.35 s, 3.0 s after).
        /// </summary>
        public static void Write(byte* data, int length)
        {
            for (int done = 0; done < length; done += TransmitFifoBytes)
            {
                int chunk = length - done < TransmitFifoBytes ? length - done : TransmitFifoBytes;
                WaitTransmitterEmpty();
                Cpu.OutSB(Com1 + THR, data + done, (uint)chunk);
            }
        }

        // Bounded: an emulated UART is always ready; a broken one must not hang the guest.
        private static void WaitTransmitterEmpty()
        {
            for (int spins = 0; spins < 100000 && (Cpu.InB(Com1 + LSR) & LsrThrEmpty) == 0; spins++)
                Cpu.Pause();
        }
    }
}
