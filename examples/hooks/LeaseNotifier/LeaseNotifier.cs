using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Hooks.Leases;

namespace LeaseNotifier;

/// <summary>
/// POSTs every committed lease (and every released or replaced one) as JSON to
/// <c>parameters.url</c> on <c>leases6_committed</c>, and holds the client's reply until the
/// endpoint has answered. The callout is asynchronous: the packet is parked without holding a
/// worker thread. If the endpoint fails or does not answer within <c>timeout-ms</c> (default
/// 2000) the reply is sent anyway — availability first — and a warning is logged.
/// </summary>
public sealed class LeaseNotifierLibrary : HookLibrary
{
    private HttpClient? _http;
    private Uri? _url;
    private ILogger? _log;

    public override bool MultiThreadingCompatible => true; // HttpClient is thread-safe

    public override int Load(LibraryHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (handle.GetParameter("url")?.GetString() is not { } url || !Uri.TryCreate(url, UriKind.Absolute, out _url))
        {
            return 1;
        }

        var timeout = TimeSpan.FromMilliseconds(handle.GetParameter("timeout-ms")?.GetInt32() ?? 2000);
        _http = new HttpClient { Timeout = timeout };
        // The server's own limit stays well above ours, so our timeout decides even when a busy
        // machine delays the continuation after the HTTP timeout fires.
        handle.AsyncCalloutTimeout = timeout + TimeSpan.FromSeconds(10);
        _log = handle.Loggers.CreateLogger("kea-dhcp6.lease-notifier");
        return 0;
    }

    public override int Unload()
    {
        _http?.Dispose();
        return 0;
    }

    public async Task<int> Leases6Committed(CalloutHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var query = handle.GetArgument<Dhcp6Packet>("query6");
        var notifications = new List<JsonObject>();
        foreach (var lease in handle.GetArgument<IReadOnlyList<Lease6>>("leases6"))
        {
            notifications.Add(Describe(lease, "committed", query.Type));
        }

        foreach (var lease in handle.GetArgument<IReadOnlyList<Lease6>>("deleted_leases6"))
        {
            notifications.Add(Describe(lease, "deleted", query.Type));
        }

        foreach (var body in notifications)
        {
            try
            {
                // A sized body (not chunked), so the simplest endpoints can read it.
                using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
                using var response = await _http!.PostAsync(_url, content, handle.CancellationToken).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                _log!.LogWarning(new EventId(0, "LEASE_NOTIFIER_POST_FAILED"), "could not notify {Url} of lease {Address}: {Reason}", _url, body["address"], ex.Message);
            }
        }

        return 0;
    }

    private static JsonObject Describe(Lease6 lease, string change, MessageType type) => new()
    {
        ["event"] = change,
        ["query-type"] = type.ToString(),
        ["address"] = lease.Address.ToString(),
        ["prefix-len"] = lease.PrefixLength,
        ["type"] = lease.Type.ToString(),
        ["duid"] = lease.Duid.ToString(),
        ["iaid"] = lease.Iaid,
        ["valid-lft"] = lease.ValidLifetime,
        ["preferred-lft"] = lease.PreferredLifetime,
        ["cltt"] = lease.Cltt,
        ["subnet-id"] = lease.SubnetId,
        ["state"] = lease.State.ToString(),
    };
}
