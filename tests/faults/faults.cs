using System.Runtime.InteropServices;
using Kernel;

/// <summary>
/// Deliberate failures, one per `mode=`, so the runner's handling of each is tested
/// against a real guest (tests/unittests.cfg group `faults`, each entry's `expect =`
/// says what the runner must conclude; docs/faults.md). Every mode either ends the VM
/// or, where the runner should have stopped it, ends itself after a TSC deadline with a
/// failed check naming what never happened.
/// </summary>
internal static unsafe class TestKernel
{
    public const string Name = "faults";

    /// <summary>How long a hang mode spins before it gives up on the runner stopping it.</summary>
    private const ulong HangLimitUs = 120_000_000;
    /// <summary>A line of this many bytes is longer than the runner accepts (8 KiB, docs/protocol.md).</summary>
    private const int OverlongBytes = 12 * 1024;
    private const int NoiseLines = 8, NoiseBytesPerLine = 64;
    private const byte Escape = 0x1B, Bell = 0x07;

    // CR0.EM clear and CR0.MP set, CR4.OSFXSR set: what an OS does before SSE is legal (SDM vol. 3A 13.1.3).
    private const ulong Cr0Mp = 1 << 1, Cr0Em = 1 << 2, Cr4Osfxsr = 1 << 9;
    /// <summary>xorps xmm0, xmm0; ret, written at run time: the image check sees only data.</summary>
    private struct SseStub { public fixed byte Code[4]; }
    private static SseStub s_sse;

    /// <summary>An IDT descriptor with limit 0: any exception then cannot be delivered (SDM vol. 3A 6.14.2).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    private struct EmptyIdt { public ushort Limit; public ulong Base; }

    // Read through a field so the compiler cannot see a constant address.
    private static ulong* s_null;
    /// <summary>Bit 63 set with bits 62:47 clear: not canonical, so a load from it is #GP(0) (SDM vol. 1 3.3.7.1).</summary>
    private static ulong* s_nonCanonical = (ulong*)0x8000_0000_0000_0000;

    [DllImport("*"), SuppressGCTransition] private static extern void divide_by_zero();

    public static void Run()
    {
        if (CommandLine.Is("mode", "spin-if")) Spin(interrupts: true);
        else if (CommandLine.Is("mode", "spin-cli")) Spin(interrupts: false);
        else if (CommandLine.Is("mode", "cli-hlt")) CliHlt();
        else if (CommandLine.Is("mode", "triple")) TripleFault();
        else if (CommandLine.Is("mode", "pf-null")) Report.Metric("faults.null_read", (long)*s_null, "hex");
        else if (CommandLine.Is("mode", "gp")) Report.Metric("faults.noncanonical_read", (long)*s_nonCanonical, "hex");
        else if (CommandLine.Is("mode", "de")) divide_by_zero();
        else if (CommandLine.Is("mode", "sse")) Sse();
        else if (CommandLine.Is("mode", "noise")) Noise();
        else if (CommandLine.Is("mode", "overlong")) Overlong();
        else if (CommandLine.Is("mode", "malformed")) Line("#kt check maybe faults.malformed");
        else if (CommandLine.Is("mode", "lying-summary")) EndWith("#kt end 3 0 0", Report.ExitPass, twice: false);
        else if (CommandLine.Is("mode", "second-summary")) EndWith("#kt end 1 0 0", Report.ExitPass, twice: true);
        else if (CommandLine.Is("mode", "exit-status")) EndWith("#kt end 1 0 0", Report.ExitFail, twice: false);
        else Report.Check(false, "faults.mode", "no known mode= on the command line");
        // Reached only when a mode did not end the VM the way it should have.
        Report.Check(false, "faults.survived", "the fault did not stop the guest");
    }

    private static void Spin(bool interrupts)
    {
        if (interrupts) Cpu.EnableInterrupts(); else Cpu.DisableInterrupts();
        ulong deadline = Tsc.Deadline(HangLimitUs);
        while (!Tsc.Passed(deadline)) Cpu.Pause();
        Cpu.DisableInterrupts();
        Report.Check(false, "faults.hang.not_stopped", "the runner let a silent guest spin for 120 s");
    }

