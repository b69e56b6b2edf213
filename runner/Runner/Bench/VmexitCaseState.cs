using System.Text.Json;
using System.Text.Json.Serialization;

namespace Runner.Bench;

/// <summary>
/// Whether a vmexit case has figures, and if not, why in one word. JSON and the tables spell it
/// as <see cref="VmexitCaseStateText.Text"/> does, "" when measured (files written before it
/// was an enum read back alike; an enum converter cannot name a member "").
/// </summary>
public enum VmexitCaseState
{
    Measured,
    /// <summary>The guest skipped it (its precondition did not hold).</summary>
    Skip,
    /// <summary>The guest never came back from it; later boots left it out.</summary>
    Hung,
    /// <summary>Its check failed, or no boot reported its figures.</summary>
    Failed,
    /// <summary>Left out of every boot for a reason the command was given (--leave-out CASE=WHY): an L0 QEMU abort in it ended a whole L1 host.</summary>
    Lost,
}

public static class VmexitCaseStateText
{
    /// <summary>"skip", "hung", "failed", or "" when measured.</summary>
    public static string Text(this VmexitCaseState s) => s switch
    {
        VmexitCaseState.Skip => "skip",
        VmexitCaseState.Hung => "hung",
        VmexitCaseState.Failed => "failed",
        VmexitCaseState.Lost => "lost",
        _ => "",
    };
}

/// <summary>A <see cref="VmexitCaseState"/> as its word in JSON.</summary>
public sealed class VmexitCaseStateJson : JsonConverter<VmexitCaseState>
{
    public override VmexitCaseState Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var word = reader.GetString();
        foreach (var s in Enum.GetValues<VmexitCaseState>())
            if (s.Text() == word) return s;
        throw new JsonException($"'{word}' is not a vmexit case state (skip, hung, failed, lost or empty)");
    }

    public override void Write(Utf8JsonWriter writer, VmexitCaseState value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Text());
}
