namespace Runner.Config;

/// <summary>Turns `runner run [names] [-g group]` into the entries to run, in config order.</summary>
public static class TestSelector
{
    public static IReadOnlyList<TestEntry> Select(IReadOnlyList<TestEntry> all, IReadOnlyList<string> names, string? group)
    {
        foreach (var name in names)
        {
            if (!all.Any(e => e.Name == name))
                throw new UserErrorException(
                    $"unknown test '{name}': valid names are {string.Join(", ", all.Select(e => e.Name))}");
        }
        if (group is not null && !all.Any(e => e.Groups.Contains(group)))
        {
            var groups = all.SelectMany(e => e.Groups).Distinct().Order(StringComparer.Ordinal);
            throw new UserErrorException($"unknown group '{group}': valid groups are {string.Join(", ", groups)}");
        }

        // Entries that are meant to fail (`expect =`, the fault suite) run only when asked for by name or group.
        bool everything = names.Count == 0 && group is null;
        var selected = all.Where(e =>
                (names.Count == 0 || names.Contains(e.Name)) &&
                (group is null || e.Groups.Contains(group)) &&
                !(everything && e.Expect is not null))
            .ToList();
        if (selected.Count == 0)
            throw new UserErrorException(all.Count == 0
                ? "the test list has no entries: add a [name] section to tests/unittests.cfg"
                : $"no test named {string.Join(", ", names)} is in group '{group}': drop -g or pick a test from that group");
        return selected;
    }
}
