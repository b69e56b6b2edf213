namespace Kernel
{
    /// <summary>
    /// Integer to text into a caller's buffer. Console prints through it, and the
    /// selftest kernel checks it against known strings.
    /// </summary>
    public static unsafe class Format
    {
        public const int MaxDecimal = 20;   // "-9223372036854775808" is 20 characters
        public const int MaxHex = 18;       // "0x" + 16 digits

        /// <summary>Writes <paramref name="value"/> in decimal; returns the length.</summary>
        public static int Decimal(long value, byte* buffer)
        {
            if (value >= 0) return Unsigned((ulong)value, buffer);
            buffer[0] = (byte)'-';
            // Negate as unsigned so long.MinValue has a magnitude.
            return 1 + Unsigned((ulong)(-(value + 1)) + 1, buffer + 1);
        }

        public static int Unsigned(ulong value, byte* buffer)
        {
            byte* reversed = stackalloc byte[MaxDecimal];
            int n = 0;
            do { reversed[n++] = (byte)('0' + value % 10); value /= 10; } while (value != 0);
            for (int i = 0; i < n; i++) buffer[i] = reversed[n - 1 - i];
            return n;
        }

        /// <summary>0x-prefixed lower-case hex without leading zeros; returns the length.</summary>
        public static int Hex(ulong value, byte* buffer)
        {
            buffer[0] = (byte)'0';
            buffer[1] = (byte)'x';
            int shift = 60;
            while (shift > 0 && ((value >> shift) & 0xF) == 0) shift -= 4;
            int n = 2;
            for (; shift >= 0; shift -= 4) buffer[n++] = (byte)HexDigit((int)(value >> shift) & 0xF);
            return n;
        }

        public static char HexDigit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

        /// <summary>True when the first <paramref name="length"/> bytes spell exactly <paramref name="expected"/>.</summary>
        public static bool Equals(byte* text, int length, string expected)
        {
            if (length != expected.Length) return false;
            for (int i = 0; i < length; i++)
                if (text[i] != expected[i]) return false;
            return true;
        }
    }
}
