using Runner.Config;
using Runner.Host;
using Runner.Qemu;
using Runner.Workspace;

namespace Runner.Execution;

/// <summary>
/// What `runner run` was asked to boot, read and checked before the host is probed: the
/// selected entries (every image built), the errata, QEMU and the accelerator asked for.
/// </summary>
public sealed record SuiteSelection
{
    public required ProjectPaths Paths { get; init; }
    public required IReadOnlyList<TestEntry> Selected { get; init; }
    public required IReadOnlyList<Erratum> Errata { get; init; }
    public required string QemuPath { get; init; }
    /// <summary>The --accel option; null when not given.</summary>
    public AccelMode? ForcedAccel { get; init; }

    /// <exception cref="UserErrorException">a config is bad, a test is unknown, an image is not built, or QEMU is missing</exception>
    /// <exception cref="ConfigErrorException"></exception>
    public static SuiteSelection Load(ProjectPaths paths, IReadOnlyList<string> names, string? group, string? qemuOption, string? accel)
    {
        var entries = Entries(paths);
        var errata = ErrataParser.ParseFile(paths.ErrataConfig, paths.Display(paths.ErrataConfig), entries);
        var selected = TestSelector.Select(entries, names, group);
        // Everything that would make the whole run meaningless is checked before the first boot.
        var missing = selected.Select(e => paths.KernelImage(e.File)).Distinct().FirstOrDefault(f => !File.Exists(f));
        if (missing is not null)
            throw NotBuilt(paths, missing);
        var qemuPath = QemuBinary.LocateOrThrow(qemuOption);
        AccelMode? forced = accel is null ? null : AccelModeText.TryParse(accel, out var m) ? m : null;
        return new SuiteSelection { Paths = paths, Selected = selected, Errata = errata, QemuPath = qemuPath, ForcedAccel = forced };
    }

    /// <summary>The built kernel image of the test named <paramref name="name"/> (runner disasm).</summary>
    /// <exception cref="UserErrorException">the test is unknown or its image is not built</exception>
    public static string ImageOf(ProjectPaths paths, string name)
    {
        var entry = TestSelector.Select(Entries(paths), [name], null)[0];
        var image = paths.KernelImage(entry.File);
        return File.Exists(image) ? image : throw NotBuilt(paths, image);
    }

    /// <summary>Probes the host: a guest is booted only when some selected test will run under KVM.</summary>
    /// <exception cref="UserErrorException">--accel kvm on a host where KVM is unusable</exception>
    public async Task<SuiteEnvironment> ProbeHostAsync(CancellationToken cancel)
    {
        var files = HostProbe.ProbeFiles("/");
        if (ForcedAccel == AccelMode.Kvm && !files.Kvm.Available)
            throw new UserErrorException($"--accel kvm: KVM is unusable here ({files.Kvm.Detail}): use --accel tcg or drop --accel");
        bool anyKvm = Selected.Any(e => AccelSelector.Choose(e.Accel, ForcedAccel, files.Kvm).Accel == AccelKind.Kvm);
        var caps = await HostCapsProbe.ProbeAsync("/", QemuPath, bootGuest: anyKvm, cancel);
        return new SuiteEnvironment(this, caps, anyKvm);
    }

    static IReadOnlyList<TestEntry> Entries(ProjectPaths paths) =>
        UnitTestsParser.ParseFile(paths.UnitTestsConfig, paths.Display(paths.UnitTestsConfig));

    static UserErrorException NotBuilt(ProjectPaths paths, string image) =>
        new($"{paths.Display(image)} not found: run `make`");
}
