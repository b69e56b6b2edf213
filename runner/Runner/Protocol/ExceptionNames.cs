namespace Runner.Protocol;

/// <summary>x86 exception mnemonics, so a fault reads "#PF (14)" rather than a bare number.</summary>
public static class ExceptionNames
{
    static readonly string[] Names =
    [
        "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "coprocessor overrun",
        "#TS", "#NP", "#SS", "#GP", "#PF", "reserved", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
    ];

    public static string Describe(int vector) =>
        vector >= 0 && vector < Names.Length ? $"{Names[vector]} (vector {vector})" : $"vector {vector}";
}
