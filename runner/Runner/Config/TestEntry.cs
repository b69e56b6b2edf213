namespace Runner.Config;

/// <summary>One `[name]` of tests/unittests.cfg, with defaults applied.</summary>
public sealed record TestEntry
{
    public const string DefaultMachine = "microvm";
    public const double DefaultTimeoutSeconds = 30;

    public required string Name { get; init; }
    /// <summary>Image base name: build/&lt;File&gt;.elf.</summary>
    public required string File { get; init; }
    public int Smp { get; init; } = 1;
    public string Machine { get; init; } = DefaultMachine;
    /// <summary>Guest command-line words (key=value), without the runner's own cpus=N.</summary>
    public IReadOnlyList<string> Append { get; init; } = [];
    public IReadOnlyList<string> ExtraParams { get; init; } = [];
    public IReadOnlyList<string> Groups { get; init; } = [];
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(DefaultTimeoutSeconds);
    public AccelMode Accel { get; init; } = AccelMode.Any;
    public IReadOnlyList<string> Requires { get; init; } = [];
    /// <summary>`expect =`: the verdict a deliberately failing kernel must get (the fault suite); null for an ordinary test.</summary>
    public Expectation? Expect { get; init; }
    /// <summary>Line of the [name] header, for messages that point back at the config.</summary>
    public int Line { get; init; }
}
