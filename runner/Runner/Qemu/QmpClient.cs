using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Runner.Qemu;

/// <summary>A QMP command QEMU answered with an error ({"error": {"class", "desc"}}).</summary>
public sealed class QmpErrorException(string command, string errorClass, string description)
    : Exception($"QMP {command}: {errorClass}: {description}")
{
    public string Command { get; } = command;
    public string ErrorClass { get; } = errorClass;
    public string Description { get; } = description;
    public bool IsCommandNotFound => ErrorClass == "CommandNotFound";
}

/// <summary>The QMP connection broke or never came up (QEMU exited, socket missing, no answer in time).</summary>
public sealed class QmpUnavailableException(string message, Exception? inner = null, bool closed = false) : Exception(message, inner)
{
    /// <summary>QEMU closed the connection or exited: the VM is gone, as opposed to slow or misbehaving.</summary>
    public bool VmGone { get; } = closed;
}

/// <summary>
/// A minimal QMP client over the unix socket the runner gives QEMU with
/// `-qmp unix:PATH,server=on,wait=off`: read the greeting, negotiate with
/// `qmp_capabilities`, then one command at a time. Messages are JSON objects, one per
/// line; asynchronous events ({"event": ...}) can arrive between replies and are skipped.
/// Every wait is bounded: a VM that is gone must become an error, never a hang.
/// </summary>
public sealed class QmpClient : IAsyncDisposable
{
    readonly Socket _socket;
    readonly Stream _stream;
    readonly StreamReader _reader;
    readonly SemaphoreSlim _gate = new(1, 1);
    int _nextId;

    /// <summary>Stretched in a slow L1 host, where a loaded TCG QEMU answers late but answers.</summary>
    public static TimeSpan DefaultCommandTimeout => Host.NestedHost.Scale(TimeSpan.FromSeconds(3));

    /// <summary>QEMU's version from the greeting, e.g. 7.2.22.</summary>
    public Version? QemuVersion { get; private set; }

    QmpClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new StreamReader(_stream, new UTF8Encoding(false));
    }

    /// <summary>
    /// Connects, retrying while the socket does not exist yet (QEMU creates it during start-up),
    /// reads the greeting and negotiates capabilities.
    /// </summary>
    /// <param name="stillRunning">Stops the retries early when QEMU has already exited.</param>
    public static async Task<QmpClient> ConnectAsync(string socketPath, TimeSpan connectTimeout,
        Func<bool>? stillRunning = null, CancellationToken cancel = default)
    {
        var deadline = DateTime.UtcNow + connectTimeout;
        Exception? last = null;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            if (File.Exists(socketPath))
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancel);
                    var client = new QmpClient(socket);
                    try
                    {
                        await client.HandshakeAsync(cancel);
                        return client;
                    }
                    catch
                    {
                        await client.DisposeAsync();
                        throw;
                    }
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    last = e;
                }
            }
            if (stillRunning is not null && !stillRunning())
                throw new QmpUnavailableException($"QEMU exited before its QMP socket {socketPath} accepted a connection", last, closed: true);
            if (DateTime.UtcNow >= deadline)
                throw new QmpUnavailableException(
                    $"no QMP socket at {socketPath} after {connectTimeout.TotalSeconds:0.#} s" + (last is null ? "" : $" ({last.Message})"), last);
            await Task.Delay(10, cancel);
        }
    }

    async Task HandshakeAsync(CancellationToken cancel)
    {
        var greeting = await ReadMessageAsync(DefaultCommandTimeout, cancel)
            ?? throw new QmpUnavailableException("QMP closed before the greeting", closed: true);
        QemuVersion = ParseGreeting(greeting);
        await ExecuteAsync("qmp_capabilities", null, DefaultCommandTimeout, cancel);
    }

    /// <summary>The version in a greeting {"QMP": {"version": {"qemu": {"major", "minor", "micro"}}}}.</summary>
    /// <exception cref="QmpUnavailableException">not a QMP greeting</exception>
    public static Version? ParseGreeting(JsonObject greeting)
    {
        if (greeting["QMP"] is not JsonObject qmp)
            throw new QmpUnavailableException($"expected a QMP greeting, got {Shorten(greeting.ToJsonString())}");
        if (qmp["version"]?["qemu"] is JsonObject v
            && v["major"]?.GetValue<int>() is int major && v["minor"]?.GetValue<int>() is int minor)
            return new Version(major, minor, v["micro"]?.GetValue<int>() ?? 0);
        return null;
    }

    /// <summary>Sends one command and returns its "return" value.</summary>
    /// <exception cref="QmpErrorException">QEMU answered with an error</exception>
    /// <exception cref="QmpUnavailableException">the connection broke or no answer came in time</exception>
    public async Task<JsonNode?> ExecuteAsync(string command, JsonObject? arguments = null, TimeSpan? timeout = null,
        CancellationToken cancel = default)
    {
        await _gate.WaitAsync(cancel);
        try
        {
            var id = $"runner-{Interlocked.Increment(ref _nextId)}";
            var request = new JsonObject { ["execute"] = command, ["id"] = id };
            if (arguments is not null)
                request["arguments"] = arguments.DeepClone();
            var bytes = Encoding.UTF8.GetBytes(request.ToJsonString() + "\n");
            try
            {
                await _stream.WriteAsync(bytes, cancel);
                await _stream.FlushAsync(cancel);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                throw new QmpUnavailableException($"QMP {command}: the connection is closed (QEMU exited?)", e, closed: true);
            }

            var limit = timeout ?? DefaultCommandTimeout;
            var deadline = DateTime.UtcNow + limit;
            while (true)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                    throw new QmpUnavailableException($"QMP {command}: no answer within {limit.TotalSeconds:0.#} s");
                var message = await ReadMessageAsync(left, cancel)
                    ?? throw new QmpUnavailableException($"QMP {command}: the connection closed before the answer (QEMU exited?)", closed: true);
                if (message.ContainsKey("event"))
                    continue;
                // Replies echo our id; one without (an old QEMU) is still the reply to our only command.
                if (message["id"] is JsonNode replyId && replyId.GetValueKind() == JsonValueKind.String && replyId.GetValue<string>() != id)
                    continue;
                return ParseReply(command, message);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A reply's "return" value, or the error it carries as an exception.</summary>
    public static JsonNode? ParseReply(string command, JsonObject reply)
    {
        if (reply["error"] is JsonObject error)
            throw new QmpErrorException(command,
                error["class"]?.GetValue<string>() ?? "GenericError",
                error["desc"]?.GetValue<string>() ?? "(no description)");
        if (!reply.ContainsKey("return"))
            throw new QmpUnavailableException($"QMP {command}: reply has neither return nor error: {Shorten(reply.ToJsonString())}");
        return reply["return"];
    }

    async Task<JsonObject?> ReadMessageAsync(TimeSpan timeout, CancellationToken cancel)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        cts.CancelAfter(timeout);
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(cts.Token);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                throw new QmpUnavailableException($"QMP: no message within {timeout.TotalSeconds:0.#} s");
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                return null;
            }
            if (line is null)
                return null;
            if (line.Trim().Length == 0)
                continue;
            try
            {
                return JsonNode.Parse(line) as JsonObject
                    ?? throw new QmpUnavailableException($"QMP sent a non-object: {Shorten(line)}");
            }
            catch (JsonException e)
            {
                throw new QmpUnavailableException($"QMP sent invalid JSON ({e.Message}): {Shorten(line)}", e);
            }
        }
    }

    static string Shorten(string s) => s.Length <= 200 ? s : s[..200] + "...";

    public async ValueTask DisposeAsync()
    {
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _reader.Dispose();
        await _stream.DisposeAsync();
        _socket.Dispose();
        _gate.Dispose();
    }
}
