using Iced.Intel;

namespace ImageTool;

/// <summary>
/// Decides whether an instruction touches SIMD or FPU state. A guest that does so stops with
/// "KVM internal error" on this project's KVM hosts (docs/host-notes.md), so kernel code
/// must have none. Three independent signals, because none covers everything on its own:
/// Iced's register usage misses x87 stack registers (fld1 reports none), CPUID features miss
/// fwait, and some SSE-feature instructions (lfence, prefetch, movnti) touch no SIMD state.
/// </summary>
public static class ForbiddenState
{
    private static readonly Dictionary<Mnemonic, string> ImplicitState = new()
    {
        [Mnemonic.Ldmxcsr] = "MXCSR",
        [Mnemonic.Stmxcsr] = "MXCSR",
        [Mnemonic.Vldmxcsr] = "MXCSR",
        [Mnemonic.Vstmxcsr] = "MXCSR",
        [Mnemonic.Fxsave] = "x87/SSE state save",
        [Mnemonic.Fxsave64] = "x87/SSE state save",
        [Mnemonic.Fxrstor] = "x87/SSE state restore",
        [Mnemonic.Fxrstor64] = "x87/SSE state restore",
        [Mnemonic.Xsave] = "extended state save",
        [Mnemonic.Xsave64] = "extended state save",
        [Mnemonic.Xsaveopt] = "extended state save",
        [Mnemonic.Xsaveopt64] = "extended state save",
        [Mnemonic.Xsavec] = "extended state save",
        [Mnemonic.Xsavec64] = "extended state save",
        [Mnemonic.Xsaves] = "extended state save",
        [Mnemonic.Xsaves64] = "extended state save",
        [Mnemonic.Xrstor] = "extended state restore",
        [Mnemonic.Xrstor64] = "extended state restore",
        [Mnemonic.Xrstors] = "extended state restore",
        [Mnemonic.Xrstors64] = "extended state restore",
        [Mnemonic.Xgetbv] = "XCR0 (extended state control)",
        [Mnemonic.Xsetbv] = "XCR0 (extended state control)",
        [Mnemonic.Emms] = "MMX state",
        [Mnemonic.Femms] = "MMX state",
        [Mnemonic.Vzeroupper] = "AVX YMM/ZMM state",
        [Mnemonic.Vzeroall] = "AVX YMM/ZMM state",
        [Mnemonic.Wait] = "x87 (fwait checks x87 exceptions)",
    };

    // CPUID says SSE/SSE2, but these only order memory or hint caches.
    private static readonly HashSet<Mnemonic> StateFree =
    [
        Mnemonic.Lfence, Mnemonic.Sfence, Mnemonic.Mfence,
        Mnemonic.Prefetchnta, Mnemonic.Prefetcht0, Mnemonic.Prefetcht1, Mnemonic.Prefetcht2,
        Mnemonic.Movnti, Mnemonic.Clflush, Mnemonic.Clflushopt, Mnemonic.Pause,
    ];

    private static readonly string[] ForbiddenFeaturePrefixes =
        ["SSE", "AVX", "FPU", "MMX", "D3NOW", "XSAVE", "AMX", "SHA", "SM3", "SM4", "CYRIX_FPU", "CYRIX_D3NOW", "CYRIX_EMMI", "CYRIX_DMI"];

    private static readonly HashSet<CpuidFeature> ForbiddenFeatures = Enum.GetValues<CpuidFeature>()
        .Where(f => ForbiddenFeaturePrefixes.Any(p => f.ToString().StartsWith(p, StringComparison.Ordinal))
                    || f is CpuidFeature.FMA or CpuidFeature.FMA4 or CpuidFeature.F16C or CpuidFeature.XOP
                        or CpuidFeature.FXSR or CpuidFeature.AES or CpuidFeature.VAES or CpuidFeature.PCLMULQDQ
                        or CpuidFeature.VPCLMULQDQ or CpuidFeature.GFNI or CpuidFeature.KL or CpuidFeature.AESKLE
                        or CpuidFeature.WIDE_KL or CpuidFeature.KNC)
        .ToHashSet();

    /// <summary>Why <paramref name="instruction"/> is forbidden in guest code, or null if it is fine.</summary>
    public static string? Reason(in Instruction instruction, InstructionInfoFactory infoFactory)
    {
        if (instruction.IsInvalid)
        {
            return null;
        }

        if (ImplicitState.TryGetValue(instruction.Mnemonic, out var implicitReason))
        {
            return implicitReason;
        }

        string? register = StateRegister(instruction, infoFactory);
        string? feature = instruction.CpuidFeatures.Where(ForbiddenFeatures.Contains).Select(FeatureName).FirstOrDefault();
        if (register is null && (feature is null || StateFree.Contains(instruction.Mnemonic)))
        {
            return null;
        }

        return feature is null ? register : register is null ? feature : $"{feature} {register}";
    }

    private static string? StateRegister(in Instruction instruction, InstructionInfoFactory infoFactory)
    {
        for (int i = 0; i < instruction.OpCount; i++)
        {
            if (instruction.GetOpKind(i) == OpKind.Register && IsStateRegister(instruction.GetOpRegister(i)))
            {
                return instruction.GetOpRegister(i).ToString().ToLowerInvariant();
            }
        }

        foreach (var used in infoFactory.GetInfo(instruction).GetUsedRegisters())
        {
            if (IsStateRegister(used.Register))
            {
                return used.Register.ToString().ToLowerInvariant();
            }
        }

        return null;
    }

    private static bool IsStateRegister(Register register) =>
        register.IsVectorRegister() || register.IsK() || register.IsMM() || register.IsST() || register.IsTMM();

    private static string FeatureName(CpuidFeature feature) =>
        feature.ToString() switch
        {
            var n when n.StartsWith("FPU", StringComparison.Ordinal) || n == "CYRIX_FPU" => "x87",
            var n when n.StartsWith("D3NOW", StringComparison.Ordinal) => "3DNow!",
            var n => n,
        };
}
