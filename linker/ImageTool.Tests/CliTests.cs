namespace ImageTool.Tests;

public class CliTests
{
    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = ImageToolCli.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static ElfBuilder Clean() =>
        new ElfBuilder(Hex.Bytes("48 89 C8 C3")).Symbol("main", 0).PvhNote();

    [Fact]
    public void CheckSucceedsOnACleanImage()
    {
        using var elf = new TempElf(Clean());

        var (exitCode, output, error) = Run("check", elf.Path);

        Assert.Equal(0, exitCode);
        Assert.Contains($"imagetool: {elf.Path} OK: 2 instructions in 1 functions", output);
        Assert.Empty(error);
    }

    [Fact]
    public void CheckExits1WhenTheImageFails()
    {
        using var elf = new TempElf(new ElfBuilder(Hex.Bytes("0F 57 C0 C3")).Symbol("main", 0).PvhNote());

        var (exitCode, output, _) = Run("check", elf.Path);

        Assert.Equal(1, exitCode);
        Assert.Contains("xorps xmm0,xmm0", output);
    }

    [Fact]
    public void BadInputIsOneLineOnStderrAndExit2WithoutAStackTrace()
    {
        var (exitCode, output, error) = Run("check", "/nonexistent/k.elf");

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Equal("imagetool: /nonexistent/k.elf: file not found; build the kernel image first (make build/<kernel>.elf)" + Environment.NewLine, error);
    }

    [Fact]
    public void NotAnElfIsBadInput()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "hello");
            var (exitCode, _, error) = Run("check", path);

            Assert.Equal(2, exitCode);
            Assert.Contains("not an ELF file", error);
            Assert.DoesNotContain("   at ", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void DisasmTakesSymbolAndSyntax()
    {
        using var elf = new TempElf(Clean());

        var (exitCode, output, _) = Run("disasm", elf.Path, "main", "--syntax", "gas");

        Assert.Equal(0, exitCode);
        Assert.Contains("mov %rcx,%rax", output);
    }

    [Fact]
    public void DisasmListPrintsFunctionSymbols()
    {
        using var elf = new TempElf(Clean());

        var (exitCode, output, _) = Run("disasm", elf.Path, "--list");

        Assert.Equal(0, exitCode);
        Assert.Contains("1 function(s)", output);
        Assert.Contains("  main", output);
    }

    [Fact]
    public void DisasmUnknownSymbolExitsNonZeroWithOneLine()
    {
        using var elf = new TempElf(Clean());

        var (exitCode, _, error) = Run("disasm", elf.Path, "Nope");

        Assert.Equal(2, exitCode);
        Assert.Single(error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData]
    [InlineData("check")]
    [InlineData("disasm", "x.elf", "main", "--syntax", "att")]
    [InlineData("frobnicate")]
    public void UsageErrorsExit2(params string[] args)
    {
        var (exitCode, _, error) = Run(args);

        Assert.Equal(2, exitCode);
        Assert.Contains("imagetool --help", error);
    }

    [Fact]
    public void HelpDocumentsTheBitnessConvention()
    {
        var (exitCode, output, _) = Run("check", "--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("code32_", output);
        Assert.Contains("code16_", output);
        Assert.Contains("code64_", output);
    }
}
