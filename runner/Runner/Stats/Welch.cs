namespace Runner.Stats;

/// <summary>
/// Welch's unequal-variances t-test between two samples' means, two-sided at 95%:
/// t = (mean_b − mean_a) / √(s_a²/n_a + s_b²/n_b), degrees of freedom by the
/// Welch–Satterthwaite equation. Right for benchmark columns, whose variances differ.
/// </summary>
public sealed record WelchResult(double T, double DegreesOfFreedom, double Critical, bool Significant, string? NotTestable)
{
    public bool Testable => NotTestable is null;
}

public static class Welch
{
    public static WelchResult Test(Summary a, Summary b)
    {
        if (a.N < 2 || b.N < 2)
            return new WelchResult(double.NaN, double.NaN, double.NaN, false,
                $"needs at least 2 values on each side (have {a.N} and {b.N})");
        double va = a.Variance / a.N, vb = b.Variance / b.N;
        double se2 = va + vb;
        if (se2 == 0)
        {
            // No spread at all: the samples are constants; they differ or they do not.
            bool differ = a.Mean != b.Mean;
            return new WelchResult(differ ? double.PositiveInfinity * Math.Sign(b.Mean - a.Mean) : 0, double.NaN, double.NaN, differ, null);
        }
        double t = (b.Mean - a.Mean) / Math.Sqrt(se2);
        double df = se2 * se2 / (va * va / (a.N - 1) + vb * vb / (b.N - 1));
        double critical = StudentT.Critical95(Math.Max(1, df));
        return new WelchResult(t, df, critical, Math.Abs(t) > critical, null);
    }
}

public static class Change
{
    /// <summary>(after − before) / before × 100: negative means fewer (cycles), as the IPIv patch prints it.</summary>
    public static double Percent(double before, double after) =>
        before == 0 ? double.NaN : (after - before) / before * 100;

    /// <summary>"-22.21%": two decimals, rounded half away from zero, always signed.</summary>
    public static string Format(double percent) =>
        double.IsNaN(percent) ? "n/a"
        : Math.Round(percent, 2, MidpointRounding.AwayFromZero).ToString("+0.00;-0.00;0.00", System.Globalization.CultureInfo.InvariantCulture) + "%";
}
