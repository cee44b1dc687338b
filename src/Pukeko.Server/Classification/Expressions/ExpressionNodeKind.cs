namespace Pukeko.Server.Classification.Expressions;

/// <summary>Operators and values of the expression tree. The comment gives the Kea syntax.</summary>
internal enum ExpressionNodeKind
{
    // Boolean-valued.
    Or,                 // a or b (right side evaluated only when needed)
    And,                // a and b (right side evaluated only when needed)
    StrictOr,           // a sor b (both sides evaluated)
    StrictAnd,          // a sand b (both sides evaluated)
    Not,                // not a
    Equal,              // s == s
    Match,              // match('regex', s)
    Member,             // member('class'), known, unknown (Not of member('KNOWN'))
    OptionExists,       // option[c].exists, option[c].option[s]...exists
    RelayOptionExists,  // relay6[n].option[c]...exists
    VendorExists,       // vendor[e].exists, vendor[*].exists
    VendorOptionExists, // vendor[e].option[c]...exists
    VendorClassExists,  // vendor-class[e].exists

    // String-valued (byte strings).
    Literal,            // 'text', 0x01ab, 123 (4 bytes), 10.0.0.1, 2001:db8::1
    OptionHex,          // option[c]...hex
    OptionText,         // option[c]...text
    RelayOptionHex,     // relay6[n].option[c]...hex
    RelayOptionText,    // relay6[n].option[c]...text
    RelayPeerAddress,   // relay6[n].peeraddr
    RelayLinkAddress,   // relay6[n].linkaddr
    PacketInterface,    // pkt.iface
    PacketSource,       // pkt.src
    PacketDestination,  // pkt.dst
    PacketLength,       // pkt.len
    MessageType,        // pkt6.msgtype
    TransactionId,      // pkt6.transid
    VendorEnterprise,   // vendor.enterprise
    VendorOptionHex,    // vendor[e].option[c]...hex
    VendorOptionText,   // vendor[e].option[c]...text
    VendorClassEnterprise, // vendor-class.enterprise
    VendorClassData,    // vendor-class[e].data, vendor-class[e].data[i]
    Substring,          // substring(s, start, length|all)
    Split,              // split(s, delimiters, field)
    Concat,             // concat(s, s), s + s
    IfElse,             // ifelse(b, s, s) (only the chosen branch evaluated)
    StrictIfElse,       // sifelse(b, s, s) (both branches evaluated)
    HexString,          // hexstring(s, separator)
    LowerCase,          // lcase(s)
    UpperCase,          // ucase(s)
    AddressToText,      // addrtotext(s)
    Int8ToText,
    Int16ToText,
    Int32ToText,
    UInt8ToText,
    UInt16ToText,
    UInt32ToText,
}
