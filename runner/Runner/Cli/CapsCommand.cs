using System.CommandLine;
using Runner.Execution;
using Runner.Host;
using Runner.Processes;
using Runner.Qemu;
using Runner.Reporting;

namespace Runner.Cli;

/// <summary>`runner caps`: probe the host (files, QEMU, a KVM boot) and explain every missing capability.</summary>
public static class CapsCommand
{
    public static Command Create(GlobalOptions global)
    {
        var sysRoot = new Option<string>("--sys-root")
        {
            Description = "Read sysfs/procfs/dev from this tree instead of / (recorded fixtures)",
            DefaultValueFactory = _ => "/",
        };
        var refresh = new Option<bool>("--refresh") { Description = "Boot the KVM probe guest again instead of using its cached answer" };
        var command = new Command("caps", "Show what this host can virtualize, and why not where it cannot") { sysRoot, refresh };
        command.SetAction(async p =>
        {
            ChildProcesses.InstallHandlers();
            var root = p.GetValue(sysRoot)!;
            if (!Directory.Exists(root))
                throw new UserErrorException($"--sys-root {root}: no such directory: pass a folder with sys/, proc/ and dev/");
            // Without these every capability would read as absent, as if the host lacked it.
            var missing = new[] { "proc/cpuinfo", "sys/module" }.Where(f => !Path.Exists(Path.Combine(root, f))).ToList();
            if (missing.Count > 0)
                throw new UserErrorException($"--sys-root {root}: the tree has no {string.Join(" or ", missing.Select(m => "/" + m))}: it is not a host's sysfs/procfs; pass / or a recorded tree");
            var qemu = QemuBinary.Locate(p.GetValue(global.Qemu),
                Environment.GetEnvironmentVariable(QemuBinary.EnvironmentVariable), Environment.GetEnvironmentVariable("PATH"));
            // A recorded tree describes another machine: booting a guest here would mix two hosts.
            var caps = await HostCapsProbe.ProbeAsync(root, qemu, bootGuest: root == "/", ChildProcesses.InterruptToken,
                refresh: p.GetValue(refresh));
            CapsReport.Write(caps, Console.Out);
            return ExitCodes.Success;
        });
        return command;
    }
}
