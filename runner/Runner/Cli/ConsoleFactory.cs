using Spectre.Console;

namespace Runner.Cli;

/// <summary>The Spectre console for human output. Redirected output gets no colour and no wrapping, so logs and CI keep one result per line.</summary>
public static class ConsoleFactory
{
    public static IAnsiConsole Create(TextWriter? output = null)
    {
        bool redirected = output is not null || Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output ?? Console.Out),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
            console.Profile.Width = 4096;
        return console;
    }
}
