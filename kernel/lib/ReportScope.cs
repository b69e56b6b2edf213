namespace Kernel
{
    /// <summary>
    /// The report prefix: while a <see cref="TestSuite"/> row runs, a test kernel names its
    /// lines relative to it, so each name is written once. Inside the apic kernel's `timer`
    /// row, `Check(ok, "periodic_median_on_time")` writes `apic.timer.periodic_median_on_time`.
    /// The serial report is a stream: the prefix is written part by part before the name,
    /// with no string concatenation (the guest has none).
    ///
    /// The parts are kept as pointers to the characters of string literals, which ilc
    /// freezes in the image (they never move); a static of reference type would need a GC
    /// the guest does not have. Library code names its own lines in full
    /// (<see cref="CheckFullName"/>): `smp.wait_idle` is the same in whatever row it fails.
    /// </summary>
    public static unsafe partial class Report
    {
        /// <summary>The name of a line that is about the section itself (`apic.init`, `idt.de`), not something in it.</summary>
        public const string Self = "";

        // Pointer and length in separate fields: a 16-byte struct copy would be an SSE move.
        private static char* s_kernelChars, s_sectionChars;
        private static int s_kernelLength, s_sectionLength;

        /// <summary>
        /// Names every following line `kernel.NAME` (null: in full) and leaves any section.
        /// <see cref="TestSuite.Begin"/> sets it; <see cref="Finish"/> clears it.
        /// </summary>
        public static void Scope(string? kernel)
        {
            s_kernelChars = CharsOf(kernel);
            s_kernelLength = kernel == null ? 0 : kernel.Length;
            Section(null);
        }

        /// <summary>Names every following line `kernel.section.NAME` (null: `kernel.NAME`): the running row's section.</summary>
        public static void Section(string? section)
        {
            s_sectionChars = CharsOf(section);
            s_sectionLength = section == null ? 0 : section.Length;
        }

        private static char* CharsOf(string? text)
        {
            if (text == null) return null;
            fixed (char* chars = text) return chars;
        }

        /// <summary>Writes the scope, then a dot, then <paramref name="name"/>; an empty name names the scope itself.</summary>
        private static void WriteName(string name) => WriteName(name, "", "");

        /// <summary>As <see cref="WriteName(string)"/> for a name given in parts (written one after another).</summary>
        private static void WriteName(string prefix, string name, string suffix)
        {
            bool scoped = WritePart(s_kernelChars, s_kernelLength, false);
            scoped = WritePart(s_sectionChars, s_sectionLength, scoped);
            if (prefix.Length + name.Length + suffix.Length == 0) return;
            if (scoped) Console.Write('.');
            Console.Write(prefix);
            Console.Write(name);
            Console.Write(suffix);
        }

        private static bool WritePart(char* chars, int length, bool dotFirst)
        {
            if (chars == null) return dotFirst;
            if (dotFirst) Console.Write('.');
            Console.Write(chars, length);
            return true;
        }

        /// <summary>A check named in full, whatever row is running: for library code.</summary>
        public static bool CheckFullName(bool ok, string name, string? detail)
        {
            Console.Begin();
            Console.Write(Prefix);
            Console.Write(ok ? "check pass " : "check fail ");
            Console.Write(name);
            if (!ok) { Console.Write(' '); Console.Write(detail ?? NoDetail); }
            Console.WriteLine();
            Console.End();
            Count(ok ? 0 : 1);
            return ok;
        }
    }
}
