namespace Runner.Stats;

/// <summary>
/// Two-sided 95% critical values of Student's t distribution (t(0.975, df)), from the
/// standard table. Between tabulated degrees of freedom the value for the next smaller
/// tabulated df is used: its critical value is larger, so intervals are a little wider
/// and a test a little less eager to call a difference significant, never the other way.
/// </summary>
public static class StudentT
{
    static readonly double[] Exact =
    [
        double.NaN,
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    static readonly (double Df, double T)[] Tail =
    [
        (40, 2.021), (50, 2.009), (60, 2.000), (80, 1.990), (100, 1.984), (120, 1.980),
    ];

    /// <summary>The normal distribution's 97.5th percentile: the limit for infinite df.</summary>
    public const double Normal975 = 1.960;

    /// <summary>t(0.975, df) for df &gt;= 1 (fractional df, as Welch's test produces, rounds down).</summary>
    public static double Critical95(double df)
    {
        if (double.IsNaN(df) || df < 1)
            throw new ArgumentOutOfRangeException(nameof(df), df, "degrees of freedom must be at least 1");
        if (df < Exact.Length)
            return Exact[(int)Math.Floor(df)];
        double t = Exact[^1];
        foreach (var (d, v) in Tail)
        {
            if (df < d) return t;
            t = v;
        }
        return df < 1000 ? t : Normal975;
    }
}
