using System.Text.Json.Serialization;

namespace Runner.Bench;

/// <summary>The kind of IPI a run sends: the guest's kind=, --kind, and the JSON's settings.kind.</summary>
public enum IpiKind
{
    [JsonStringEnumMemberName("unicast")] Unicast,
    [JsonStringEnumMemberName("self")] Self,
    [JsonStringEnumMemberName("broadcast")] Broadcast,
    /// <summary>Unicast through KVM's PV IPI hypercall (KVM_HC_SEND_IPI); as --kind, the same as `--send pv`.</summary>
    [JsonStringEnumMemberName("pv")] Pv,
}

/// <summary>What the target vCPU does while it waits for the IPI: the guest's target=, and the JSON's settings.target.</summary>
public enum IpiTarget
{
    [JsonStringEnumMemberName("spin")] Spin,
    [JsonStringEnumMemberName("halt")] Halt,
    /// <summary>The sender is its own target (--kind self).</summary>
    [JsonStringEnumMemberName("self")] Self,
}

public static class IpiKindText
{
    /// <summary>The spelling of --kind, the guest's kind= and the JSON.</summary>
    public static string Arg(this IpiKind k) => k switch
    {
        IpiKind.Self => "self",
        IpiKind.Broadcast => "broadcast",
        IpiKind.Pv => "pv",
        _ => "unicast",
    };

    /// <summary>The spelling of the guest's target= and the JSON.</summary>
    public static string Arg(this IpiTarget t) => t switch
    {
        IpiTarget.Halt => "halt",
        IpiTarget.Self => "self",
        _ => "spin",
    };

    /// <summary>--kind's values, in the order the help lists them.</summary>
    public static readonly IReadOnlyList<IpiKind> All = [IpiKind.Unicast, IpiKind.Self, IpiKind.Broadcast, IpiKind.Pv];

    /// <summary>The kind spelled <paramref name="text"/> (as --kind takes it), or null.</summary>
    public static IpiKind? Parse(string text) => All.Cast<IpiKind?>().FirstOrDefault(k => k!.Value.Arg() == text);
}
