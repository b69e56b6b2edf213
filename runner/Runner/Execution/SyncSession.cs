using Runner.Processes;
using Runner.Protocol;
using Runner.Qemu;

namespace Runner.Execution;

/// <summary>
/// The runner's side of `#kt sync` (docs/protocol.md) for one QEMU run: on every sync line
/// read the VM's KVM counters (when a reader is attached), then release the guest with one
/// newline on its serial input; on `#kt end`, take one last reading if asked to. A guest is
/// always released, whatever happened to the reading, so it never waits out its own timeout
/// because of the runner.
/// </summary>
/// <summary>The VM's KVM counters as read at one sync point (or at `#kt end`).</summary>
public sealed record KvmReading(string Tag, KvmCounters Counters)
{
    /// <summary>The reading with this tag, or null.</summary>
    public static KvmCounters? Find(IReadOnlyList<KvmReading>? readings, string tag) =>
        readings?.FirstOrDefault(r => r.Tag == tag)?.Counters;
}

public sealed class SyncSession : IAsyncDisposable
{
    /// <summary>The tag under which the reading at `#kt end` is kept.</summary>
    public const string EndTag = "end";
    public const string Release = "\n";

    readonly Func<Func<bool>, KvmStatsReader>? _readerFactory;
    readonly string? _noCountersReason;
    readonly bool _readAtEnd;
    readonly Func<string, CancellationToken, Task<KvmCounters>>? _readOverride;
    KvmStatsReader? _reader;
    readonly object _gate = new();
    readonly List<KvmReading> _readings = [];

    /// <param name="readerFactory">Builds the QMP reader once QEMU started (given "is it still running"); null: no counters are read.</param>
    /// <param name="noCountersReason">Why no counters are read (recorded at each sync), when readerFactory is null.</param>
    /// <param name="readAtEnd">Also read at `#kt end` (runner run --kvm-stats).</param>
    public SyncSession(Func<Func<bool>, KvmStatsReader>? readerFactory, string? noCountersReason, bool readAtEnd)
    {
        _readerFactory = readerFactory;
        _noCountersReason = noCountersReason;
        _readAtEnd = readAtEnd;
    }

    /// <summary>For tests: readings come from a function instead of QMP.</summary>
    public SyncSession(Func<string, CancellationToken, Task<KvmCounters>> read, bool readAtEnd)
    {
        _readOverride = read;
        _readAtEnd = readAtEnd;
    }

    /// <summary>Readings in the order taken, by tag (a repeated tag gets "#2", "#3"...).</summary>
    public IReadOnlyList<KvmReading> Readings
    {
        get { lock (_gate) return [.. _readings]; }
    }

    /// <summary>Runs at each sync point, before the reading (see <see cref="RunSettings.OnSync"/>).</summary>
    public Func<string, int, Task>? OnSync { get; init; }

    int _pid;

    public ProcessInteraction Interaction => new()
    {
        Started = running => { if (_readerFactory is not null) _reader = _readerFactory(running); },
        StartedPid = pid => _pid = pid,
        Respond = RespondAsync,
    };

    async Task<string?> RespondAsync(string line, CancellationToken cancel)
    {
        switch (ProtocolLineParser.Parse(line, 0))
        {
            case SyncRecord sync:
                if (OnSync is not null) await OnSync(sync.Tag, _pid);
                Add(sync.Tag, await ReadAsync(sync.Tag, cancel));
                return Release;
            case EndRecord when _readAtEnd:
                Add(EndTag, await ReadAsync(EndTag, cancel));
                return null;
            default:
                return null;
        }
    }

    Task<KvmCounters> ReadAsync(string tag, CancellationToken cancel)
    {
        if (_readOverride is not null) return _readOverride(tag, cancel);
        if (_reader is not null) return _reader.ReadAsync(cancel);
        return Task.FromResult(KvmCounters.Missing(_noCountersReason ?? "KVM counters were not requested"));
    }

    void Add(string tag, KvmCounters counters)
    {
        lock (_gate)
        {
            var key = tag;
            for (int n = 2; _readings.Any(r => r.Tag == key); n++)
                key = $"{tag}#{n}";
            _readings.Add(new KvmReading(key, counters));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_reader is not null)
            await _reader.DisposeAsync();
    }
}
