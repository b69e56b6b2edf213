using Runner.Bench;

namespace Runner.Reporting;

/// <summary>
/// `runner pveoi` as its two boots go: each side's verdict line (the same in a terminal, a log
/// and CI), and in a terminal a bar saying which side's boot runs now, under what load, and how
/// many boots are left.
/// </summary>
public sealed class PveoiProgress(StepProgress progress, PveoiRequest req) : IPveoiProgress
{
    public static double Steps => PveoiBench.Sides.Count;

    public void SideStarted(string label, int index, int of) =>
        progress.Status($"pveoi: {label} boot {index}/{of} running ({req.Seconds} s of {req.Source} interrupts at {req.Rate}/s); {of - index} boot(s) left after it");

    public void SideFinished(string line)
    {
        progress.Advance();
        progress.Line(line);
    }
}
