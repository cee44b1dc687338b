using System.Text.Json.Nodes;
using Pukeko.Server.Allocation;
using Pukeko.Server.Configuration;
using Pukeko.Server.Control;
using Pukeko.Server.Control.Commands;
using Pukeko.Server.Leases;

namespace Pukeko.Server.HighAvailability;

/// <summary>
/// Writes synchronised leases into the local store through the allocation engine's writer, under the clients'
/// claims as the lease commands do. The changes carry <see cref="LeaseChangeReason.Command"/>, so they are not
/// sent back to the partner.
/// </summary>
internal sealed class HaLeaseStoreSink(AllocationEngine engine, Func<DhcpConfig?> config, TimeProvider time) : IHaLeaseSink
{
    public async ValueTask<HaSyncedLease> ApplyAsync(JsonObject lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var incoming = Parse(lease);
        var existing = await engine.Writer.GetAsync(incoming.Address, cancellationToken).ConfigureAwait(false);
        if (existing is not null && existing.Cltt >= incoming.Cltt)
        {
            return HaSyncedLease.Skipped;
        }

        using (await (existing is null ? engine.Claims.ClaimAsync(incoming.Duid) : engine.Claims.ClaimAsync(existing.Duid, incoming.Duid)).ConfigureAwait(false))
        {
            var work = engine.Writer.Begin();
            await using (work.ConfigureAwait(false))
            {
                var written = existing is null
                    ? await work.InsertAsync(incoming, LeaseChangeReason.Command, cancellationToken).ConfigureAwait(false)
                    : await work.UpdateAsync(existing, incoming, LeaseChangeReason.Command, cancellationToken).ConfigureAwait(false);
                await work.CommitAsync(cancellationToken).ConfigureAwait(false);
                if (written != LeaseWriteResult.Written)
                {
                    // A client of this server changed the lease meanwhile: its write is the newer one.
                    return HaSyncedLease.Skipped;
                }
            }
        }

        return existing is null ? HaSyncedLease.Added : HaSyncedLease.Updated;
    }

    /// <summary>The page's lease map (with <c>cltt</c>) read as <c>lease6-add</c> reads its map (with <c>expire</c>).</summary>
    private Lease6 Parse(JsonObject lease)
    {
        var map = lease.DeepClone().AsObject();
        if (map["cltt"] is JsonValue clttValue && clttValue.TryGetValue<long>(out var cltt)
            && map["valid-lft"] is JsonValue validValue && validValue.TryGetValue<long>(out var valid))
        {
            map.Remove("cltt");
            map["expire"] = cltt + valid;
        }
        else
        {
            throw new FormatException("the lease has no integer 'cltt' and 'valid-lft'");
        }

        try
        {
            return LeaseAddParser.Parse(map, config(), time.GetUtcNow().ToUnixTimeSeconds());
        }
        catch (Exception ex) when (ex is CommandArgumentException or CommandResultException)
        {
            throw new FormatException(ex.Message, ex);
        }
    }
}
