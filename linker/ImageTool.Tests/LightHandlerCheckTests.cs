namespace ImageTool.Tests;

/// <summary>
/// `imagetool check` on a light lean handler (lean_light_handler_N), whose entry saves only rax,
/// rcx and rdx: hand-written code that writes rsi, rdi or r8 to r11 directly, through a call, or
/// calls through a register fails; code that writes only the saved registers passes.
/// </summary>
public class LightHandlerCheckTests
{
    private static (int ExitCode, string Output) Check(ElfBuilder builder)
    {
        using var elf = new TempElf(builder);
        var output = new StringWriter();
        int exitCode = ImageCommands.Check(elf.Path, output);
        return (exitCode, output.ToString().Replace(elf.Path, "IMAGE"));
    }

    [Fact]
    public void AHandlerThatWritesOnlySavedOrCalleeSavedRegistersPasses()
    {
        // push rbx; xor rax,rax; xor rcx,rcx; lea rdx,[rsp+8]; pop rbx; ret
        var (exitCode, output) = Check(new ElfBuilder(Hex.Bytes("53 48 31 C0 48 31 C9 48 8D 54 24 08 5B C3"))
            .Symbol("lean_light_handler_0", 0).PvhNote());

        Assert.Equal(0, exitCode);
        Assert.Contains(" OK: ", output);
    }

    [Fact]
    public void WritingR8FailsNamingTheRegisterAndThePlace()
    {
        // mov r8,rax; ret
        var (exitCode, output) = Check(new ElfBuilder(Hex.Bytes("49 89 C0 C3")).Symbol("lean_light_handler_0", 0).PvhNote());

        Assert.Equal(1, exitCode);
        Assert.Contains("1 problem(s) in light lean handlers", output);
        Assert.Contains("lean_light_handler_0: writes r8 at 0x100000 (lean_light_handler_0+0x0: mov r8,rax), which a light entry does not save", output);
    }

    [Fact]
    public void WritingRdiFailsToo()
    {
        // lea rdi,[rsp+8]; ret: what an [UnmanagedCallersOnly] handler's reverse-P/Invoke frame does
        var (exitCode, output) = Check(new ElfBuilder(Hex.Bytes("48 8D 7C 24 08 C3")).Symbol("lean_light_handler_0", 0).PvhNote());

        Assert.Equal(1, exitCode);
        Assert.Contains("lean_light_handler_0: writes rdi at 0x100000 (lean_light_handler_0+0x0: lea rdi,[rsp+8]), which a light entry does not save", output);
    }

    [Fact]
    public void AWriteInAFunctionItCallsFailsToo()
    {
        // handler: call helper; ret | helper: xor r10d,r10d; ret
        var (exitCode, output) = Check(new ElfBuilder(Hex.Bytes("E8 01 00 00 00 C3 45 31 D2 C3"))
            .Symbol("lean_light_handler_1", 0).Symbol("helper", 6).PvhNote());

        Assert.Equal(1, exitCode);
        Assert.Contains("lean_light_handler_1: writes r10 at 0x100006 (helper+0x0: ", output);
    }

    [Fact]
    public void AnIndirectCallCannotBeCheckedAndFails()
    {
        // call rax; ret
        var (exitCode, output) = Check(new ElfBuilder(Hex.Bytes("FF D0 C3")).Symbol("lean_light_handler_0", 0).PvhNote());

        Assert.Equal(1, exitCode);
        Assert.Contains("lean_light_handler_0: indirect call at 0x100000", output);
    }

    [Fact]
    public void TheWeakDefaultIsNotChecked()
    {
        // The boot code's default saves r8 to r11 itself: push r8; ...; pop r8; ret
        var (exitCode, _) = Check(new ElfBuilder(Hex.Bytes("41 50 41 58 C3"))
            .Symbol("lean_light_handler_0", 0, binding: ElfSymbolBinding.Weak).PvhNote());

        Assert.Equal(0, exitCode);
    }

    [Fact]
    public void ARaxOnlyHandlerThatWritesRcxFails()
    {
        // lea rax,[rsp+8]; xor ecx,ecx; ret: rcx is saved by a light entry, not by a rax-only one
        var (exitCode, output) = Check(new ElfBuilder(Hex.Bytes("48 8D 44 24 08 31 C9 C3")).Symbol("lean_rax_handler_0", 0).PvhNote());

        Assert.Equal(1, exitCode);
        Assert.Contains("lean_rax_handler_0: writes rcx at 0x100005 (lean_rax_handler_0+0x5: xor ecx,ecx), which a rax-only entry does not save", output);
    }

    [Fact]
    public void ARaxOnlyHandlerThatWritesOnlyRaxPasses()
    {
        // mov rax,[rsp+8]; mov dword [rax+0xB0],0; ret: an xAPIC EOI through a base in rax
        var (exitCode, output) = Check(new ElfBuilder(Hex.Bytes("48 8B 44 24 08 C7 80 B0 00 00 00 00 00 00 00 C3"))
            .Symbol("lean_rax_handler_1", 0).PvhNote());

        Assert.Equal(0, exitCode);
        Assert.Contains(" OK: ", output);
    }
}