    private static void CliHlt()
    {
        // Nothing can wake it: no interrupts, and the runner sends no NMI. Only the runner's idle timeout ends this.
        Cpu.DisableInterrupts();
        for (;;) Cpu.Halt();
    }

    private static void TripleFault()
    {
        EmptyIdt idt;
        idt.Limit = 0;
        idt.Base = 0;
        Cpu.LoadIdt(&idt);
        // #PF cannot be delivered, nor the #DF that follows: shutdown (a reset, or QEMU's exit with -no-reboot).
        Report.Metric("faults.null_read", (long)*s_null, "hex");
    }

    private static void Sse()
    {
        s_sse.Code[0] = 0x0F; s_sse.Code[1] = 0x57; s_sse.Code[2] = 0xC0; s_sse.Code[3] = 0xC3;
        Cpu.WriteCr0((Cpu.ReadCr0() & ~Cr0Em) | Cr0Mp);
        Cpu.WriteCr4(Cpu.ReadCr4() | Cr4Osfxsr);
        fixed (byte* code = s_sse.Code)
            ((delegate* unmanaged[SuppressGCTransition]<void>)code)();
        Cpu.WriteCr4(Cpu.ReadCr4() & ~Cr4Osfxsr);
        // The host ran it: SSE works in guests here, which is a pass for this mode.
        Report.Check(true, "faults.sse.ran");
        Report.Finish();
    }

    /// <summary>
    /// UTF-8 the runner must escape byte by byte, one char per byte (Console.Write sends the
    /// low byte of each): a C1 CSI (U+009B), a lone continuation byte, an overlong "/", an
    /// encoded surrogate, the noncharacter U+FFFE, a right-to-left override (U+202E). Then
    /// "×" (U+00D7), printable, which it keeps as the character.
    /// </summary>
    private const string Utf8MustEscape = "\u00C2\u009B[2J \u0080 \u00C0\u00AF \u00ED\u00A0\u0080 \u00EF\u00BF\u00BE \u00E2\u0080\u00AE ";
    private const string Utf8Printable = "\u00C3\u0097 ";

    /// <summary>Bytes no terminal should see raw: ESC sequences, BEL, NUL, DEL, high bytes, a lone CR, bad UTF-8, then random bytes.</summary>
    private static void Noise()
    {
        ulong state = 0x9E3779B97F4A7C15;
        Console.Begin();
        for (int line = 0; line < NoiseLines; line++)
        {
            Console.Write("noise ");
            Serial.Write(Escape); Console.Write("[31mred"); Serial.Write(Escape); Console.Write("[0m ");
            Serial.Write(Escape); Console.Write("]0;title"); Serial.Write(Bell);
            Serial.Write(0); Serial.Write(0x7F); Serial.Write(0xFF); Serial.Write((byte)'\r'); Serial.Write((byte)' ');
            Console.Write(Utf8MustEscape); Console.Write(Utf8Printable);
            for (int i = 0; i < NoiseBytesPerLine; i++)
            {
                // xorshift64: any byte but a newline, so every noise line stays one line.
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                byte b = (byte)state;
                Serial.Write(b == (byte)'\n' ? (byte)'N' : b);
            }
            Console.WriteLine();
        }
        Console.End();
        Report.Check(true, "faults.noise.sent");
        Report.Finish();
    }

    private static void Overlong()
    {
        Console.Begin();
        for (int i = 0; i < OverlongBytes; i++) Serial.Write((byte)'x');
        Console.WriteLine();
        Console.End();
        Report.Check(false, "faults.overlong.not_stopped", "the runner read the whole overlong line");
    }

    private static void Line(string text)
    {
        Console.WriteLine(text);
        Report.Check(true, "faults.line.sent");
        Report.Finish();
    }

    /// <summary>One passed check, then a summary (once or twice) and an exit value the runner must not believe.</summary>
    private static void EndWith(string end, uint exitValue, bool twice)
    {
        Report.Check(true, "faults.summary.before");
        Console.WriteLine(end);
        if (twice) Console.WriteLine(end);
        Exit.Now(exitValue);
    }
}
