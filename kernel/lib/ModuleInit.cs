using System.Runtime.InteropServices;

namespace Kernel
{
    /// <summary>
    /// Does the part of NativeAOT start-up the guest needs: runs the static
    /// constructors ilc could not fold at compile time. Without a class-constructor
    /// runner in the core library ilc makes every such cctor eager and lists it in
    /// the module's EagerCctor section; the runtime normally walks that list.
    /// </summary>
    internal static unsafe class ModuleInit
    {
        // ReadyToRun header as ilc emits it (ModuleHeaders.cs in dotnet/runtime).
        private const uint HeaderSignature = 0x00525452;   // "RTR"
        private const int HeaderSize = 16;
        private const int SectionCountOffset = 12;
        private const int EntrySizeOffset = 14;
        private const uint SectionEagerCctor = 205;
        private const uint SectionModuleInitializerList = 213;

        private struct SectionEntry
        {
            public uint Type;
            public uint Flags;
            public byte* Start;
            public byte* End;
        }

        [DllImport("*"), SuppressGCTransition]
        private static extern void module_list_bounds(byte*** start, byte*** end);

        /// <summary>Returns false (and the reason) when the module header is not as expected.</summary>
        public static bool Run(out string? problem)
        {
            problem = null;
            byte** first, last;
            module_list_bounds(&first, &last);
            for (byte** m = first; m < last; m++)
            {
                byte* header = *m;
                if (header == null) continue;
                if (*(uint*)header != HeaderSignature) { problem = "ReadyToRun header signature mismatch"; return false; }
                int sections = *(ushort*)(header + SectionCountOffset);
                int entrySize = header[EntrySizeOffset];
                if (entrySize != sizeof(SectionEntry)) { problem = "unexpected ReadyToRun section entry size"; return false; }
                SectionEntry* entries = (SectionEntry*)(header + HeaderSize);
                RunAll(entries, sections, SectionEagerCctor);
                RunAll(entries, sections, SectionModuleInitializerList);
            }
            return true;
        }

        private static void RunAll(SectionEntry* entries, int count, uint type)
        {
            for (int i = 0; i < count; i++)
            {
                if (entries[i].Type != type) continue;
                // Entries are 32-bit pointers relative to themselves (x64 NativeAOT).
                for (byte* p = entries[i].Start; p < entries[i].End; p += sizeof(int))
                    ((delegate*<void>)(p + *(int*)p))();
            }
        }
    }
}
