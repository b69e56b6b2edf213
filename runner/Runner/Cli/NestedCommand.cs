using System.CommandLine;
using Runner.Execution;
using Runner.Host;
using Runner.Nested;
using Runner.Processes;
using Runner.Qemu;
using Runner.Reporting;

namespace Runner.Cli;

/// <summary>`--host-kernel K` on any command that boots guests: the same command, run inside an L1 host.</summary>
public static class NestedCommand
{
    public static async Task<int> RunAsync(GlobalOptions global, ParseResult parse, IReadOnlyList<string> args)
    {
        var command = NestedArgs.Command(args);
        if (command is null || !NestedArgs.Commands.Contains(command))
            throw new UserErrorException($"--host-kernel runs a command that boots guests ({string.Join(", ", NestedArgs.Commands)}), not `{command ?? "(none)"}`");
        if (NestedHost.Current.IsL1)
            throw new UserErrorException("--host-kernel inside an L1 host: this runner already runs nested; drop the option");
        ChildProcesses.InstallHandlers();
        var paths = global.Paths(parse);
        var spec = HostKernelSpec.Parse(parse.GetValue(global.HostKernel)!, parse.GetValue(global.HostModules), Environment.CurrentDirectory);
        var kvmParams = KvmParams.Parse(parse.GetValue(global.HostKvmParams) ?? []);
        var qemu = QemuBinary.LocateOrThrow(parse.GetValue(global.Qemu));
        bool verbose = args.Contains("-v") || args.Contains("--verbose");
        var request = new NestedRequest(args, spec, kvmParams, paths, qemu, verbose);
        // In a terminal the L1 stages show as a progress bar; lines then go above it, not past it.
        return await StepProgress.RunAsync(ConsoleFactory.Create(), NestedProgress.Steps, progress =>
        {
            var stages = new NestedProgress(progress, command);
            return progress.Live
                ? NestedRunner.RunAsync(request, progress.Writer, progress.Writer, ChildProcesses.InterruptToken, stages)
                : NestedRunner.RunAsync(request, Console.Out, Console.Error, ChildProcesses.InterruptToken);
        });
    }
}
