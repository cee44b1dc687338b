using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Pukeko.Server.Control;

namespace Pukeko.Server.HighAvailability;

/// <summary>
/// Kea 2.2's lease synchronisation (<c>synchronize</c>, run in <c>syncing</c> and by <c>ha-sync</c>): before each page
/// the peer's DHCP service is disabled (<c>dhcp-disable</c> with Kea 2.5.8+'s <c>origin-id</c> and Kea 2.2's
/// <c>"origin": "ha-partner"</c>, <c>max-period</c> so a dead synchroniser does not leave it off), then
/// <c>lease6-get-page</c> from <c>"start"</c>, then from the last address of a full page. Each lease is added, or replaces an older local one. At the end the peer gets
/// <c>ha-sync-complete-notify</c> (<c>dhcp-enable</c> when it does not know that command); after a failure it gets
/// <c>dhcp-enable</c>.
/// </summary>
/// <param name="syncedSubnets">
/// The subnets whose leases are taken (Kea 2.6+'s lease sync filter: the subnets mapped to this relationship by
/// <c>ha-server-name</c>); null or empty: every lease.
/// </param>
/// <param name="originId">
/// The <c>origin-id</c> of the peer's <c>dhcp-disable</c>, <c>dhcp-enable</c> and <c>ha-sync-complete-notify</c>
/// (2000 + the relationship's index, see <see cref="HaService.PartnerOriginId"/>).
/// </param>
internal sealed class HaSynchronizer(HaRelationshipConfig config, IHaPeerChannel channel, IHaLeaseSink sink, ILogger log, IReadOnlySet<uint>? syncedSubnets = null, int originId = HaService.FirstPartnerOriginId)
{
    /// <summary>The text of Kea's answer to a successful <c>ha-sync</c>.</summary>
    public const string CompleteText = "Lease database synchronization complete.";

    /// <summary>The <c>max-period</c> the state machine asks for: sync-timeout in seconds, at least 1 (Kea).</summary>
    public TimeSpan StateMachineMaxPeriod => config.SyncTimeout < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : config.SyncTimeout;

