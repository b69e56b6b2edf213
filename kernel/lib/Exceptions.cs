namespace Kernel
{
    /// <summary>Architectural exception vectors (SDM vol. 3A table 6-1).</summary>
    public static class Exceptions
    {
        public const int DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7;
        public const int DF = 8, TS = 10, NP = 11, SS = 12, GP = 13, PF = 14, MF = 16;
        public const int AC = 17, MC = 18, XM = 19, VE = 20, CP = 21;
        public const int FirstExternal = 32;

        public static string Name(int vector)
        {
            switch (vector)
            {
                case DE: return "#DE divide error";
                case DB: return "#DB debug";
                case NMI: return "NMI";
                case BP: return "#BP breakpoint";
                case OF: return "#OF overflow";
                case BR: return "#BR bound range";
                case UD: return "#UD invalid opcode";
                case NM: return "#NM device not available";
                case DF: return "#DF double fault";
                case TS: return "#TS invalid TSS";
                case NP: return "#NP segment not present";
                case SS: return "#SS stack fault";
                case GP: return "#GP general protection";
                case PF: return "#PF page fault";
                case MF: return "#MF x87 error";
                case AC: return "#AC alignment check";
                case MC: return "#MC machine check";
                case XM: return "#XM SIMD exception";
                case VE: return "#VE virtualization exception";
                case CP: return "#CP control protection";
                default: return vector < FirstExternal ? "reserved exception" : "unexpected interrupt";
            }
        }
    }
}
