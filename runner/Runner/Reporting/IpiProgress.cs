using System.Globalization;
using Runner.Bench;
using Runner.Processes;
using Runner.Protocol;
using Spectre.Console;

namespace Runner.Reporting;

/// <summary>
/// Runs `runner ipi`'s bench with progress on the console: a live bar in an interactive
/// terminal, one line per run in logs and CI (where a redrawn bar is noise).
/// </summary>
public static class IpiProgress
{
    public static async Task<IpiBench.Outcome> RunAsync(IAnsiConsole console, IpiBench bench, IpiPlan plan)
    {
        if (!(console.Profile.Capabilities.Interactive && !IsCi()))
        {
            bench.Progress = new Plain(console);
            return await bench.RunAsync(plan, ChildProcesses.InterruptToken);
        }
        IpiBench.Outcome? outcome = null;
        await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                bench.Progress = new Live(ctx, console);
                outcome = await bench.RunAsync(plan, ChildProcesses.InterruptToken);
            });
        return outcome!;
    }

    static bool IsCi() =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    sealed class Plain(IAnsiConsole console) : IIpiProgress
    {
        public void ColumnStarted(IpiColumn column, int runs) => console.WriteLine($"{column.Label}: {runs} run(s)");
        public void ColumnSkipped(IpiColumn column, string reason) => console.WriteLine($"{column.Label}: unavailable (reason below)");
        public void Note(string text) => console.WriteLine(text);
        public void RunFinished(IpiColumn column, IpiRun run, int of) => console.WriteLine(RunLine(column, run, of));
    }

    sealed class Live(ProgressContext ctx, IAnsiConsole console) : IIpiProgress
    {
        readonly Dictionary<IpiColumn, ProgressTask> _tasks = [];

        public void ColumnStarted(IpiColumn column, int runs)
        {
            lock (_tasks) _tasks[column] = ctx.AddTask(Markup.Escape(column.Label), maxValue: runs);
        }

        public void ColumnSkipped(IpiColumn column, string reason) =>
            console.MarkupLine($"[yellow]{Markup.Escape(column.Label)}[/]: unavailable (reason below)");

        public void Note(string text) => console.MarkupLine($"[grey]{Markup.Escape(text)}[/]");

        public void RunFinished(IpiColumn column, IpiRun run, int of)
        {
            lock (_tasks)
                if (_tasks.TryGetValue(column, out var t)) t.Increment(1);
            if (!run.Used)
                console.MarkupLine($"[red]{Markup.Escape(RunLine(column, run, of))}[/]");
        }
    }

    static string RunLine(IpiColumn column, IpiRun run, int of)
    {
        var head = $"  {column.Label} run {run.Index}/{of} {run.Outcome.Label()}";
        if (!run.Used) return $"{head}: excluded: {run.Excluded}";
        var cycles = run.Metric(IpiAnalysis.CyclesAvg)?.ToString("#,##0", CultureInfo.InvariantCulture) ?? "n/a";
        var exits = run.ExitsPerIpi is { } e ? e.ToString("0.00", CultureInfo.InvariantCulture) + " exits/IPI" : "exits n/a";
        return $"{head} {cycles} cycles, {exits} ({run.DurationSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s)";
    }
}
