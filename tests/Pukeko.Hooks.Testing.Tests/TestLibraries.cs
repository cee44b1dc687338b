using Pukeko.Hooks;
using Pukeko.Hooks.Leases;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;

namespace Pukeko.Hooks.Testing.Tests;

/// <summary>Replaces the DNS servers of every reply with the one in its parameters (pkt6_send).</summary>
public sealed class DnsRewriter : HookLibrary
{
    private Ipv6Address _server = Ipv6Address.Parse("2001:db8::53");

    public override bool MultiThreadingCompatible => true;

    public override int Load(LibraryHandle handle)
    {
        if (handle.GetParameter("dns") is { } dns)
        {
            _server = Ipv6Address.Parse(dns.GetString()!);
        }

        return 0;
    }

    public int Pkt6Send(CalloutHandle handle)
    {
        var options = handle.GetArgument<Dhcp6Packet>("response6").Message.Options;
        if (options.Get<AddressListOption>(OptionCode.DnsServers) is { } list)
        {
            list.Addresses.Clear();
            list.Addresses.Add(_server);
        }

        return 0;
    }
}

/// <summary>Drops every query whose DUID is in its block list (pkt6_receive).</summary>
public sealed class Blocker(params byte[][] blocked) : HookLibrary
{
    public override bool MultiThreadingCompatible => true;

    public int Pkt6Receive(CalloutHandle handle)
    {
        var query = handle.GetArgument<Dhcp6Packet>("query6").Message;
        var duid = query.Options.Get<DuidOption>(OptionCode.ClientId)?.Duid.ToArray() ?? [];
        if (blocked.Any(b => b.AsSpan().SequenceEqual(duid)))
        {
            handle.Status = NextStep.Drop;
        }

        return 0;
    }
}

/// <summary>Gives every new lease the lifetimes and host name of its parameters, and counts the hook points it saw.</summary>
public sealed class LeaseTagger : HookLibrary
{
    private uint _valid = 900;

    public override bool MultiThreadingCompatible => true;

    public int Selected;
    public int Renewed;
    public int Released;
    public int Expired;
    public int Unloaded;

    public override int Load(LibraryHandle handle)
    {
        _valid = handle.GetParameter("valid-lifetime")?.GetUInt32() ?? _valid;
        return 0;
    }

    public override int Unload()
    {
        Unloaded++;
        return 0;
    }

    public int Lease6Select(CalloutHandle handle)
    {
        Interlocked.Increment(ref Selected);
        var lease = handle.GetArgument<Lease6>("lease6");
        lease.ValidLifetime = _valid;
        lease.PreferredLifetime = _valid / 2;
        lease.Hostname = "tagged.example.org";
        return 0;
    }

    public int Lease6Renew(CalloutHandle handle)
    {
        Interlocked.Increment(ref Renewed);
        return 0;
    }

    public int Lease6Release(CalloutHandle handle)
    {
        Interlocked.Increment(ref Released);
        return 0;
    }

    public int Lease6Expire(CalloutHandle handle)
    {
        Interlocked.Increment(ref Expired);
        return 0;
    }
}

/// <summary>Throws in pkt6_receive.</summary>
public sealed class Thrower : HookLibrary
{
    public override bool MultiThreadingCompatible => true;

    public int Pkt6Receive(CalloutHandle handle) => throw new InvalidOperationException("the callout under test broke");
}

/// <summary>Load fails: a required parameter is missing.</summary>
public sealed class NeedsParameter : HookLibrary
{
    public override bool MultiThreadingCompatible => true;

    public override int Load(LibraryHandle handle) => handle.GetParameter("required") is null ? 1 : 0;
}

/// <summary>Does not declare itself multi-threading compatible.</summary>
public sealed class SingleThreaded : HookLibrary
{
    public int Pkt6Receive(CalloutHandle handle) => 0;
}

/// <summary>Parks leases6_committed on an asynchronous call, as a library that reports leases elsewhere would.</summary>
public sealed class SlowCommitter : HookLibrary
{
    public override bool MultiThreadingCompatible => true;

    public int Committed;

    public async Task<int> Leases6Committed(CalloutHandle handle)
    {
        await Task.Delay(50, handle.CancellationToken);
        Interlocked.Increment(ref Committed);
        return 0;
    }
}

/// <summary>Answers "greeting-get" with the name it was given.</summary>
public sealed class Greeter : HookLibrary
{
    public override bool MultiThreadingCompatible => true;

    public override int Load(LibraryHandle handle)
    {
        handle.RegisterCommandHandler("greeting-get", (command, _) =>
        {
            var name = command["arguments"]?["name"]?.GetValue<string>() ?? "nobody";
            return ValueTask.FromResult(new System.Text.Json.Nodes.JsonObject { ["result"] = 0, ["text"] = $"kia ora {name}" });
        });
        return 0;
    }
}
