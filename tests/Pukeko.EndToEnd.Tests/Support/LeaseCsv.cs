namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>Reads Kea memfile rows by column name, to check what the server wrote.</summary>
internal static class LeaseCsv
{
    public const string Header = "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source,pool_id";

    public static List<Dictionary<string, string>> Rows(string[] lines)
    {
        var rows = new List<Dictionary<string, string>>();
        if (lines.Length == 0)
        {
            return rows;
        }

        var names = lines[0].Split(',');
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var values = line.Split(',');
            rows.Add(names.Zip(values).ToDictionary(p => p.First, p => p.Second));
        }

        return rows;
    }
}
