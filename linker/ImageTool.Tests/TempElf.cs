namespace ImageTool.Tests;

/// <summary>An ELF written to a temp file for the path-based commands; deleted on dispose.</summary>
internal sealed class TempElf : IDisposable
{
    public TempElf(byte[] bytes)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"imagetool-test-{Guid.NewGuid():N}.elf");
        File.WriteAllBytes(Path, bytes);
    }

    public TempElf(ElfBuilder builder) : this(builder.Build())
    {
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}
