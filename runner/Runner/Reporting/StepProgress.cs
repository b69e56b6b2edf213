using Spectre.Console;

namespace Runner.Reporting;

/// <summary>
/// Progress of a long run (boots of vmexit or pveoi, the stages of an L1 host): in a terminal a
/// Spectre progress bar whose text says what runs now and what is left, redrawn in place; in a
/// pipe, a log or CI only the lines the run prints anyway, so nothing is redrawn and no escape
/// code gets in. Callbacks may come from several threads.
/// </summary>
public sealed class StepProgress
{
    readonly IAnsiConsole _console;
    readonly ProgressTask? _task;
    readonly object _gate = new();

    StepProgress(IAnsiConsole console, ProgressTask? task)
    {
        _console = console;
        _task = task;
    }

    /// <summary>Whether a redrawn display helps: a person at a terminal, not a CI log (which may fake one).</summary>
    public static bool IsLive(IAnsiConsole console, string? ciVariable) =>
        console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi
        && !string.Equals(ciVariable, "true", StringComparison.OrdinalIgnoreCase);

    /// <param name="ciVariable">$CI; the environment's when not given.</param>
    public static async Task<T> RunAsync<T>(IAnsiConsole console, double total, Func<StepProgress, Task<T>> body, string? ciVariable = null)
    {
        if (!IsLive(console, ciVariable ?? Environment.GetEnvironmentVariable("CI")))
            return await body(new StepProgress(console, null));
        T result = default!;
        await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: Math.Max(total, 1));
                result = await body(new StepProgress(console, task));
                task.Value = task.MaxValue;
            });
        return result;
    }

    public bool Live => _task is not null;

    /// <summary>What runs now and what is left; shown only in the live display.</summary>
    public void Status(string text)
    {
        if (_task is null) return;
        lock (_gate) _task.Description = Markup.Escape(text);
    }

    public void Advance(double by = 1)
    {
        if (_task is null) return;
        lock (_gate) _task.Increment(by);
    }

    /// <summary>Fewer steps than planned (a setting the host cannot give).</summary>
    public void Shrink(double by)
    {
        if (_task is null) return;
        lock (_gate) _task.MaxValue = Math.Max(_task.Value, _task.MaxValue - by);
    }

    /// <summary>A line of the run's output, printed above the live display or as it is.</summary>
    public void Line(string text)
    {
        lock (_gate) _console.WriteLine(text);
    }

    /// <summary>The same lines for code that writes to a TextWriter.</summary>
    public TextWriter Writer => new LineWriter(this);

    sealed class LineWriter(StepProgress progress) : TextWriter
    {
        readonly System.Text.StringBuilder _pending = new();

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\n') { progress.Line(_pending.ToString().TrimEnd('\r')); _pending.Clear(); }
            else _pending.Append(value);
        }

        public override void WriteLine(string? value)
        {
            Write(value);
            Write('\n');
        }

        public override void Write(string? value)
        {
            foreach (var c in value ?? "") Write(c);
        }

        protected override void Dispose(bool disposing)
        {
            if (_pending.Length > 0) { progress.Line(_pending.ToString()); _pending.Clear(); }
            base.Dispose(disposing);
        }
    }
}
