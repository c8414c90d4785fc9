using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Vision.Pipeline.Tests.Live;

/// <summary>
/// A TCP proxy on 127.0.0.1 (a free port) to a target port, that can stall: after <see cref="Stall"/> nothing more
/// goes from the server to the clients (not even a close), while every socket stays open and client→server bytes
/// still flow — a camera whose connection is up but sends nothing. <see cref="Resume"/> forwards again from where it
/// stopped (held bytes are kept, so the stream stays intact). RTSP over TCP (interleaved) uses one connection, so
/// <c>rtsp://127.0.0.1:{Port}/mount</c> with <c>-rtsp_transport tcp</c> works through it.
/// </summary>
public sealed class StallingTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _cts = new();
    private readonly ConcurrentDictionary<Connection, byte> _connections = new();
    private readonly Task _acceptLoop;
    private readonly object _gateLock = new();
    private TaskCompletionSource _gate = Open();
    private long _bytesToClient;
    private long _bytesToServer;
    private int _accepted;

    public StallingTcpProxy(int targetPort, string targetHost = "127.0.0.1")
    {
        TargetPort = targetPort;
        TargetHost = targetHost;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The port clients connect to.</summary>
    public int Port { get; }

    public int TargetPort { get; }

    public string TargetHost { get; }

    public bool IsStalled
    {
        get { lock (_gateLock) return !_gate.Task.IsCompleted; }
    }

    /// <summary>Client connections currently open through the proxy.</summary>
    public int OpenConnections => _connections.Count;

    /// <summary>Client connections accepted since start.</summary>
    public int AcceptedConnections => Volatile.Read(ref _accepted);

    /// <summary>Bytes forwarded server→client so far.</summary>
    public long BytesToClient => Interlocked.Read(ref _bytesToClient);

    /// <summary>Bytes forwarded client→server so far.</summary>
    public long BytesToServer => Interlocked.Read(ref _bytesToServer);

    /// <summary>Stops forwarding server→client bytes on every connection, present and future; sockets stay open.
    /// A chunk already being written when this is called may still arrive.</summary>
    public void Stall()
    {
        lock (_gateLock)
        {
            if (_gate.Task.IsCompleted) _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Forwards again, starting with the bytes held during the stall.</summary>
    public void Resume()
    {
        lock (_gateLock) _gate.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        if (_cts.IsCancellationRequested) return;
        await _cts.CancelAsync();
        _listener.Stop();
        foreach (var c in _connections.Keys) c.Close();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }
        await Task.WhenAll(_connections.Keys.Select(c => c.Completion));
        _cts.Dispose();
    }

    private static TaskCompletionSource Open()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs;
    }

    private Task WhenOpen(CancellationToken ct)
    {
        Task gate;
        lock (_gateLock) gate = _gate.Task;
        return gate.WaitAsync(ct);
    }

    private async Task AcceptLoopAsync()
    {
        var ct = _cts.Token;
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            try
            {
                await server.ConnectAsync(TargetHost, TargetPort, ct);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }
            var connection = new Connection(client, server);
            _connections[connection] = 0;
            connection.Completion = RunAsync(connection, ct);
        }
    }

    private async Task RunAsync(Connection c, CancellationToken ct)
    {
        try
        {
            // Either direction ending closes both sockets; a server close waits for the gate like its data.
            await Task.WhenAny(ClientToServerAsync(c, ct), ServerToClientAsync(c, ct));
        }
        finally
        {
            c.Close();
            _connections.TryRemove(c, out _);
        }
    }

    private async Task ClientToServerAsync(Connection c, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int n = await c.Client.ReceiveAsync(buffer, SocketFlags.None, ct);
                if (n == 0) return;
                await c.Server.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, ct);
                Interlocked.Add(ref _bytesToServer, n);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task ServerToClientAsync(Connection c, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                await WhenOpen(ct); // while stalled, stop reading too: the server's data waits in the socket buffers
                int n = await c.Server.ReceiveAsync(buffer, SocketFlags.None, ct);
                await WhenOpen(ct);
                if (n == 0) return;
                await c.Client.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, ct);
                Interlocked.Add(ref _bytesToClient, n);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private sealed class Connection(Socket client, Socket server)
    {
        private int _closed;

        public Socket Client { get; } = client;

        public Socket Server { get; } = server;

        public Task Completion { get; set; } = Task.CompletedTask;

        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0) return;
            Client.Dispose();
            Server.Dispose();
        }
    }
}
