namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// Column layout of Kea's DHCPv6 memfile CSV (schema 5.0, Kea 2.4 and later). Older files carry a
/// prefix of these columns; files from newer versions may carry extra columns after them.
/// </summary>
internal static class LeaseCsvSchema
{
    public const int Address = 0;
    public const int Duid = 1;
    public const int ValidLifetime = 2;
    public const int Expire = 3;
    public const int SubnetId = 4;
    public const int PreferredLifetime = 5;
    public const int LeaseType = 6;
    public const int Iaid = 7;
    public const int PrefixLength = 8;
    public const int FqdnForward = 9;
    public const int FqdnReverse = 10;
    public const int Hostname = 11;
    public const int HardwareAddress = 12;
    public const int State = 13;
    public const int UserContext = 14;
    public const int HardwareType = 15;
    public const int HardwareAddressSource = 16;
    public const int PoolId = 17;

    /// <summary>Number of columns we write.</summary>
    public const int ColumnCount = 18;

    /// <summary>A file must have at least the columns up to <c>hostname</c> (schema 1.0) to be readable.</summary>
    public const int MinimumColumns = 12;

    /// <summary>The header line we write (without line terminator).</summary>
    public const string HeaderLine =
        "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source,pool_id";

    private static readonly string[] Names = HeaderLine.Split(',');

    /// <summary>
    /// Checks a header line and returns how many columns the file's rows have. Fewer than 18 means an
    /// older schema (missing columns take defaults), more means a newer one (extra columns ignored);
    /// either way the file needs a conversion by LFC.
    /// </summary>
    /// <exception cref="LeaseFileException">The header does not describe a DHCPv6 lease file.</exception>
    public static int ValidateHeader(string headerLine, string path)
    {
        var names = headerLine.Split(',');
        if (names.Length < MinimumColumns)
        {
            throw new LeaseFileException(
                $"Lease file '{path}' has an invalid header '{headerLine}': {names.Length} columns, at least {MinimumColumns} (up to 'hostname') are required");
        }

        var known = Math.Min(names.Length, ColumnCount);
        for (var i = 0; i < known; i++)
        {
            if (!string.Equals(names[i], Names[i], StringComparison.Ordinal))
            {
                throw new LeaseFileException(
                    $"Lease file '{path}' has an invalid header '{headerLine}': column {i + 1} is '{names[i]}', expected '{Names[i]}'");
            }
        }

        return names.Length;
    }
}
