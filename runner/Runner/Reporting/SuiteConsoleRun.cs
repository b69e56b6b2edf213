using Runner.Config;
using Runner.Execution;
using Runner.Processes;
using Spectre.Console;

namespace Runner.Reporting;

/// <summary>Runs a suite with its results on the console, and a progress bar when a person watches a terminal.</summary>
public static class SuiteConsoleRun
{
    public static async Task<IReadOnlyList<TestRunResult>> RunAsync(
        IAnsiConsole human, IReadOnlyList<TestEntry> selected, RunSettings settings, int jobs, bool verbose,
        ConsoleReporter reporter, Action<TestEntry, OutputLine>? live)
    {
        // A progress bar only helps a person watching a terminal; with -v the guest lines are the progress.
        if (!human.Profile.Capabilities.Interactive || verbose)
            return await SuiteRunner.RunAsync(selected, settings, jobs, reporter.Result, live, ChildProcesses.InterruptToken);

        IReadOnlyList<TestRunResult> results = [];
        await human.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var progress = new SuiteProgress(selected);
                var task = ctx.AddTask(Markup.Escape(progress.Description), maxValue: selected.Count);
                results = await SuiteRunner.RunAsync(selected, settings, jobs,
                    r => { reporter.Result(r); progress.Finished(r); task.Increment(1); task.Description = Markup.Escape(progress.Description); },
                    live, ChildProcesses.InterruptToken,
                    e => { progress.Started(e); task.Description = Markup.Escape(progress.Description); });
            });
        return results;
    }
}
