namespace Runner.Host;

/// <summary>
/// Carries out <see cref="ReloadPlan"/>s (runner ipi --reload-kvm) and puts the original
/// module parameters back afterwards, also after Ctrl-C or SIGTERM. After every reload the
/// parameters are read back from sysfs: a CPU without the feature makes KVM quietly turn
/// it off again, which must not pass for success. The command runner is injectable so
/// tests never run modprobe.
/// </summary>
public sealed class KvmReloader
{
    /// <summary>Runs one command; returns its exit status and output (for messages).</summary>
    public delegate Task<(int Status, string Output)> CommandRunner(IReadOnlyList<string> argv);

    readonly string _root;
    readonly CommandRunner _run;
    readonly object _gate = new();
    string? _module;
    // The values before the first reload, per parameter this reloader has touched.
    readonly SortedDictionary<string, string> _initial = new(StringComparer.Ordinal);
    int _restored;

    public KvmReloader(string root, CommandRunner run)
    {
        _root = root;
        _run = run;
    }

    public bool Changed
    {
        get { lock (_gate) return _initial.Count > 0; }
    }

    /// <summary>Reloads and verifies; returns null on success, else why it failed (the module may need the restore).</summary>
    public async Task<string?> ApplyAsync(ReloadPlan plan)
    {
        lock (_gate)
        {
            if (_module is not null && _module != plan.Module)
                return $"already changed {_module}; will not also reload {plan.Module}";
            _module = plan.Module;
            foreach (var (name, value) in plan.Original)
                _initial.TryAdd(name, value);
        }
        foreach (var cmd in plan.Commands)
        {
            var (status, output) = await _run(cmd);
            if (status != 0)
                return $"`{string.Join(' ', cmd)}` failed with status {status}{Tail(output)}";
        }
        return Verify(plan.Module, plan.Set, "after the reload");
    }

    /// <summary>Puts every touched parameter back to its value before the first reload; runs once.</summary>
    public async Task<string?> RestoreAsync()
    {
        string module;
        SortedDictionary<string, string> initial;
        lock (_gate)
        {
            if (_module is null || _initial.Count == 0) return null;
            if (Interlocked.Exchange(ref _restored, 1) == 1) return null;
            module = _module;
            initial = new SortedDictionary<string, string>(_initial, StringComparer.Ordinal);
        }
        var plan = new ReloadPlan(module, initial, initial);
        foreach (var cmd in plan.Commands)
        {
            var (status, output) = await _run(cmd);
            if (status != 0)
                return $"restoring {module}: `{string.Join(' ', cmd)}` failed with status {status}{Tail(output)}; " +
                       $"restore by hand: {plan.ShellLine}";
        }
        return Verify(module, initial, "after restoring");
    }

    string? Verify(string module, IReadOnlyDictionary<string, string> wanted, string when)
    {
        var modules = KvmModules.Read(_root);
        if (!modules.IsLoaded(module))
            return $"{module} is not loaded {when} (see dmesg)";
        var wrong = new List<string>();
        foreach (var (name, value) in wanted)
        {
            var actual = modules.Parameter(module, name);
            if (actual is null || KvmModules.IsOn(actual) != KvmModules.IsOn(value))
                wrong.Add($"{name}={actual ?? "missing"} although {value} was asked");
        }
        return wrong.Count == 0 ? null
            : $"{module} {string.Join(", ", wrong)} {when}: the CPU lacks the feature or KVM refused it (see dmesg)";
    }

    static string Tail(string output)
    {
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return last is null ? "" : $": {last}";
    }

    /// <summary>
    /// The real thing: modprobe, bounded. Deliberately not through ProcessRunner: after Ctrl-C
    /// or SIGTERM the runner kills every child it registered, and the restore must still run then.
    /// </summary>
    public static async Task<(int Status, string Output)> RunCommandAsync(IReadOnlyList<string> argv)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in argv.Skip(1)) psi.ArgumentList.Add(a);
        using var p = new System.Diagnostics.Process { StartInfo = psi };
        try { p.Start(); }
        catch (System.ComponentModel.Win32Exception e) { return (-1, $"cannot start {argv[0]}: {e.Message}"); }
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await p.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            return (-1, $"{argv[0]} did not finish within 60 s");
        }
        return (p.ExitCode, (await stdout) + (await stderr));
    }
}
