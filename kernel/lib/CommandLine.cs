namespace Kernel
{
    /// <summary>
    /// The kernel command line from PVH start_info (`-append "k=v ..."`): how the
    /// runner tells a kernel its settings (docs/protocol.md).
    /// </summary>
    public static unsafe class CommandLine
    {
        private const uint HvmStartMagic = 0x336EC578;
        private const int CmdlineOffset = 24;      // hvm_start_info.cmdline_paddr
        private static byte* s_text;

        public static void Init(byte* startInfo)
        {
            s_text = null;
            if (startInfo == null || *(uint*)startInfo != HvmStartMagic) return;
            s_text = (byte*)*(ulong*)(startInfo + CmdlineOffset);
        }

        /// <summary>Finds key=value; returns a pointer to the value (space or NUL terminated) or null.</summary>
        private static byte* Find(string key)
        {
            if (s_text == null) return null;
            byte* p = s_text;
            while (*p != 0)
            {
                while (*p == ' ') p++;
                byte* word = p;
                int i = 0;
                while (i < key.Length && word[i] == key[i]) i++;
                if (i == key.Length && word[i] == '=') return word + i + 1;
                while (*p != 0 && *p != ' ') p++;
            }
            return null;
        }

        public static bool Has(string key) => Find(key) != null;

        /// <summary>
        /// Whether <paramref name="item"/> is one of the comma-separated words of key's value
        /// (`only=cpuid,ipi`). False when the key is absent.
        /// </summary>
        public static bool ListHas(string key, string item)
        {
            byte* v = Find(key);
            if (v == null) return false;
            while (*v != 0 && *v != ' ')
            {
                int i = 0;
                while (i < item.Length && v[i] == item[i]) i++;
                if (i == item.Length && (v[i] == ',' || v[i] == 0 || v[i] == ' ')) return true;
                while (*v != 0 && *v != ' ' && *v != ',') v++;
                if (*v == ',') v++;
            }
            return false;
        }

        /// <summary>How many comma-separated words key's value has (`only=a,b` has 2); 0 when the key is absent.</summary>
        public static int ListLength(string key)
        {
            byte* v = Find(key);
            if (v == null) return 0;
            int words = 1;
            for (; *v != 0 && *v != ' '; v++) if (*v == ',') words++;
            return words;
        }

        /// <summary>The raw value of key (space or NUL terminated), or null: for echoing a word the kernel did not know.</summary>
        public static byte* ValueOf(string key) => Find(key);

        public static bool Is(string key, string value)
        {
            byte* v = Find(key);
            if (v == null) return false;
            int i = 0;
            while (i < value.Length && v[i] == value[i]) i++;
            return i == value.Length && (v[i] == 0 || v[i] == ' ');
        }

        /// <summary>Decimal or 0x-hex value of key, or <paramref name="fallback"/> when absent or malformed.</summary>
        public static long GetInt(string key, long fallback)
        {
            byte* v = Find(key);
            if (v == null || *v == 0 || *v == ' ') return fallback;
            long result = 0;
            if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
            {
                for (v += 2; *v != 0 && *v != ' '; v++)
                {
                    int d = HexValue(*v);
                    if (d < 0) return fallback;
                    result = result * 16 + d;
                }
                return result;
            }
            for (; *v != 0 && *v != ' '; v++)
            {
                if (*v < '0' || *v > '9') return fallback;
                result = result * 10 + (*v - '0');
            }
            return result;
        }

        private static int HexValue(byte c) =>
            c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

        /// <summary>Echoes the whole command line as `#kt arg` lines for the log.</summary>
        public static void Echo()
        {
            if (s_text == null) return;
            byte* p = s_text;
            while (*p != 0)
            {
                while (*p == ' ') p++;
                if (*p == 0) break;
                Console.Begin();
                Console.Write("#kt arg ");
                while (*p != 0 && *p != ' ' && *p != '=') Console.Write((char)*p++);
                Console.Write(' ');
                if (*p == '=') p++;
                while (*p != 0 && *p != ' ') Console.Write((char)*p++);
                Console.WriteLine();
                Console.End();
            }
        }
    }
}
