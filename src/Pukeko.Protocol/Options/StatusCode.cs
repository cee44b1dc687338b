namespace Pukeko.Protocol.Options;

/// <summary>Status codes carried in the Status Code option (RFC 8415 §21.13).</summary>
public enum StatusCode : ushort
{
    Success = 0,
    UnspecFail = 1,
    NoAddrsAvail = 2,
    NoBinding = 3,
    NotOnLink = 4,
    UseMulticast = 5,
    NoPrefixAvail = 6,

    /// <summary>RFC 5007 §4.1.2.5: the server does not know the leasequery's query type.</summary>
    UnknownQueryType = 7,

    /// <summary>RFC 5007: the leasequery lacks what its query type needs.</summary>
    MalformedQuery = 8,

    /// <summary>RFC 5007: the address or link asked about is not one the server is configured for.</summary>
    NotConfigured = 9,

    /// <summary>RFC 5007: the requester may not ask this query (Kea: extended info tables are off).</summary>
    NotAllowed = 10,

    /// <summary>RFC 5460 §5.6: the server ended a bulk leasequery before it was complete.</summary>
    QueryTerminated = 11,
}
