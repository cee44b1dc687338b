using System.Text;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.Ddns;

/// <summary>
/// Kea's Client FQDN rules (RFC 4704 and the <c>ddns-*</c> parameters): the reply's S, N and O flags, the name the
/// server uses (the client's sanitised and qualified, a reservation's, or one to generate from the address) and the
/// update directions. Pure functions, so every case can be tested on its own.
/// </summary>
internal static class FqdnRules
{
    /// <summary>
    /// The reply's S and N flags for the client's S and N (the client may not set both): with updates off the server
    /// does nothing (N=1); a client that wants to do the forward update itself may be overridden
    /// (<c>ddns-override-client-update</c>), and so may one that wants no update (<c>ddns-override-no-update</c>).
    /// </summary>
    public static (bool S, bool N) Flags(bool clientS, bool clientN, bool enabled, DdnsParameters parameters)
    {
        if (clientS && clientN)
        {
            throw new ArgumentException("the N and S flags cannot both be set");
        }

        if (clientN)
        {
            var s = enabled && parameters.OverrideNoUpdate;
            return (s, !s);
        }

        if (clientS)
        {
            return (enabled, !enabled);
        }

        return enabled ? (parameters.OverrideClientUpdate, false) : (false, true);
    }

    /// <summary>
    /// Kea's processClientFqdn: decides from the client's option (null when it sent none), the reservation's
    /// host name, the parameters and whether updates are on (<c>enable-updates</c> and <c>ddns-send-updates</c>).
    /// An empty response name means "generate one from the address" once it is known.
    /// </summary>
    public static FqdnDecision Decide(ClientFqdnOption? client, string? reservedHostname, DdnsParameters parameters, bool enabled)
    {
        if (client is null)
        {
            if (!enabled || parameters.ReplaceClientName is not (DdnsReplaceClientName.Always or DdnsReplaceClientName.WhenNotPresent))
            {
                // No FQDN processing: the lease still carries a reserved name, as given.
                return new FqdnDecision(null, reservedHostname ?? "", false, false);
            }

            // Kea makes up an empty name for a client that sent none, asking the server to update.
            client = new ClientFqdnOption(ClientFqdnOption.FlagS, "", isPartialName: true);
        }

        var (s, n) = Flags(client.ServerUpdates, client.NoUpdate, enabled, parameters);
        var flags = (byte)((s ? ClientFqdnOption.FlagS : 0) | (n ? ClientFqdnOption.FlagN : 0) | (client.ServerUpdates != s ? ClientFqdnOption.FlagO : 0));
        string name;
        if (!string.IsNullOrEmpty(reservedHostname))
        {
            name = parameters.Qualify(reservedHostname.ToLowerInvariant(), trailingDot: true);
        }
        else if (parameters.ReplaceClientName is DdnsReplaceClientName.Always or DdnsReplaceClientName.WhenPresent
                 || client.DomainName.Length == 0)
        {
            name = "";
        }
        else if (Sanitize(client.DomainName.ToLowerInvariant(), parameters) is not { } clean)
        {
            // Nothing usable is left of the client's name: no FQDN processing at all.
            return new FqdnDecision(null, "", false, false);
        }
        else
        {
            name = client.IsPartialName ? parameters.Qualify(clean.TrimEnd('.'), trailingDot: true) : clean + ".";
        }

        var response = name.Length == 0
            ? new ClientFqdnOption(flags, "", isPartialName: true)
            : new ClientFqdnOption(flags, name.TrimEnd('.'), isPartialName: false);
        return new FqdnDecision(response, name, s, !n);
    }

    /// <summary>
    /// The client's name with each label passed through the <c>hostname-char-set</c> replacement (labels one by one, so
    /// the expression never sees the dots); null when the result is empty, "." or has an empty label.
    /// </summary>
    public static string? Sanitize(string name, DdnsParameters parameters)
    {
        if (parameters.HostnameCharSet.Length == 0)
        {
            return name;
        }

        var labels = name.Split('.');
        var clean = new StringBuilder(name.Length);
        for (var i = 0; i < labels.Length; i++)
        {
            if (i > 0)
            {
                clean.Append('.');
            }

            try
            {
                clean.Append(parameters.Sanitize(labels[i]));
            }
            catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
            {
                // An expression too costly for this name: treated as a name with nothing usable left.
                return null;
            }
        }

        var text = clean.ToString();
        return text.Length == 0 || text == "." || text.Contains("..", StringComparison.Ordinal) ? null : text;
    }

    /// <summary>
    /// A name made from the address (Kea's generateFqdn): the prefix, '-', the address text with ':' turned into '-'
    /// (and a '0' after a trailing '-'), qualified, with the trailing dot.
    /// </summary>
    public static string Generate(Ipv6Address address, DdnsParameters parameters)
    {
        var text = address.ToString().Replace(':', '-');
        if (text.EndsWith('-'))
        {
            text += "0";
        }

        return parameters.Qualify(parameters.GeneratedPrefix + "-" + text, trailingDot: true);
    }
}
