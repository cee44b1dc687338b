namespace Pukeko.Protocol.Messages;

/// <summary>
/// DHCPv6 message types (RFC 8415 §7.3 and the IANA registry). Values outside the named ones
/// still parse; the server drops types it does not serve.
/// </summary>
public enum MessageType : byte
{
    Solicit = 1,
    Advertise = 2,
    Request = 3,
    Confirm = 4,
    Renew = 5,
    Rebind = 6,
    Reply = 7,
    Release = 8,
    Decline = 9,
    Reconfigure = 10,
    InformationRequest = 11,
    RelayForward = 12,
    RelayReply = 13,
    Leasequery = 14,
    LeasequeryReply = 15,
    LeasequeryDone = 16,
    LeasequeryData = 17,
    ReconfigureRequest = 18,
    ReconfigureReply = 19,
    Dhcpv4Query = 20,
    Dhcpv4Response = 21,
    ActiveLeasequery = 22,
    StartTls = 23,
    BndUpd = 24,
    BndReply = 25,
    PoolReq = 26,
    PoolResp = 27,
    UpdReq = 28,
    UpdReqAll = 29,
    UpdDone = 30,
    Connect = 31,
    ConnectReply = 32,
    Disconnect = 33,
    State = 34,
    Contact = 35,
    AddrRegInform = 36,
    AddrRegReply = 37,
}
