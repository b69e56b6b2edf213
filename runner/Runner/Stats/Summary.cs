namespace Runner.Stats;

/// <summary>
/// Descriptive statistics of one sample (one column's runs). Stdev is the sample standard
/// deviation (n − 1); the 95% confidence interval of the mean uses Student's t, which
/// matters at the 5-20 runs a benchmark has. With one value, spread and interval are NaN:
/// there is nothing to estimate them from, and zero would claim a precision never measured.
/// </summary>
public sealed record Summary(int N, double Mean, double Median, double Stdev, double Min, double Max)
{
    /// <summary>Coefficient of variation in percent: stdev / mean × 100 (run-to-run noise).</summary>
    public double CvPercent => Mean == 0 ? double.NaN : Stdev / Math.Abs(Mean) * 100;

    /// <summary>Half-width of the 95% confidence interval of the mean: t(0.975, n−1) · s / √n.</summary>
    public double Ci95HalfWidth => N < 2 ? double.NaN : StudentT.Critical95(N - 1) * Stdev / Math.Sqrt(N);

    public double Ci95Low => Mean - Ci95HalfWidth;
    public double Ci95High => Mean + Ci95HalfWidth;

    /// <summary>Sample variance (n − 1).</summary>
    public double Variance => Stdev * Stdev;

    /// <exception cref="ArgumentException">no values</exception>
    public static Summary Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            throw new ArgumentException("a summary needs at least one value", nameof(values));
        int n = values.Count;
        double mean = values.Sum() / n;
        double stdev = n < 2 ? double.NaN : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        return new Summary(n, mean, MedianOf(values), stdev, values.Min(), values.Max());
    }

    public static Summary Of(IEnumerable<long> values) => Of(values.Select(v => (double)v).ToList());

    /// <summary>The middle value; the mean of the two middle values for an even count.</summary>
    public static double MedianOf(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            throw new ArgumentException("the median needs at least one value", nameof(values));
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
