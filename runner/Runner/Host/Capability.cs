namespace Runner.Host;

/// <summary>A yes/no fact about the host with the reason: what enables it, or why it is missing and what would fix it.</summary>
public sealed record Capability(bool Available, string Detail)
{
    public static Capability Yes(string detail) => new(true, detail);
    public static Capability No(string why) => new(false, why);

    public override string ToString() => (Available ? "available" : "unavailable") + " — " + Detail;
}
