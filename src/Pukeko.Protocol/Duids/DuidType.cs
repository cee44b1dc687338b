namespace Pukeko.Protocol.Duids;

/// <summary>DUID types (RFC 8415 §11.1, RFC 6355 for UUID).</summary>
public enum DuidType : ushort
{
    /// <summary>Link-layer address plus time (RFC 8415 §11.2).</summary>
    Llt = 1,

    /// <summary>Vendor-assigned, based on enterprise number (RFC 8415 §11.3).</summary>
    En = 2,

    /// <summary>Link-layer address (RFC 8415 §11.4).</summary>
    Ll = 3,

    /// <summary>UUID (RFC 6355).</summary>
    Uuid = 4,
}
