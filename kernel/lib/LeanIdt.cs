using System.Runtime.InteropServices;

namespace Kernel
{
    /// <summary>
    /// The benchmarks' interrupt path (boot/lean_entry.asm): a vector's gate points at an
    /// entry that saves only the SysV caller-saved registers and calls the vector's
    /// <c>[UnmanagedCallersOnly]</c> handler directly: the entry's CALL is patched to the
    /// handler, so nothing looks the vector up. The handler gets no frame; a test that
    /// needs the interrupted registers or the vector uses <see cref="Idt.Set"/>.
    /// Only for vectors the CPU pushes no error code for (external interrupts).
    /// </summary>
    public static unsafe class LeanIdt
    {
        private const byte CallRel32Opcode = 0xE8;
        private const int CallRel32Length = 5;

        [StructLayout(LayoutKind.Sequential)]
        private struct Entry
        {
            public ulong Address;          // what the gate points at
            public byte* CallInstruction;  // the CALL rel32 whose displacement names the handler
        }

        private const int MaxEntries = 8;   // LEAN_ENTRIES in boot/lean_entry.asm
        /// <summary>Light entries (boot/lean_entry.asm); entry N calls the handler exported as <c>lean_light_handler_N</c>.</summary>
        public const int LightEntries = 4;
        /// <summary>The light entries a test kernel exports handlers for: 0 to this less one.</summary>
        public const int KernelLightEntries = 3;
        /// <summary>The light entry of <see cref="IpiPingPong"/>'s handler, which every kernel links.</summary>
        public const int IpiPingPongLightEntry = 3;
        /// <summary>Rax-only entries (boot/lean_entry.asm); entry N calls the handler exported as <c>lean_rax_handler_N</c>.</summary>
        public const int RaxEntries = 2;
        private struct Owners { public fixed int Vector[MaxEntries]; }
        private static Owners s_owner;      // vector + 1 per entry; 0 = free
        private struct LightOwners { public fixed int Vector[LightEntries]; }
        private static LightOwners s_lightOwner;
        private struct RaxOwners { public fixed int Vector[RaxEntries]; }
        private static RaxOwners s_raxOwner;

        [DllImport("*"), SuppressGCTransition]
        private static extern Entry* lean_entry_table_address(int* count);
        [DllImport("*"), SuppressGCTransition]
        private static extern ulong* lean_light_table_address(int* count);
        [DllImport("*"), SuppressGCTransition]
        private static extern ulong* lean_rax_table_address(int* count);

        /// <summary>
        /// Points <paramref name="vector"/>'s gate at a free lean entry whose CALL goes to
        /// <paramref name="handler"/>. False if every entry is taken or the vector raises an
        /// error code. Install before the CPUs that take the vector enable interrupts; a
        /// CPU other than this one runs <see cref="SerializeAfterInstall"/> first, because the
        /// entry's code was just written (SDM vol. 3A, "Handling Self- and Cross-Modifying Code").
        /// </summary>
        public static bool Install(int vector, delegate* unmanaged<void> handler)
        {
            if (vector < Exceptions.FirstExternal || vector >= Idt.Vectors) return false;
            int count;
            Entry* table = lean_entry_table_address(&count);
            if (count > MaxEntries) count = MaxEntries;
            int slot = -1;
            for (int i = 0; i < count && slot < 0; i++)
                if (s_owner.Vector[i] == vector + 1 || s_owner.Vector[i] == 0) slot = i;
            if (slot < 0) return false;
            byte* call = table[slot].CallInstruction;
            if (call[0] != CallRel32Opcode) return false;
            long displacement = (long)handler - (long)(call + CallRel32Length);
            if (displacement != (int)displacement) return false;
            *(int*)(call + 1) = (int)displacement;
            s_owner.Vector[slot] = vector + 1;
            Idt.SetRawGate(vector, table[slot].Address);
            return true;
        }

