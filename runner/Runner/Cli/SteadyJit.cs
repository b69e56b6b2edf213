using System.Runtime.InteropServices;
using Runner.Nested;

namespace Runner.Cli;

/// <summary>
/// The commands that time guests run without tiered JIT. With it, the runtime recompiles the
/// runner's hot methods on a background thread at moments of its own choosing, and on a host
/// with two CPUs for two vCPUs and the runner that was often while a guest ran its timed batch:
/// in sets of `runner ipi --xapic --no-ipiv --runs 6 --iters 200 --warmup 20` on kvm_pvm the
/// worst boot's C# / asm batch ratio was 1.46-2.77 with it (nine sets, three of them with a
/// quiet wait after the measure-begin sync or without tiered PGO, which did not help) and
/// 1.02-1.46 without (eight sets), the sets' medians 0.98-1.07 either way. Every other command
/// keeps it: without it a warm `runner run selftest` started 25-50 ms slower.
/// The switch is read once at start-up, so the process replaces itself (execve: the same PID,
/// stdio and signals) with the variable set.
/// </summary>
public static class SteadyJit
{
    public const string Variable = "DOTNET_TieredCompilation";
    public static readonly IReadOnlyList<string> MeasuringCommands = ["ipi", "vmexit", "wakeup", "pveoi"];

    /// <summary>True when this invocation should re-execute itself without tiered JIT.</summary>
    public static bool Wanted(IReadOnlyList<string> args, string? variable) =>
        variable is null && NestedArgs.Command(args) is { } command && MeasuringCommands.Contains(command);

    /// <summary>Returns only when no re-execution is wanted or it failed (then the run goes on, tiered, and says so).</summary>
    public static void ReexecIfMeasuring(string[] args)
    {
        if (!OperatingSystem.IsLinux() || !Wanted(args, Environment.GetEnvironmentVariable(Variable))) return;
        var exe = Environment.ProcessPath;
        if (exe is null) return;
        // Started as `dotnet runner.dll`: the host needs the assembly again.
        var prefix = Path.GetFileNameWithoutExtension(exe) == "dotnet"
            ? new[] { exe, typeof(SteadyJit).Assembly.Location }
            : new[] { exe };
        var argv = prefix.Concat(args).Append(null).ToArray();
        var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => $"{e.Key}={e.Value}")
            .Append($"{Variable}=0").Append(null).ToArray();
        string why;
        try { execve(exe, argv, env); why = $"execve failed (errno {Marshal.GetLastPInvokeError()})"; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or MarshalDirectiveException) { why = e.Message; }
        Console.Error.WriteLine($"runner: warning: could not restart without tiered JIT ({why}); its background recompiles may disturb the timed batches (set {Variable}=0 to avoid them)");
    }

    // glibc's soname: "libc" alone may find only the development linker script. LPStr is
    // UTF-8 on Linux, which is what the kernel takes.
    [DllImport("libc.so.6", SetLastError = true)]
    static extern int execve([MarshalAs(UnmanagedType.LPUTF8Str)] string path,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] argv,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] envp);
}
