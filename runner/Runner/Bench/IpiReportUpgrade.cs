namespace Runner.Bench;

/// <summary>
/// Reports written before `--send` measured the PV hypercall as `--kind pv`: settings kind
/// "pv" and column keys without "pv/". Read back, they become what the same run writes now
/// (kind unicast, sends [pv], PV columns), so `runner compare` and `runner report` match
/// their columns with today's.
/// </summary>
public static class IpiReportUpgrade
{
    public static IpiReport Apply(IpiReport r)
    {
        if (r.Settings.Kind != IpiKind.Pv) return r;
        return r with
        {
            Settings = r.Settings with { Kind = IpiKind.Unicast, Sends = [IpiSend.Pv] },
            Columns = r.Columns.Select(c => c.Send == IpiSend.Pv ? c : c with
            {
                Send = IpiSend.Pv,
                Key = $"{c.Apic}/pv/{c.Key[(c.Key.IndexOf('/') + 1)..]}",
                Label = c.Label.Replace(" w", " PV w", StringComparison.Ordinal),
            }).ToList(),
            Reductions = r.Reductions.Select(x => x with { Send = IpiSend.Pv }).ToList(),
        };
    }
}
