namespace ImageTool;

/// <summary>
/// Bad input (missing file, not an ELF, unknown symbol...). The message names the problem and
/// the fix, so callers print it as one line instead of a stack trace.
/// </summary>
public sealed class ImageToolException : Exception
{
    public ImageToolException(string message) : base(message)
    {
    }
}
