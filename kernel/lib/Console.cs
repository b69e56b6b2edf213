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
            for (int i = 0; i < s.Length; i++) Serial.Write((byte)s[i]);
        }

        public static void Write(long value)
        {
            if (value < 0)
            {
                Write('-');
                // Negate as unsigned so that long.MinValue prints correctly.
                WriteUnsigned((ulong)(-(value + 1)) + 1);
            }
            else WriteUnsigned((ulong)value);
        }

        public static void WriteUnsigned(ulong value)
        {
            byte* digits = stackalloc byte[20];
            int n = 0;
            do { digits[n++] = (byte)('0' + value % 10); value /= 10; } while (value != 0);
            while (n > 0) Serial.Write(digits[--n]);
        }

        /// <summary>Hex with a 0x prefix and no leading zeros.</summary>
        public static void WriteHex(ulong value)
        {
            Write("0x");
            int shift = 60;
            while (shift > 0 && ((value >> shift) & 0xF) == 0) shift -= 4;
            for (; shift >= 0; shift -= 4) Write(HexDigit((int)(value >> shift) & 0xF));
        }

        public static char HexDigit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

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
