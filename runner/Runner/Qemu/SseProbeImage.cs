using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Runner.Qemu;

/// <summary>
/// A guest that prints 'S', executes one SSE instruction, prints 'K' and exits through
/// isa-debug-exit with value 0 (QEMU status 1). Seeing 'K' proves SSE works under KVM on
/// this host; on kvm_pvm the xorps makes KVM report an emulation failure instead.
/// </summary>
public static class SseProbeImage
{
    public const uint LoadAddress = 0x100000;
    public const ushort Com1 = 0x3f8;
    public const ushort DebugExitPort = 0xf4;
    public const char BeforeSse = 'S';
    public const char AfterSse = 'K';

    public static byte[] Code()
    {
        var a = new Assembler(32);
        // CR4.OSFXSR (bit 9) and CR0.EM clear are what a kernel sets before SSE is legal;
        // without them the guest takes #UD and the probe would measure the wrong thing.
        a.mov(eax, cr4);
        a.or(eax, 1 << 9);
        a.mov(cr4, eax);
        a.mov(eax, cr0);
        a.and(eax, ~(1 << 2));
        a.or(eax, 1 << 1);
        a.mov(cr0, eax);

        a.mov(dx, Com1);
        a.mov(al, (byte)BeforeSse);
        a.@out(dx, al);
        a.xorps(xmm0, xmm0);
        a.mov(al, (byte)AfterSse);
        a.@out(dx, al);
        a.mov(al, (byte)'\n');
        a.@out(dx, al);

        a.mov(dx, DebugExitPort);
        a.xor(eax, eax);
        a.@out(dx, eax);
        // If isa-debug-exit is missing the guest must still stop, not run into garbage.
        var hang = a.CreateLabel();
        a.Label(ref hang);
        a.cli();
        a.hlt();
        a.jmp(hang);

        using var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), LoadAddress);
        return stream.ToArray();
    }

    public static byte[] Build() => PvhImage.Build(Code(), LoadAddress);
}
