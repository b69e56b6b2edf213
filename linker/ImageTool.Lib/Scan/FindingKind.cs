namespace ImageTool;

public enum FindingKind
{
    /// <summary>Reads or writes XMM/YMM/ZMM/MXCSR/opmask/AMX or x87/MMX state.</summary>
    SimdOrFpuState,

    /// <summary>Bytes Iced cannot decode as an instruction in the range's bitness.</summary>
    InvalidInstruction,
}
