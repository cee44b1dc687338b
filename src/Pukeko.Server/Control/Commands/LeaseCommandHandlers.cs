using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Allocation;
using Pukeko.Server.Hosting;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Control.Commands;

/// <summary>The bodies of the lease commands; one instance per server.</summary>
internal sealed class LeaseCommandHandlers(Dhcp6Server server)
{
    private static readonly string[] StateNames = ["default", "declined", "expired-reclaimed", "released", "registered"];

    private ILeaseStore Store => server.Leases ?? throw new CommandArgumentException("no lease database is open");

    private AllocationEngine Engine => server.Allocation ?? throw new CommandArgumentException("no lease database is open");

    private long Now => server.Time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>
    /// The lease map of lease6-add, lease6-update and lease6-bulk-apply, with <c>extended-info-checks</c> applied to
    /// its user context as Kea's lease parser does (HA's lease sync reads leases without them, as Kea's does).
    /// </summary>
    private Lease6 ParseLease(JsonObject map)
    {
        var config = server.Config;
        var lease = LeaseAddParser.Parse(map, config, Now);
        var context = lease.UserContext;
        if (LeaseExtendedInfoSanity.Apply(ref context, config?.ExtendedInfoChecks ?? ExtendedInfoSanityMode.Fix, lease.Address, server.LeaseDatabaseLog))
        {
            lease.UserContext = context;
        }

        return lease;
    }

    public async ValueTask<JsonObject> AddAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("no parameters specified for the command");
        var lease = ParseLease(args);
        if (await InsertClaimedAsync(lease, cancellationToken).ConfigureAwait(false) != LeaseWriteResult.Written)
        {
            throw new CommandResultException(ControlResult.Conflict, "IPv6 lease already exists.");
        }