    /// <summary>Fetches every lease of <paramref name="peer"/>; the error text, or null on success.</summary>
    /// <param name="maxPeriod">The peer's DHCP service stays disabled at most this long (whole seconds); null: no limit sent.</param>
    public async Task<string?> SynchronizeAsync(HaPeerConfig peer, TimeSpan? maxPeriod, CancellationToken cancellationToken)
    {
        log.LogInformation(new EventId(0, "HA_SYNC_START"), "{Server}: starting lease database synchronization with {Peer}", config.ThisServerName, peer.Name);
        var watch = Stopwatch.StartNew();
        var disabled = false;
        string? error = null;
        var counts = new int[3];
        string from = "start";
        try
        {
            while (true)
            {
                error = await DisableAsync(peer, maxPeriod, cancellationToken).ConfigureAwait(false);
                if (error is not null)
                {
                    break;
                }

                disabled = true;
                var (leases, pageError) = await GetPageAsync(peer, from, cancellationToken).ConfigureAwait(false);
                if (pageError is not null)
                {
                    error = pageError;
                    break;
                }

                log.LogInformation(new EventId(0, "HA_LEASES_SYNC_LEASE_PAGE_RECEIVED"), "{Server}: received {Count} leases from {Peer}", config.ThisServerName, leases!.Count, peer.Name);
                foreach (var item in leases)
                {
                    await ApplyAsync(item, counts, cancellationToken).ConfigureAwait(false);
                }

                if (leases.Count < config.SyncPageLimit)
                {
                    break;
                }

                // A full page: the next one starts after its last address.
                if (leases[^1] is not JsonObject last || last["ip-address"] is not JsonValue addressValue || !addressValue.TryGetValue<string>(out var address))
                {
                    error = $"{peer.Name} listed a lease without 'ip-address' at the end of a page";
                    log.LogError(new EventId(0, "HA_LEASES_SYNC_FAILED"), "{Server}: failed to synchronize leases with {Peer}: {Reason}", config.ThisServerName, peer.Name, error);
                    break;
                }

                from = address;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error = "the synchronization was cancelled";
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
        {
            // The partner must be re-enabled whatever went wrong here.
            error = ex.Message;
            log.LogError(new EventId(0, "HA_LEASES_SYNC_FAILED"), ex, "{Server}: failed to synchronize leases with {Peer}: {Reason}", config.ThisServerName, peer.Name, ex.Message);
        }

        if (disabled)
        {
            // Best effort even when stopping: the peer must not stay disabled until max-period runs out.
            using var release = new CancellationTokenSource(HaService.RequestTimeout);
            var enableError = error is null
                ? await NotifyCompleteAsync(peer, release.Token).ConfigureAwait(false)
                : await EnableAsync(peer, release.Token).ConfigureAwait(false);
            error ??= enableError;
        }

        if (error is not null)
        {
            log.LogError(new EventId(0, "HA_SYNC_FAILED"), "{Server}: lease database synchronization with {Peer} failed: {Reason}", config.ThisServerName, peer.Name, error);
            return error;
        }

        log.LogInformation(new EventId(0, "HA_SYNC_SUCCESSFUL"), "{Server}: lease database synchronization with {Peer} completed successfully in {Duration} ms ({Added} added, {Updated} updated, {Skipped} unchanged)",
            config.ThisServerName, peer.Name, watch.ElapsedMilliseconds, counts[(int)HaSyncedLease.Added], counts[(int)HaSyncedLease.Updated], counts[(int)HaSyncedLease.Skipped]);
        return null;
    }

    private async Task<string?> DisableAsync(HaPeerConfig peer, TimeSpan? maxPeriod, CancellationToken cancellationToken)
    {
        var args = PartnerOrigin();
        if (maxPeriod is { } period)
        {
            // Kea converts sync-timeout to seconds dropping the fraction, and sends at least 1.
            args["max-period"] = (long)Math.Max(1, Math.Floor(period.TotalSeconds));
        }

        var (_, error) = await SendAsync(peer, HaPeerCommand.Create("dhcp-disable", args), HaService.RequestTimeout, "HA_DHCP_DISABLE_FAILED", "HA_DHCP_DISABLE_COMMUNICATIONS_FAILED", cancellationToken).ConfigureAwait(false);
        return error;
    }

    /// <summary>
    /// Who disables the peer: Kea 2.5.8+ reads <c>origin-id</c>, Kea 2.2 <c>origin</c> (and ignores the other), as Kea 3.x
    /// sends them both.
    /// </summary>
    private JsonObject PartnerOrigin() => new() { ["origin-id"] = originId, ["origin"] = HaCommands.PartnerOrigin };

    private async Task<string?> EnableAsync(HaPeerConfig peer, CancellationToken cancellationToken)
    {
        var command = HaPeerCommand.Create("dhcp-enable", PartnerOrigin());
        var (_, error) = await SendAsync(peer, command, HaService.RequestTimeout, "HA_DHCP_ENABLE_FAILED", "HA_DHCP_ENABLE_COMMUNICATIONS_FAILED", cancellationToken).ConfigureAwait(false);
        return error;
    }

    private async Task<string?> NotifyCompleteAsync(HaPeerConfig peer, CancellationToken cancellationToken)
    {
        JsonObject answer;
        try
        {
            answer = await channel.SendAsync(peer, HaPeerCommand.Naming(config.ThisServerName, "ha-sync-complete-notify", new JsonObject { ["origin-id"] = originId, ["origin"] = originId }), HaService.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (HaPeerException ex)
        {
            log.LogError(new EventId(0, "HA_SYNC_COMPLETE_NOTIFY_COMMUNICATIONS_FAILED"), "{Server}: failed to send ha-sync-complete-notify to {Peer}: {Reason}", config.ThisServerName, peer.Name, ex.Message);
            return ex.Message;
        }

        var result = ControlAnswer.ResultOf(answer);
        if (result == ControlResult.Unsupported)
        {
            // An older partner: it is re-enabled the old way.
            return await EnableAsync(peer, cancellationToken).ConfigureAwait(false);
        }

        if (result != ControlResult.Success)
        {
            var error = $"{peer.Name} answered ha-sync-complete-notify with result {result}: {answer["text"]}";
            log.LogError(new EventId(0, "HA_SYNC_COMPLETE_NOTIFY_FAILED"), "{Server}: {Reason}", config.ThisServerName, error);
            return error;
        }

        return null;
    }

    private async Task<(JsonArray? Leases, string? Error)> GetPageAsync(HaPeerConfig peer, string from, CancellationToken cancellationToken)
    {
        var command = HaPeerCommand.Create("lease6-get-page", new JsonObject { ["from"] = from, ["limit"] = config.SyncPageLimit });
        JsonObject answer;
        try
        {
            answer = await channel.SendAsync(peer, command, config.SyncTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (HaPeerException ex)
        {
            log.LogError(new EventId(0, "HA_LEASES_SYNC_COMMUNICATIONS_FAILED"), "{Server}: failed to communicate with {Peer} while fetching leases: {Reason}", config.ThisServerName, peer.Name, ex.Message);
            return (null, ex.Message);
        }

        var result = ControlAnswer.ResultOf(answer);
        if (result == ControlResult.Empty)
        {
            return (new JsonArray(), null);
        }

        string? error = null;
        if (result != ControlResult.Success)
        {
            error = $"{peer.Name} answered lease6-get-page with result {result}: {answer["text"]}";
        }
        else if (answer["arguments"]?["leases"] is not JsonArray leases)
        {
            error = $"{peer.Name} answered lease6-get-page without a 'leases' list";
        }
        else
        {
            return (leases, null);
        }

        log.LogError(new EventId(0, "HA_LEASES_SYNC_FAILED"), "{Server}: failed to synchronize leases with {Peer}: {Reason}", config.ThisServerName, peer.Name, error);
        return (null, error);
    }

    private async Task ApplyAsync(JsonNode? item, int[] counts, CancellationToken cancellationToken)
    {
        try
        {
            if (item is not JsonObject lease)
            {
                throw new FormatException("a lease must be a map");
            }

            if (syncedSubnets is { Count: > 0 } && lease["subnet-id"] is JsonValue id
                && uint.TryParse(id.ToJsonString(), NumberStyles.None, CultureInfo.InvariantCulture, out var subnetId) && !syncedSubnets.Contains(subnetId))
            {
                // Another relationship's subnet (hub and spoke): that relationship synchronises it.
                return;
            }

            var outcome = await sink.ApplyAsync(lease, cancellationToken).ConfigureAwait(false);
            counts[(int)outcome]++;
            if (outcome == HaSyncedLease.Skipped)
            {
                log.LogDebug(new EventId(0, "HA_LEASE_SYNC_STALE_LEASE6_SKIP"), "{Server}: skipping stale lease {Address}: the local lease is as new or newer", config.ThisServerName, lease["ip-address"]?.ToString());
            }
        }
        catch (Exception ex) when (ex is FormatException or Leases.LeaseStoreUnavailableException)
        {
            // Kea skips a lease it cannot store and goes on with the others.
            log.LogWarning(new EventId(0, "HA_LEASE_SYNC_FAILED"), "{Server}: failed to synchronize lease {Lease}: {Reason}", config.ThisServerName, item?.ToJsonString(), ex.Message);
        }
    }

    private async Task<(JsonObject? Answer, string? Error)> SendAsync(HaPeerConfig peer, JsonObject command, TimeSpan timeout, string failedId, string communicationFailedId, CancellationToken cancellationToken)
    {
        var name = command["command"]!.GetValue<string>();
        JsonObject answer;
        try
        {
            answer = await channel.SendAsync(peer, command, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (HaPeerException ex)
        {
            log.LogError(new EventId(0, communicationFailedId), "{Server}: failed to send {Command} to {Peer}: {Reason}", config.ThisServerName, name, peer.Name, ex.Message);
            return (null, ex.Message);
        }

        var result = ControlAnswer.ResultOf(answer);
        if (result != ControlResult.Success)
        {
            var error = string.Create(CultureInfo.InvariantCulture, $"{peer.Name} answered {name} with result {result}: {answer["text"]}");
            log.LogError(new EventId(0, failedId), "{Server}: {Reason}", config.ThisServerName, error);
            return (answer, error);
        }

        return (answer, null);
    }
}
