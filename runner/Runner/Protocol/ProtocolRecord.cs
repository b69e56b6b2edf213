namespace Runner.Protocol;

/// <summary>One parsed `#kt ` line (docs/protocol.md). LineNumber counts all guest output lines from 1.</summary>
public abstract record ProtocolRecord(int LineNumber);

public sealed record BeginRecord(int LineNumber, string Kernel, int Cpus) : ProtocolRecord(LineNumber);
public sealed record ArgRecord(int LineNumber, string Key, string Value) : ProtocolRecord(LineNumber);
public sealed record CheckPassRecord(int LineNumber, string Name) : ProtocolRecord(LineNumber);
public sealed record CheckFailRecord(int LineNumber, string Name, string Detail) : ProtocolRecord(LineNumber);
public sealed record SkipRecord(int LineNumber, string Name, string Reason) : ProtocolRecord(LineNumber);
public sealed record MetricRecord(int LineNumber, string Name, long Value, string Unit) : ProtocolRecord(LineNumber);
public sealed record InfoRecord(int LineNumber, string Key, string Text) : ProtocolRecord(LineNumber);
public sealed record FaultRecord(int LineNumber, int Vector, ulong ErrorCode, ulong Rip, int Cpu, string Text) : ProtocolRecord(LineNumber);
/// <summary>`#kt sync &lt;tag&gt;`: the guest (run with sync=1) waits for one byte on its serial input; the runner reads the VM's counters first.</summary>
public sealed record SyncRecord(int LineNumber, string Tag) : ProtocolRecord(LineNumber);
public sealed record EndRecord(int LineNumber, int Pass, int Fail, int Skip) : ProtocolRecord(LineNumber);

/// <summary>
/// A line that starts with `#kt ` but breaks the grammar. Kept as a record, not thrown,
/// because a garbled line is evidence about the guest and must fail the run, not the runner.
/// </summary>
public sealed record MalformedRecord(int LineNumber, string Text, string Problem) : ProtocolRecord(LineNumber);