        return ControlAnswer.Success(AddedText(lease));
    }

    public ValueTask<JsonObject> UpdateAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("no parameters specified for lease6-update command");
        var forceCreate = KeaParameters.OptionalBool(args, "force-create") ?? false;
        var lease = ParseLease(args);
        return AddOrUpdateAsync(lease, forceCreate, cancellationToken);
    }

    /// <summary>
    /// How often lease6-update and lease6-bulk-apply read a lease again after another writer changed it between
    /// their read and their write (HA peers send a retransmitted Request's updates together, each on its own connection).
    /// </summary>
    private const int WriteAttempts = 3;

    private async ValueTask<JsonObject> AddOrUpdateAsync(Lease6 lease, bool forceCreate, CancellationToken cancellationToken)
    {
        var engine = Engine;
        for (var attempt = 1; ; attempt++)
        {
            var lastAttempt = attempt == WriteAttempts;
            var old = await engine.Writer.GetAsync(lease.Address, cancellationToken).ConfigureAwait(false);
            if (old is null)
            {
                if (!forceCreate)
                {
                    throw new CommandResultException(ControlResult.Empty, $"failed to update the lease with address {lease.Address} - no such lease");
                }

                if (await InsertClaimedAsync(lease, cancellationToken).ConfigureAwait(false) == LeaseWriteResult.Written)
                {
                    return ControlAnswer.Success("IPv6 lease added.");
                }

                if (lastAttempt)
                {
                    throw new CommandResultException(ControlResult.Conflict, "IPv6 lease already exists.");
                }

                continue;
            }

            // The lease may change hands: hold both clients' claims, read again under them (a writer for either
            // client may have come between), and write only over what was read.
            var written = LeaseWriteResult.Conflict;
            using (await engine.Claims.ClaimAsync(old.Duid, lease.Duid).ConfigureAwait(false))
            {
                var current = await engine.Writer.GetAsync(lease.Address, cancellationToken).ConfigureAwait(false);
                if (current is not null && current.Duid.AsSpan().SequenceEqual(old.Duid))
                {
                    var work = engine.Writer.Begin();
                    await using (work.ConfigureAwait(false))
                    {
                        written = await work.UpdateAsync(current, lease, LeaseChangeReason.Command, cancellationToken).ConfigureAwait(false);
                        await work.CommitAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            switch (written)
            {
                case LeaseWriteResult.Written:
                    return ControlAnswer.Success("IPv6 lease updated.");
                case LeaseWriteResult.Conflict when lastAttempt:
                    throw new CommandResultException(ControlResult.Error, $"failed to update the lease with address {lease.Address} - the lease changed meanwhile, try again");
                case LeaseWriteResult.Conflict:
                    continue;
                default:
                    // Deleted meanwhile: the next attempt adds it when force-create allows.
                    if (lastAttempt)
                    {
                        throw new CommandResultException(ControlResult.Empty, $"failed to update the lease with address {lease.Address} - no such lease");
                    }

                    continue;
            }
        }
    }

    public async ValueTask<JsonObject> GetAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var query = LeaseQueryParser.Parse(command.Arguments);
        var lease = await query.FindAsync(Store, cancellationToken).ConfigureAwait(false);
        return lease is null
            ? ControlAnswer.Empty("Lease not found.")
            : ControlAnswer.Success("IPv6 lease found.", LeaseJson.ToJson(lease));
    }

    public async ValueTask<JsonObject> DeleteAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var query = LeaseQueryParser.Parse(command.Arguments);
        var updateDdns = command.Arguments!.TryGetPropertyValue("update-ddns", out var flag) && flag is not null
            && (flag is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False
                ? value.GetValue<bool>()
                : throw new CommandArgumentException("'update-ddns' is not a boolean"));
        var lease = await query.FindAsync(Store, cancellationToken).ConfigureAwait(false);
        if (lease is null || !await DeleteClaimedAsync(lease, cancellationToken).ConfigureAwait(false))
        {
            return ControlAnswer.Empty("IPv6 lease not found.");
        }

        if (updateDdns)
        {
            // The lease's DNS entries go with it (a REMOVE when it has a name and a direction, and DDNS is on).
            server.Ddns?.QueueFromLease(Ddns.NameChangeType.Remove, lease, "lease6-del");
        }

        return ControlAnswer.Success("IPv6 lease deleted.");
    }

    // Commands change leases the way the pipeline does: under the client's claim, one unit of work each. The lease
    // found is read again under the claim, and whatever version of it is stored then is deleted (another update for
    // the same client may have come between: an HA partner's updates arrive together); a lease that changed hands
    // meanwhile is not this one any more.
    private async ValueTask<bool> DeleteClaimedAsync(Lease6 lease, CancellationToken cancellationToken)
    {
        var engine = Engine;
        for (var attempt = 1; attempt <= WriteAttempts; attempt++)
        {
            using (await engine.Claims.ClaimAsync(lease.Duid).ConfigureAwait(false))
            {
                var current = await engine.Writer.GetAsync(lease.Address, cancellationToken).ConfigureAwait(false);
                if (current is null || !current.Duid.AsSpan().SequenceEqual(lease.Duid))
                {
                    return false;
                }

                var work = engine.Writer.Begin();
                await using (work.ConfigureAwait(false))
                {
                    var written = await work.DeleteAsync(current, LeaseChangeReason.Command, cancellationToken).ConfigureAwait(false);
                    await work.CommitAsync(cancellationToken).ConfigureAwait(false);
                    if (written != LeaseWriteResult.Conflict)
                    {
                        return written == LeaseWriteResult.Written;
                    }
                }
            }
        }

        return false;
    }

    private async ValueTask<LeaseWriteResult> InsertClaimedAsync(Lease6 lease, CancellationToken cancellationToken)
    {
        var engine = Engine;
        using (await engine.Claims.ClaimAsync(lease.Duid).ConfigureAwait(false))
        {
            var work = engine.Writer.Begin();
            await using (work.ConfigureAwait(false))
            {
                var written = await work.InsertAsync(lease, LeaseChangeReason.Command, cancellationToken).ConfigureAwait(false);
                await work.CommitAsync(cancellationToken).ConfigureAwait(false);
                return written;
            }
        }
    }

    public async ValueTask<JsonObject> GetAllAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        IReadOnlyList<Lease6> leases;
        if (command.Arguments is not { } args)
        {
            leases = await Store.GetAllAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (!args.TryGetPropertyValue("subnets", out var subnetsNode) || subnetsNode is null)
            {
                throw new CommandArgumentException("'subnets' parameter not specified");
            }

            if (subnetsNode is not JsonArray subnets)
            {
                throw new CommandArgumentException("'subnets' parameter must be a list");
            }

            var list = new List<Lease6>();
            foreach (var item in subnets)
            {
                if (item is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !value.TryGetValue<long>(out var id))
                {
                    throw new CommandArgumentException("listed subnet identifiers must be numbers");
                }

                if (id is >= 0 and <= uint.MaxValue)
                {
                    list.AddRange(await Store.GetBySubnetAsync((uint)id, cancellationToken).ConfigureAwait(false));
                }
            }

            leases = list;
        }

        return Found(leases);
    }

    public async ValueTask<JsonObject> GetPageAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("no parameters specified for the lease6-get-page command");
        if (!args.TryGetPropertyValue("from", out var fromNode) || fromNode is null)
        {
            throw new CommandArgumentException("'from' parameter not specified");
        }

        if (fromNode is not JsonValue fromValue || !fromValue.TryGetValue<string>(out var from))
        {
            throw new CommandArgumentException("'from' parameter must be a string");
        }

        Ipv6Address? after = null;
        if (from != "start")
        {
            after = KeaParameters.ParseAddress(from)
                ?? throw new CommandArgumentException("'from' parameter value is neither 'start' keyword nor a valid IPv6 address");
        }

        if (!args.TryGetPropertyValue("limit", out var limitNode) || limitNode is null)
        {
            throw new CommandArgumentException("'limit' parameter not specified");
        }

        if (limitNode is not JsonValue limitValue || limitValue.GetValueKind() != JsonValueKind.Number || !limitValue.TryGetValue<long>(out var limit))
        {
            throw new CommandArgumentException("'limit' parameter must be a number");
        }

        if (limit is < 0 or > uint.MaxValue)
        {
            throw new CommandArgumentException("'limit' parameter is not a 32 bit unsigned integer.");
        }

        if (limit == 0)
        {
            throw new CommandArgumentException("'limit' parameter must not be 0.");
        }

        var page = await Store.GetPageAsync(after, (int)Math.Min(limit, int.MaxValue - 1), cancellationToken).ConfigureAwait(false);
        var answer = Found(page);
        ((JsonObject)answer["arguments"]!)["count"] = page.Count;
        return answer;
    }

    public async ValueTask<JsonObject> GetByDuidAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var text = RequiredString(command, "duid");
        byte[] duid;
        try
        {
            duid = LeaseQueryParser.ParseDuid(text);
        }
        catch (FormatException ex)
        {
            throw new CommandArgumentException($"bad 'duid' parameter: {ex.Message}");
        }

        return Found(await Store.GetByDuidAsync(duid, cancellationToken).ConfigureAwait(false));
    }

    public async ValueTask<JsonObject> GetByHostnameAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var hostname = RequiredString(command, "hostname");
        if (hostname.Length == 0)
        {
            throw new CommandArgumentException("'hostname' parameter is empty");
        }

        return Found(await Store.GetByHostnameAsync(hostname.ToLowerInvariant(), cancellationToken).ConfigureAwait(false));
    }

    public async ValueTask<JsonObject> GetByHardwareAddressAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var text = RequiredString(command, "hw-address");
        if (text.Length == 0)
        {
            throw new CommandArgumentException("'hw-address' parameter must not be empty");
        }

        byte[] hardware;
        try
        {
            hardware = KeaHex.DecodeColonSeparated(text);
        }
        catch (FormatException ex)
        {
            throw new CommandArgumentException($"bad 'hw-address' parameter: {ex.Message}");
        }

        // Kea's HWAddr::MAX_HWADDR_LEN.
        if (hardware.Length > 20)
        {
            throw new CommandArgumentException("bad 'hw-address' parameter: address vector size exceeds MAX_HWADDR_LEN");
        }

        var found = await Store.GetByHardwareAddressAsync(hardware, cancellationToken).ConfigureAwait(false);
        return Found(found.OrderBy(l => l.Address).ToList());
    }

    public async ValueTask<JsonObject> GetByStateAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("Command arguments missing or a not a map.");
        if (!args.TryGetPropertyValue("state", out var stateNode) || stateNode is null)
        {
            throw new CommandArgumentException("'state' parameter not specified");
        }

        uint state;
        if (stateNode is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            var name = value.GetValue<string>();
            state = name switch
            {
                "assigned" or "default" => 0,
                "declined" => 1,
                "expired-reclaimed" => 2,
                "released" => 3,
                "registered" => 4,
                _ => throw new CommandArgumentException($"'state' parameter value ({name}) is not recognized"),
            };
        }
        else if (stateNode is JsonValue number && number.GetValueKind() == JsonValueKind.Number && number.TryGetValue<long>(out var n))
        {
            // Kea reads the number into 32 bits, so it wraps; the answer text shows what was searched.
            state = unchecked((uint)n);
        }
        else
        {
            throw new CommandArgumentException("'state' parameter must be a number or a string");
        }

        uint? subnetId = null;
        if (args.TryGetPropertyValue("subnet-id", out var subnetNode) && subnetNode is not null)
        {
            subnetId = subnetNode is JsonValue s && s.GetValueKind() == JsonValueKind.Number && s.TryGetValue<long>(out var id) && id is >= 0 and <= uint.MaxValue
                ? (uint)id
                : throw new CommandArgumentException("'subnet-id' parameter must be a number");
        }

        var leases = state <= (uint)LeaseState.Registered
            ? (await Store.GetByStateAsync((LeaseState)state, cancellationToken).ConfigureAwait(false)).Where(l => subnetId is not { } sid || l.SubnetId == sid).OrderBy(l => l.Address).ToList()
            : [];
        var label = state < StateNames.Length
            ? string.Create(CultureInfo.InvariantCulture, $"{StateNames[state]} ({state})")
            : state.ToString(CultureInfo.InvariantCulture);
        var answer = Found(leases);
        answer["text"] = string.Create(CultureInfo.InvariantCulture, $"{leases.Count} IPv6 lease(s) found with state {label}.");
        return answer;
    }

    public async ValueTask<JsonObject> WipeAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        uint subnetId = 0;
        if (command.Arguments is { } args && args.TryGetPropertyValue("subnet-id", out var node) && node is not null)
        {
            subnetId = node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var id) && id is >= 0 and <= uint.MaxValue
                ? (uint)id
                : throw new CommandArgumentException("'subnet-id' parameter must be a number");
        }

        var ids = subnetId != 0
            ? [subnetId]
            : (server.Config?.Subnets.Select(s => s.Id).ToList() ?? []);
        var deleted = 0;
        foreach (var id in ids)
        {
            foreach (var lease in await Store.GetBySubnetAsync(id, cancellationToken).ConfigureAwait(false))
            {
                if (await DeleteClaimedAsync(lease, cancellationToken).ConfigureAwait(false))
                {
                    deleted++;
                }
            }
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"Deleted {deleted} IPv6 lease(s) from subnet(s)") + string.Concat(ids.Select(i => " " + i.ToString(CultureInfo.InvariantCulture)));
        return ControlAnswer.Create(deleted > 0 ? ControlResult.Success : ControlResult.Empty, text);
    }

    public async ValueTask<JsonObject> BulkApplyAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("no parameters specified for the lease6-bulk-apply command");
        var deletedList = args.OptionalList("deleted-leases");
        var leasesList = args.OptionalList("leases");
        if (deletedList is null && leasesList is null)
        {
            throw new CommandArgumentException("neither 'deleted-leases' nor 'leases' parameter specified");
        }

        var failedDeleted = new JsonArray();
        var failed = new JsonArray();
        var success = 0;
        foreach (var item in deletedList ?? [])
        {
            var (ok, code, message) = await TryAsync(() => DeleteAsync(new ControlCommand("lease6-del", item as JsonObject, command.Request), cancellationToken)).ConfigureAwait(false);
            if (ok)
            {
                success++;
            }
            else
            {
                failedDeleted.Add(Failure(item, code, message));
            }
        }

        foreach (var item in leasesList ?? [])
        {
            var (ok, code, message) = await TryAsync(() =>
            {
                var map = item as JsonObject ?? throw new CommandArgumentException("lease must be a map");
                return AddOrUpdateAsync(ParseLease(map), forceCreate: true, cancellationToken);
            }).ConfigureAwait(false);
            if (ok)
            {
                success++;
            }
            else
            {
                failed.Add(Failure(item, code, message));
            }
        }

        var arguments = new JsonObject();
        if (failedDeleted.Count > 0)
        {
            arguments["failed-deleted-leases"] = failedDeleted;
        }

        if (failed.Count > 0)
        {
            arguments["failed-leases"] = failed;
        }

        // Kea: result 3 when nothing was applied, so an HA sender reads the failed leases' own results.
        return ControlAnswer.Create(
            success > 0 ? ControlResult.Success : ControlResult.Empty,
            string.Create(CultureInfo.InvariantCulture, $"Bulk apply of {success} IPv6 leases completed."),
            arguments.Count > 0 ? arguments : null);
    }

    public JsonObject Write(ControlCommand command)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("no parameters specified for the command");
        if (!args.TryGetPropertyValue("filename", out var node) || node is null)
        {
            throw new CommandArgumentException("'filename' parameter not specified");
        }

        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            throw new CommandArgumentException("'filename' parameter must be a string");
        }

        var name = value.GetValue<string>();
        if (name.Length == 0)
        {
            throw new CommandArgumentException("'filename' parameter is invalid: path: '' has no filename");
        }

        // Kea 3.x: lease files may only be written into the data directory.
        var dataDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(server.Directories.DataDirectory));
        var full = Path.GetFullPath(Path.Combine(dataDirectory, name));
        if (!string.Equals(Path.GetDirectoryName(full), dataDirectory, StringComparison.Ordinal) || name.EndsWith('/'))
        {
            var given = Path.GetDirectoryName(name) is { Length: > 0 } d ? d : name;
            var problem = $"invalid path specified: '{given}', supported path is '{dataDirectory}'";
            if (!server.Directories.RelaxedSecurity || name.EndsWith('/'))
            {
                throw new CommandArgumentException($"'filename' parameter is invalid: {problem}");
            }

            // Kea's -X: the file is written where it was named, with a warning.
            server.CommandLog.LogWarning(new EventId(0, "LEASE_CMDS_PATH_SECURITY_WARNING"), "lease file path specified is NOT SECURE: {Problem}", problem);
            full = Path.GetFullPath(name);
        }

        if (Store is not MemfileLeaseStore memfile)
        {
            throw new CommandArgumentException("lease6-write is only supported by the memfile lease database");
        }

        memfile.WriteLeases(full);
        return ControlAnswer.Success($"IPv6 lease database into '{name}'.");
    }

    public async ValueTask<JsonObject> ResendDdnsAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("no parameters specified for the command");
        var address = KeaParameters.Address(args, "ip-address");
        if (server.Ddns is not { Sender: not null } ddns)
        {
            return ControlAnswer.Create(ControlResult.Conflict, "DDNS updating is not enabled");
        }

        if (await Store.GetAsync(address, cancellationToken).ConfigureAwait(false) is not { Type: LeaseType.NA } lease)
        {
            return ControlAnswer.Empty($"No lease found for: {address}");
        }

        if (lease.Hostname.Length == 0)
        {
            return ControlAnswer.Create(ControlResult.Conflict, $"Lease for: {address}, has no hostname, nothing to update");
        }

        if (!lease.FqdnForward && !lease.FqdnReverse)
        {
            return ControlAnswer.Create(ControlResult.Conflict, $"Neither forward nor reverse updates enabled for lease for: {address}");
        }

        ddns.QueueFromLease(Ddns.NameChangeType.Add, lease, "lease6-resend-ddns");
        return ControlAnswer.Success($"NCR generated for: {address}, hostname: {lease.Hostname}");
    }

    private static string RequiredString(ControlCommand command, string name)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("Command arguments missing or a not a map.");
        if (!args.TryGetPropertyValue(name, out var node) || node is null)
        {
            throw new CommandArgumentException($"'{name}' parameter not specified");
        }

        return node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : throw new CommandArgumentException($"'{name}' parameter must be a string");
    }

    private static JsonObject Found(IReadOnlyList<Lease6> leases)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{leases.Count} IPv6 lease(s) found.");
        var arguments = new JsonObject { ["leases"] = LeaseJson.ToJson(leases) };
        return ControlAnswer.Create(leases.Count > 0 ? ControlResult.Success : ControlResult.Empty, text, arguments);
    }

    private static string AddedText(Lease6 lease) => lease.Type == LeaseType.PD
        ? string.Create(CultureInfo.InvariantCulture, $"Lease for prefix {lease.Address}/{lease.PrefixLength}, subnet-id {lease.SubnetId} added.")
        : string.Create(CultureInfo.InvariantCulture, $"Lease for address {lease.Address}, subnet-id {lease.SubnetId} added.");

    private static async ValueTask<(bool Ok, int Code, string Message)> TryAsync(Func<ValueTask<JsonObject>> action)
    {
        try
        {
            var answer = await action().ConfigureAwait(false);
            var code = ControlAnswer.ResultOf(answer);
            return (code == ControlResult.Success, code, answer["text"]?.GetValue<string>() ?? "");
        }
        catch (CommandArgumentException ex)
        {
            return (false, ControlResult.Error, ex.Message);
        }
        catch (CommandResultException ex)
        {
            return (false, ex.Result, ex.Message);
        }
    }

    private static JsonObject Failure(JsonNode? item, int code, string message)
    {
        var failure = new JsonObject();
        if (item is JsonObject map)
        {
            failure["type"] = map["type"]?.DeepClone() ?? "IA_NA";
            failure["ip-address"] = map["ip-address"]?.DeepClone();
        }

        failure["result"] = code;
        failure["error-message"] = message;
        return failure;
    }
}
