using System.CommandLine;

namespace Runner.Cli;

/// <summary>Builds the command tree and turns bad input into one line on stderr with exit code 2.</summary>
public static class RunnerCli
{
    public static RootCommand Build() => Build(new GlobalOptions());

    static RootCommand Build(GlobalOptions global)
    {
        var root = new RootCommand("Runs and inspects the x86 interrupt-virtualization test kernels");
        global.AddTo(root);
        root.Subcommands.Add(ListCommand.Create(global));
        root.Subcommands.Add(RunCommand.Create(global));
        root.Subcommands.Add(CapsCommand.Create(global));
        root.Subcommands.Add(DisasmCommand.Create(global));
        root.Subcommands.Add(TotalsCommand.Create());
        root.Subcommands.Add(PveoiCommand.Create(global));
        root.Subcommands.Add(IpiCommand.Create(global));
        root.Subcommands.Add(VmexitCommand.Create(global));
        root.Subcommands.Add(WakeupCommand.Create(global));
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        return root;
    }

    /// <summary>A first word that is no command: name it and list the commands (System.CommandLine only says one is missing).</summary>
    static string? UnknownCommand(RootCommand root, ParseResult parse)
    {
        if (parse.CommandResult.Command != root || parse.UnmatchedTokens.Count == 0)
            return null;
        var word = parse.UnmatchedTokens[0];
        var commands = string.Join(", ", root.Subcommands.Select(c => c.Name));
        return word.StartsWith('-')
            ? $"runner: unknown option '{word}': give a command first ({commands}); see `runner --help`"
            : $"runner: unknown command '{word}': the commands are {commands}; see `runner --help`";
    }

    public static async Task<int> RunAsync(string[] args, TextWriter? error = null)
    {
        error ??= Console.Error;
        var global = new GlobalOptions();
        var root = Build(global);
        var parse = root.Parse(args);
        if (UnknownCommand(root, parse) is { } unknown)
        {
            error.WriteLine(unknown);
            return ExitCodes.UsageError;
        }
        if (parse.Errors.Count > 0)
        {
            // System.CommandLine's messages can span lines (lists of allowed values); keep one line.
            var message = string.Join(' ', parse.Errors[0].Message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.');
            error.WriteLine($"runner: {message}: see `runner --help`");
            return ExitCodes.UsageError;
        }
        try
        {
            if (parse.GetValue(global.HostKernel) is not null)
                return await NestedCommand.RunAsync(global, parse, args);
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                // Our own handlers stop QEMU on Ctrl-C; System.CommandLine's would race them.
                ProcessTerminationTimeout = null,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (UserErrorException e)
        {
            error.WriteLine($"runner: {e.Message}");
            return ExitCodes.UsageError;
        }
    }
}
