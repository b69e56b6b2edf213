namespace Kernel
{
    /// <summary>
    /// Formatted text on the serial port. Whole lines are written under a spin lock
    /// (Begin/End) so that lines from several CPUs never interleave.
    /// </summary>
    public static unsafe class Console
    {
        private static int s_lock;
        private static int s_owner = -1;

        /// <summary>Takes the line lock; re-entrant on one CPU so a fault while printing still reports.</summary>
        public static void Begin()
        {
            int me = Smp.CurrentCpu;
            if (s_owner == me) return;
            fixed (int* l = &s_lock)
                while (Atomic.CompareExchange(l, 0, 1) != 0) Cpu.Pause();
            s_owner = me;
        }

        public static void End()
        {
            s_owner = -1;
            fixed (int* l = &s_lock) Atomic.FetchAdd(l, -1);
        }

        public static void Write(char c) => Serial.Write((byte)c);

        public static void Write(string s)
        {
            fixed (char* text = s) Write(text, s.Length);
        }

        public static void Write(long value)
        {
            byte* text = stackalloc byte[Format.MaxDecimal];
            Write(text, Format.Decimal(value, text));
        }

        /// <summary>Hex with a 0x prefix and no leading zeros.</summary>
        public static void WriteHex(ulong value)
        {
            byte* text = stackalloc byte[Format.MaxHex];
            Write(text, Format.Hex(value, text));
        }

        public static void Write(byte* text, int length) => Serial.Write(text, length);

        /// <summary>UTF-16 text as bytes (names are ASCII): the characters of a string literal kept by pointer.</summary>
        public static void Write(char* text, int length)
        {
            byte* chunk = stackalloc byte[Serial.TransmitFifoBytes];
            for (int done = 0; done < length; done += Serial.TransmitFifoBytes)
            {
                int n = length - done < Serial.TransmitFifoBytes ? length - done : Serial.TransmitFifoBytes;
                for (int i = 0; i < n; i++) chunk[i] = (byte)text[done + i];
                Serial.Write(chunk, n);
            }
        }

        public static void WriteLine() => Write('\n');

        public static void WriteLine(string s)
        {
            Begin();
            Write(s);
            Write('\n');
            End();
        }
    }
}
