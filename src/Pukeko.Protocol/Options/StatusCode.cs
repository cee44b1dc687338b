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
}
