namespace Runner.Config;

/// <summary>A problem at one line of a config file; the message starts with file:line so editors can jump there.</summary>
public sealed class ConfigErrorException(string file, int line, string problem)
    : UserErrorException($"{file}:{line}: {problem}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public string Problem { get; } = problem;
}
