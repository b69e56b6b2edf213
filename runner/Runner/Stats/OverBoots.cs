namespace Runner.Stats;

/// <summary>
/// One figure over repeated boots, each of which summarised its own samples (median, lowest,
/// p99): the median of the boots' medians, the lowest sample of all boots, and the median of
/// the boots' p99s. The median over boots keeps one disturbed boot from moving the figure.
/// </summary>
/// <param name="Min">Null when no boot reported its lowest sample.</param>
/// <param name="P99">Null when no boot reported its p99.</param>
/// <param name="Medians">Each boot's median, in boot order (for compare's Welch test and plots).</param>
public sealed record OverBoots(double Median, double? Min, double? P99, IReadOnlyList<double> Medians)
{
    /// <exception cref="ArgumentException">no boot's median</exception>
    public static OverBoots Of(IReadOnlyList<double> medians, IEnumerable<double> mins, IEnumerable<double> p99s)
    {
        var lows = mins.ToList();
        var highs = p99s.ToList();
        return new OverBoots(Summary.MedianOf(medians), lows.Count == 0 ? null : lows.Min(), highs.Count == 0 ? null : Summary.MedianOf(highs), medians);
    }
}
