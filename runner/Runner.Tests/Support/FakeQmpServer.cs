using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Runner.Tests.Support;

/// <summary>
/// A QMP server on a unix socket that answers like QEMU 7.2 did on the development machine
/// (recorded replies in Fixtures/qmp), for testing the client without a VM. It can start
/// listening late (QEMU creates the socket during start-up), answer query-stats with
/// CommandNotFound (QEMU before 7.1), interleave an event, or hang up at a given command.
/// </summary>
public sealed class FakeQmpServer : IAsyncDisposable
{
    readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    readonly CancellationTokenSource _stop = new();
    readonly List<string> _received = [];
    Task? _serve;

    public string SocketPath { get; }
    /// <summary>Answer query-stats with CommandNotFound, as QEMU before 7.1 does.</summary>
    public bool NoQueryStats { get; init; }
    /// <summary>Close the connection instead of answering this command (QEMU exiting).</summary>
    public string? HangUpAt { get; init; }
    /// <summary>Send an asynchronous event before every reply.</summary>
    public bool SendEvents { get; init; }
    /// <summary>Which recorded vcpu stats to serve: "begin" then "end" on the next call, and so on.</summary>
    int _statsCalls;

    public FakeQmpServer(string socketPath) => SocketPath = socketPath;

    public IReadOnlyList<string> Received { get { lock (_received) return [.. _received]; } }

    public void Start()
    {
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(1);
        _serve = ServeAsync();
    }

    static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "qmp", name)).Trim();

    async Task ServeAsync()
    {
        try
        {
            using var client = await _listener.AcceptAsync(_stop.Token);
            using var stream = new NetworkStream(client);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            async Task Send(string json)
            {
                var bytes = Encoding.UTF8.GetBytes(json + "\r\n");
                await stream.WriteAsync(bytes, _stop.Token);
            }
            await Send(Fixture("greeting.json"));
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var request = JsonNode.Parse(line)!.AsObject();
                var command = request["execute"]!.GetValue<string>();
                var target = request["arguments"]?["target"]?.GetValue<string>();
                lock (_received) _received.Add(target is null ? command : $"{command} {target}");
                if (command == HangUpAt) return;
                if (SendEvents)
                    await Send("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"RESUME\"}");
                var reply = command switch
                {
                    "qmp_capabilities" => JsonNode.Parse(Fixture("qmp_capabilities-reply.json"))!.AsObject(),
                    "query-stats" when NoQueryStats => NotFound(command),
                    "query-stats-schemas" when NoQueryStats => NotFound(command),
                    "query-stats-schemas" => JsonNode.Parse(Fixture("query-stats-schemas.json"))!.AsObject(),
                    "query-stats" => JsonNode.Parse(Fixture($"query-stats-{target}-measure-{(_statsCalls++ / 2 % 2 == 0 ? "begin" : "end")}.json"))!.AsObject(),
                    _ => NotFound(command),
                };
                if (request["id"] is { } id) reply["id"] = id.DeepClone();
                await Send(reply.ToJsonString());
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
        catch (SocketException) { }
    }

    static JsonObject NotFound(string command) => new()
    {
        ["error"] = new JsonObject { ["class"] = "CommandNotFound", ["desc"] = $"The command {command} has not been found" },
    };

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        if (_serve is not null)
        {
            try { await _serve.WaitAsync(TimeSpan.FromSeconds(5)); } catch (TimeoutException) { }
        }
        _stop.Dispose();
        File.Delete(SocketPath);
    }
}
