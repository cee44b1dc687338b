namespace Pukeko.Server.Configuration;

/// <summary>The server DUID types Kea can generate (<c>server-id.type</c>).</summary>
internal enum DuidKind
{
    /// <summary>DUID-LLT (type 1): link-layer address plus time. Kea's default.</summary>
    Llt = 1,

    /// <summary>DUID-EN (type 2): enterprise number plus identifier.</summary>
    En = 2,

    /// <summary>DUID-LL (type 3): link-layer address.</summary>
    Ll = 3,
}
