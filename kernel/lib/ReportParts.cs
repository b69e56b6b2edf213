namespace Kernel
{
    /// <summary>
    /// Report lines whose name is built from parts (`vmexit.` + case + `.ops`): the guest
    /// has no string concatenation, and a suite of cases names every figure after its case.
    /// The parts are written one after another, so the caller supplies the dots.
    /// </summary>
    public static unsafe partial class Report
    {
        private static void StartLine(string kind, string prefix, string name, string suffix)
        {
            Console.Write(Prefix);
            Console.Write(kind);
            WriteName(prefix, name, suffix);
        }

        public static void Metric(string prefix, string name, string suffix, long value, string unit)
        {
            Console.Begin();
            StartLine("metric ", prefix, name, suffix);
            Console.Write(' ');
            Console.Write(value);
            Console.Write(' ');
            Console.Write(unit);
            Console.WriteLine();
            Console.End();
        }

        public static bool Check(bool ok, string prefix, string name, string suffix, string? detail)
        {
            Console.Begin();
            StartLine(ok ? "check pass " : "check fail ", prefix, name, suffix);
            if (!ok) { Console.Write(' '); Console.Write(detail ?? NoDetail); }
            Console.WriteLine();
            Console.End();
            Count(ok ? 0 : 1);
            return ok;
        }

        /// <summary>An equality check named from parts, naming both values when it fails.</summary>
        public static bool CheckEqual(string prefix, string name, string suffix, ulong expected, ulong actual)
        {
            bool ok = expected == actual;
            Console.Begin();
            StartLine(ok ? "check pass " : "check fail ", prefix, name, suffix);
            if (!ok)
            {
                Console.Write(" expected ");
                Console.WriteHex(expected);
                Console.Write(" got ");
                Console.WriteHex(actual);
            }
            Console.WriteLine();
            Console.End();
            Count(ok ? 0 : 1);
            return ok;
        }

        /// <summary>A range check named from parts, naming bounds and value when it fails.</summary>
        public static bool CheckRange(string prefix, string name, string suffix, long actual, long min, long max)
        {
            bool ok = actual >= min && actual <= max;
            Console.Begin();
            StartLine(ok ? "check pass " : "check fail ", prefix, name, suffix);
            if (!ok)
            {
                Console.Write(" expected ");
                Console.Write(min);
                Console.Write("..");
                Console.Write(max);
                Console.Write(" got ");
                Console.Write(actual);
            }
            Console.WriteLine();
            Console.End();
            Count(ok ? 0 : 1);
            return ok;
        }

        public static void Skip(string prefix, string name, string reason)
        {
            Console.Begin();
            StartLine("skip ", prefix, name, "");
            Console.Write(' ');
            Console.Write(reason);
            Console.WriteLine();
            Console.End();
            Count(2);
        }

        public static void Info(string prefix, string name, string suffix, string text)
        {
            Console.Begin();
            StartLine("info ", prefix, name, suffix);
            Console.Write(' ');
            Console.Write(text);
            Console.WriteLine();
            Console.End();
        }

        /// <summary>An info line whose text is bytes from the guest's memory (a device's name), up to NUL or <paramref name="max"/>.</summary>
        public static void Info(string prefix, string name, string suffix, byte* text, int max)
        {
            int length = 0;
            while (length < max && text[length] > ' ' && text[length] < 0x7F) length++;
            Console.Begin();
            StartLine("info ", prefix, name, suffix);
            Console.Write(' ');
            Console.Write(text, length);
            Console.WriteLine();
            Console.End();
        }

        /// <summary>
        /// <see cref="Sync(string)"/> with a tag built from parts, waiting with
        /// <see cref="Serial.ReadSparingly"/> (<paramref name="pollGap"/> spin iterations between looks).
        /// </summary>
        public static bool Sync(string prefix, string name, string suffix, ulong pollGap)
        {
            if (!CommandLine.Is("sync", "1")) return true;
            Console.Begin();
            StartLine("sync ", prefix, name, suffix);
            Console.WriteLine();
            Console.End();
            if (Serial.ReadSparingly(Tsc.Deadline(SyncWaitUs), pollGap) >= 0) return true;
            CheckFullName(false, "report.sync", "the runner never answered a `#kt sync` line on the serial port");
            return false;
        }
    }
}