        /// <summary>
        /// Points <paramref name="vector"/>'s gate at light entry <paramref name="entry"/>, which
        /// saves only rax, rcx and rdx and calls the kernel's handler exported as
        /// <c>[RuntimeExport("lean_light_handler_N")]</c>, N the entry: the CALL is linked, not
        /// patched, so `imagetool check` proves at build time that the handler and everything it
        /// calls write none of rsi, rdi, r8 to r11. RuntimeExport, not UnmanagedCallersOnly: the
        /// latter's reverse-P/Invoke frame writes rdi, and this runtime (no GC, no thread to
        /// suspend) has nothing for that bracket to do. A kernel without that handler gets a
        /// default that reports the missing handler. False for a vector that raises an error code
        /// or an entry that does not exist.
        /// </summary>
        public static bool InstallLight(int vector, int entry)
        {
            int count;
            ulong* table = lean_light_table_address(&count);
            fixed (int* owners = s_lightOwner.Vector) return InstallFixed(vector, entry, LightEntries, table, count, owners);
        }

        /// <summary>
        /// As <see cref="InstallLight"/>, for rax-only entry <paramref name="entry"/>: it saves
        /// rax alone and calls <c>[RuntimeExport("lean_rax_handler_N")]</c>, which `imagetool
        /// check` holds to writing no other register. For a handler whose work is a count and
        /// an xAPIC EOI (a store through a base in rax), two pushes and pops fewer per interrupt.
        /// </summary>
        public static bool InstallRaxOnly(int vector, int entry)
        {
            int count;
            ulong* table = lean_rax_table_address(&count);
            fixed (int* owners = s_raxOwner.Vector) return InstallFixed(vector, entry, RaxEntries, table, count, owners);
        }

        /// <summary>
        /// Points <paramref name="vector"/>'s gate at entry <paramref name="entry"/> of a family
        /// whose CALLs are linked (light, rax-only): <paramref name="table"/> holds the
        /// <paramref name="count"/> entries the boot code has, <paramref name="owners"/> the
        /// <paramref name="limit"/> this file tracks.
        /// </summary>
        private static bool InstallFixed(int vector, int entry, int limit, ulong* table, int count, int* owners)
        {
            if (vector < Exceptions.FirstExternal || vector >= Idt.Vectors || entry < 0 || entry >= limit || entry >= count) return false;
            owners[entry] = vector + 1;
            Idt.SetRawGate(vector, table[entry]);
            return true;
        }

        /// <summary>Gives <paramref name="vector"/> back to the general dispatcher (<see cref="Idt.Set"/>).</summary>
        public static void Remove(int vector)
        {
            for (int i = 0; i < MaxEntries; i++)
                if (s_owner.Vector[i] == vector + 1) s_owner.Vector[i] = 0;
            for (int i = 0; i < LightEntries; i++)
                if (s_lightOwner.Vector[i] == vector + 1) s_lightOwner.Vector[i] = 0;
            for (int i = 0; i < RaxEntries; i++)
                if (s_raxOwner.Vector[i] == vector + 1) s_raxOwner.Vector[i] = 0;
            Idt.RestoreGate(vector);
        }

        /// <summary>CPUID, a serializing instruction: makes this CPU see entries another CPU patched.</summary>
        public static void SerializeAfterInstall() => Cpu.Cpuid(CpuidLeaves.Vendor);

        /// <summary>An entry taken with the interrupted IF clear: recorded, its handler not run (see <see cref="MaskedDelivery"/>).</summary>
        [UnmanagedCallersOnly(EntryPoint = "lean_entry_masked")]
        private static void Masked(int entry, ulong rip)
        {
            // Light entries are numbered after the patched ones, rax-only ones after those (boot/lean_entry.asm).
            const int firstRax = MaxEntries + LightEntries;
            int vector = entry >= 0 && entry < MaxEntries ? s_owner.Vector[entry] - 1
                : entry >= MaxEntries && entry < firstRax ? s_lightOwner.Vector[entry - MaxEntries] - 1
                : entry >= firstRax && entry < firstRax + RaxEntries ? s_raxOwner.Vector[entry - firstRax] - 1
                : -1;
            MaskedDelivery.Record(vector, rip);
        }

        [UnmanagedCallersOnly(EntryPoint = "lean_entry_unset")]
        private static void Unset() =>
            Report.CheckFullName(false, "lean_idt.handler_installed", "a lean entry ran before LeanIdt.Install gave it a handler");
    }
}
