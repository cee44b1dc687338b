using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text.Unicode;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Encoding;
using Pukeko.Protocol.Messages;

namespace Pukeko.Protocol.Options;

/// <summary>
/// Turns option bytes into typed options. Known codes get their typed class; unknown codes become
/// <see cref="RawOption"/>. A payload that does not fit its code's format is reported, never thrown:
/// every typed option either round-trips byte-exact or the packet is rejected, except for the surplus bytes Kea ignores
/// (data in an empty option, bytes after a terminated Client FQDN or NTP server name): those are dropped, and what is
/// written back then reads as the same options. Lenient decoding (Kea's <c>lenient-option-parsing</c>) goes further:
/// it repairs or skips the malformed options Kea tolerates.
/// </summary>
public static class OptionDecoder
{
    /// <summary>
    /// Deepest encapsulation accepted (message → IA_PD → IAPREFIX → PD-Exclude needs 3). Bounds the
    /// recursion so a crafted packet of nested IA options cannot exhaust the stack.
    /// </summary>
    public const int MaxNestingDepth = 8;

    /// <summary>Decodes one option payload of the dhcp6 space.</summary>
    public static ParseStatus TryDecode(ushort code, ReadOnlySpan<byte> data, out DhcpOption? option) =>
        DecodeDhcp6(code, data, 0, lenient: false, old: null, out option);

    /// <summary>One option of the dhcp6 space; with <paramref name="lenient"/> a skipped option is Ok with a null option.</summary>
    internal static ParseStatus DecodeOne(ushort code, ReadOnlySpan<byte> data, bool lenient, out DhcpOption? option) =>
        DecodeDhcp6(code, data, 0, lenient, old: null, out option);

    /// <summary>Decodes a sequence of options (headers included) of the dhcp6 space and appends them to <paramref name="destination"/>.</summary>
    public static ParseStatus TryDecodeAll(ReadOnlySpan<byte> data, OptionCollection destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return DecodeAll(data, destination, 0, OptionSpace.Dhcp6);
    }

    /// <summary>Reads the next option header and payload, checking that the payload fits (RFC 8415 §21.1).</summary>
    internal static ParseStatus ReadNext(scoped ref WireReader reader, out ushort code, out ReadOnlySpan<byte> data)
    {
        data = default;
        if (reader.Remaining < DhcpOption.HeaderLength)
        {
            code = 0;
            return ParseStatus.TruncatedOption;
        }

        reader.TryReadUInt16(out code);
        reader.TryReadUInt16(out var length);
        return reader.TryReadBytes(length, out data) ? ParseStatus.Ok : ParseStatus.OptionLengthPastEnd;
    }

    internal static ParseStatus DecodeAll(ReadOnlySpan<byte> data, OptionCollection destination, int depth, OptionSpace space, bool lenient = false, bool refill = false)
    {
        if (!refill)
        {
            return DecodeInto(data, destination, depth, space, lenient, refill);
        }

        destination.BeginRefill();
        try
        {
            return DecodeInto(data, destination, depth, space, lenient, refill);
        }
        finally
        {
            destination.EndRefill();
        }
    }

    /// <summary>
    /// Decodes every option of <paramref name="data"/> into <paramref name="destination"/>. With <paramref name="refill"/>
    /// (the parser reusing a message its caller gave back) an option of the last parse at the same position and with
    /// the same code is filled with the new content instead of making a new one, down through encapsulated options.
    /// </summary>
    private static ParseStatus DecodeInto(ReadOnlySpan<byte> data, OptionCollection destination, int depth, OptionSpace space, bool lenient, bool refill)
    {
        if (depth > MaxNestingDepth)
        {
            return ParseStatus.OptionNestingTooDeep;
        }

        destination.EnsureCapacity(CountHeaders(data));
        var reader = new WireReader(data);
        while (!reader.IsAtEnd)
        {
            var status = ReadNext(ref reader, out var code, out var payload);
            if (status != ParseStatus.Ok)
            {
                return status;
            }

            DhcpOption? option;
            switch (space)
            {
                case OptionSpace.Dhcp6:
                    status = DecodeDhcp6(code, payload, depth, lenient, refill ? destination.Refillable(code) : null, out option);
                    break;
                case OptionSpace.NtpServer:
                    status = DecodeNtpSuboption(code, payload, lenient, out option);
                    break;
                default:
                    option = new RawOption(code, payload.ToArray());
                    break;
            }

            if (status != ParseStatus.Ok)
            {
                return status;
            }

            if (option is null)
            {
                // Lenient decoding skipped a malformed option (Kea's SkipThisOptionError).
                continue;
            }

            destination.Add(option);
        }

        return ParseStatus.Ok;
    }

    /// <summary>How many option headers <paramref name="data"/> holds (up to where it stops making sense), so the
    /// collection is sized once instead of growing.</summary>
    private static int CountHeaders(ReadOnlySpan<byte> data)
    {
        var count = 0;
        while (data.Length >= DhcpOption.HeaderLength)
        {
            var next = DhcpOption.HeaderLength + BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            if (next > data.Length)
            {
                break;
            }

            data = data[next..];
            count++;
        }

        return count;
    }

    /// <summary>
    /// One option of the DHCPv6 space. <paramref name="old"/>: an option of the last parse to fill again if it is of
    /// the kind this code decodes to (refilling); null makes a new one.
    /// </summary>
    private static ParseStatus DecodeDhcp6(ushort code, ReadOnlySpan<byte> data, int depth, bool lenient, DhcpOption? old, out DhcpOption? option)
    {
        option = null;
        var refill = old is not null;
        var reader = new WireReader(data);
        switch (code)
        {
            case OptionCode.ClientId:
            case OptionCode.ServerId:
                // DUID length limits are the server's sanity check (Kea: 3..130 bytes), not a wire-format error.
                option = old is DuidOption parsedDuid && parsedDuid.Duid.TryRefill(data)
                    ? parsedDuid
                    : new DuidOption(code, new Duid(data) { ParserOwned = true });
                return ParseStatus.Ok;

            case OptionCode.IaNa:
            case OptionCode.IaPd:
            {
                // RFC 8415 §21.4/§21.21: IAID, T1, T2 are mandatory.
                if (!reader.TryReadUInt32(out var iaid) || !reader.TryReadUInt32(out var t1) || !reader.TryReadUInt32(out var t2))
                {
                    return ParseStatus.MalformedOption;
                }

                OptionCollection nested;
                if (code == OptionCode.IaNa)
                {
                    var ia = old as IaNaOption ?? new IaNaOption(iaid, t1, t2);
                    (ia.Iaid, ia.T1, ia.T2) = (iaid, t1, t2);
                    nested = ia.Options;
                    option = ia;
                }
                else
                {
                    var ia = old as IaPdOption ?? new IaPdOption(iaid, t1, t2);
                    (ia.Iaid, ia.T1, ia.T2) = (iaid, t1, t2);
                    nested = ia.Options;
                    option = ia;
                }

                return DecodeNested(reader.ReadRemaining(), nested, depth, lenient, refill, ref option);
            }

            case OptionCode.IaTa:
            {
                if (!reader.TryReadUInt32(out var iaid))
                {
                    return ParseStatus.MalformedOption;
                }

                var ia = new IaTaOption(iaid);
                option = ia;
                return DecodeNested(reader.ReadRemaining(), ia.Options, depth, lenient, refill: false, ref option);
            }

            case OptionCode.IaAddr:
            {
                if (!reader.TryReadAddress(out var address) || !reader.TryReadUInt32(out var preferred) || !reader.TryReadUInt32(out var valid))
                {
                    return ParseStatus.MalformedOption;
                }

                var iaAddress = old as IaAddressOption ?? new IaAddressOption(address, preferred, valid);
                (iaAddress.Address, iaAddress.PreferredLifetime, iaAddress.ValidLifetime) = (address, preferred, valid);
                option = iaAddress;
                return DecodeNestedIfAny(reader.ReadRemaining(), iaAddress.OptionsIfAny, iaAddress, static o => o.Options, depth, lenient, ref option);
            }

            case OptionCode.IaPrefix:
            {
                if (!reader.TryReadUInt32(out var preferred) || !reader.TryReadUInt32(out var valid)
                    || !reader.TryReadByte(out var length) || !reader.TryReadAddress(out var prefix))
                {
                    return ParseStatus.MalformedOption;
                }

                if (lenient && length > 128)
                {
                    // Kea 3.3+ lenient parsing caps an impossible prefix length at 128 (strictly it drops the packet;
                    // Pukeko keeps the length as sent, and the hint is unusable).
                    length = 128;
                }

                var iaPrefix = old as IaPrefixOption ?? new IaPrefixOption(preferred, valid, length, prefix);
                (iaPrefix.PreferredLifetime, iaPrefix.ValidLifetime, iaPrefix.PrefixLength, iaPrefix.Prefix) = (preferred, valid, length, prefix);
                option = iaPrefix;
                return DecodeNestedIfAny(reader.ReadRemaining(), iaPrefix.OptionsIfAny, iaPrefix, static o => o.Options, depth, lenient, ref option);
            }

            case OptionCode.LqQuery:
            {
                // RFC 5007 §4.1.2.2: query-type and link-address, then the query-options.
                if (!reader.TryReadByte(out var queryType) || !reader.TryReadAddress(out var link))
                {
                    return ParseStatus.MalformedOption;
                }

                var query = new LqQueryOption((LeasequeryType)queryType, link);
                option = query;
                return DecodeNested(reader.ReadRemaining(), query.Options, depth, lenient, refill: false, ref option);
            }

            case OptionCode.ClientData:
            {
                var clientData = new ClientDataOption();
                option = clientData;
                return DecodeNested(data, clientData.Options, depth, lenient, refill: false, ref option);
            }

            case OptionCode.LqRelayData:
            {
                if (!reader.TryReadAddress(out var peer))
                {
                    return ParseStatus.MalformedOption;
                }

                option = new LqRelayDataOption(peer, reader.ReadRemaining());
                return ParseStatus.Ok;
            }

            case OptionCode.OptionRequest:
            {
                // RFC 8415 §21.7: a list of 2-byte codes, so the length must be even.
                if (data.Length % 2 != 0)
                {
                    return ParseStatus.MalformedOption;
                }

                if (old is OptionRequestOption parsedOro)
                {
                    parsedOro.Codes.Clear();
                    while (reader.TryReadUInt16(out var requested))
                    {
                        parsedOro.Codes.Add(requested);
                    }

                    option = parsedOro;
                    return ParseStatus.Ok;
                }

                var codes = new List<ushort>(data.Length / 2);
                while (reader.TryReadUInt16(out var requested))
                {
                    codes.Add(requested);
                }

                option = new OptionRequestOption(codes);
                return ParseStatus.Ok;
            }

            case OptionCode.Preference:
            {
                if (!Fixed(data, 1, lenient, out var value))
                {
                    return ParseStatus.MalformedOption;
                }

                option = new PreferenceOption(value[0]);
                return ParseStatus.Ok;
            }

            case OptionCode.ElapsedTime:
            {
                if (!Fixed(data, 2, lenient, out var value))
                {
                    return ParseStatus.MalformedOption;
                }

                var elapsed = (ushort)((value[0] << 8) | value[1]);
                if (old is ElapsedTimeOption parsedElapsed)
                {
                    parsedElapsed.Value = elapsed;
                    option = parsedElapsed;
                }
                else
                {
                    option = new ElapsedTimeOption(elapsed);
                }

                return ParseStatus.Ok;
            }

            case OptionCode.RelayMessage:
                option = new RelayMessageOption(data.ToArray());
                return ParseStatus.Ok;

            case OptionCode.Authentication:
            {
                if (!reader.TryReadByte(out var protocol) || !reader.TryReadByte(out var algorithm)
                    || !reader.TryReadByte(out var rdm) || !reader.TryReadUInt64(out var replay))
                {
                    return ParseStatus.MalformedOption;
                }

                option = new AuthenticationOption(protocol, algorithm, rdm, replay, reader.ReadRemaining().ToArray());
                return ParseStatus.Ok;
            }

            case OptionCode.Unicast:
            {
                if (!Fixed(data, 16, lenient, out var value))
                {
                    return ParseStatus.MalformedOption;
                }

                option = new UnicastOption(Addressing.Ipv6Address.Read(value));
                return ParseStatus.Ok;
            }

            case OptionCode.StatusCode:
            {
                // RFC 8415 §21.13: 2-byte code then a UTF-8 message; invalid UTF-8 would not round-trip.
                if (!reader.TryReadUInt16(out var status))
                {
                    return ParseStatus.MalformedOption;
                }

                var text = reader.ReadRemaining();
                if (!Utf8.IsValid(text))
                {
                    return ParseStatus.MalformedOption;
                }

                option = new StatusCodeOption((StatusCode)status, System.Text.Encoding.UTF8.GetString(text));
                return ParseStatus.Ok;
            }

            case OptionCode.RapidCommit:
            case OptionCode.ReconfigureAccept:
                // RFC 8415 §21.14, §21.20: option-len is 0. Data such an option carries is ignored, strictly too: Kea's
                // empty-option factory never reads it (2.2 and 3.x alike).
                option = new EmptyOption(code);
                return ParseStatus.Ok;

            case OptionCode.UserClass:
            {
                var entries = new List<byte[]>();
                if (!OpaqueDataList.TryRead(data, entries, lenient))
                {
                    return ParseStatus.MalformedOption;
                }

                option = new UserClassOption(entries);
                return ParseStatus.Ok;
            }

            case OptionCode.VendorClass:
            {
                var entries = new List<byte[]>();
                if (!reader.TryReadUInt32(out var enterprise) || !OpaqueDataList.TryRead(reader.ReadRemaining(), entries, lenient))
                {
                    return ParseStatus.MalformedOption;
                }

                option = new VendorClassOption(enterprise, entries);
                return ParseStatus.Ok;
            }

            case OptionCode.VendorOpts:
            {
                if (!reader.TryReadUInt32(out var enterprise))
                {
                    return ParseStatus.MalformedOption;
                }

                var vendor = new VendorOptsOption(enterprise);
                option = vendor;
                var status = DecodeAll(reader.ReadRemaining(), vendor.Options, depth + 1, OptionSpace.Vendor, lenient);
                if (status != ParseStatus.Ok)
                {
                    option = null;
                }

                return status;
            }

            case OptionCode.ReconfigureMessage:
            {
                if (!Fixed(data, 1, lenient, out var value))
                {
                    return ParseStatus.MalformedOption;
                }

                option = new ReconfigureMessageOption((MessageType)value[0]);
                return ParseStatus.Ok;
            }

            case OptionCode.SipServerAddresses:
            case OptionCode.DnsServers:
            case OptionCode.NisServers:
            case OptionCode.NispServers:
            case OptionCode.SntpServers:
            case OptionCode.BcmcsServerAddresses:
            case OptionCode.PanaAgent:
            case OptionCode.LqClientLink:
            case OptionCode.CapwapAcV6:
            case OptionCode.Dhcp4o6ServerAddr:
            case OptionCode.Ipv6AddressAndsf:
            {
                if (data.Length % 16 != 0)
                {
                    return ParseStatus.MalformedOption;
                }

                var list = new AddressListOption(code);
                while (reader.TryReadAddress(out var address))
                {
                    list.Addresses.Add(address);
                }

                option = list;
                return ParseStatus.Ok;
            }

            case OptionCode.SipServerDomainNames:
            case OptionCode.DomainSearch:
            case OptionCode.NisDomainName:
            case OptionCode.NispDomainName:
            case OptionCode.BcmcsServerDomainNames:
            case OptionCode.SipUaCsList:
            {
                var names = new List<string>();
                var rest = data;
                while (!rest.IsEmpty)
                {
                    if (!DomainNameEncoding.TryRead(rest, allowPartial: false, out var name, out var consumed, out _))
                    {
                        // Lenient: the whole option is left out, as Kea skips an option with an unreadable name.
                        return lenient ? ParseStatus.Ok : ParseStatus.MalformedOption;
                    }

                    names.Add(name);
                    rest = rest[consumed..];
                }

                option = new DomainListOption(code, names);
                return ParseStatus.Ok;
            }

            case OptionCode.InformationRefreshTime:
            case OptionCode.CltTime:
            case OptionCode.SolMaxRt:
            case OptionCode.InfMaxRt:
            {
                if (!Fixed(data, 4, lenient, out var value))
                {
                    return ParseStatus.MalformedOption;
                }

                option = new Uint32Option(code, BinaryPrimitives.ReadUInt32BigEndian(value));
                return ParseStatus.Ok;
            }

            case OptionCode.RemoteId:
            {
                // RFC 4649 §3: enterprise-number then the remote-id.
                if (!reader.TryReadUInt32(out var enterprise))
                {
                    return ParseStatus.MalformedOption;
                }

                option = new RemoteIdOption(enterprise, reader.ReadRemaining().ToArray());
                return ParseStatus.Ok;
            }

            case OptionCode.ClientFqdn:
            {
                // RFC 4704 §4: flags, then a full or partial name (possibly absent).
                if (!reader.TryReadByte(out var flags))
                {
                    return ParseStatus.MalformedOption;
                }

                var nameBytes = reader.ReadRemaining();
                if (nameBytes.IsEmpty)
                {
                    option = new ClientFqdnOption(flags, string.Empty, isPartialName: true);
                    return ParseStatus.Ok;
                }

                // Kea (2.2 and 3.x) judges the name by the option's last byte: a zero makes it full, anything else
                // partial, even when a terminated name is followed by stray bytes. Only the first name is read.
                var partial = nameBytes[^1] != 0;
                if (!TryReadClientFqdnName(nameBytes, partial, out var name))
                {
                    // Lenient: the option is left out and the packet processed without it, as Kea does.
                    return lenient ? ParseStatus.Ok : ParseStatus.MalformedOption;
                }

                option = new ClientFqdnOption(flags, name, isPartialName: partial);
                return ParseStatus.Ok;
            }

            case OptionCode.NtpServer:
            {
                var ntp = new NtpServerOption();
                option = ntp;
                var status = DecodeAll(data, ntp.Options, depth + 1, OptionSpace.NtpServer, lenient);
                if (status != ParseStatus.Ok)
                {
                    option = null;
                }

                return status;
            }

            case OptionCode.RelaySourcePort:
            {
                if (!Fixed(data, 2, lenient, out var value))
                {
                    return ParseStatus.MalformedOption;
                }

                option = new RelaySourcePortOption((ushort)((value[0] << 8) | value[1]));
                return ParseStatus.Ok;
            }

            default:
                option = new RawOption(code, data.ToArray());
                return ParseStatus.Ok;
        }
    }

    private static ParseStatus DecodeNtpSuboption(ushort code, ReadOnlySpan<byte> data, bool lenient, out DhcpOption? option)
    {
        option = null;
        switch (code)
        {
            case NtpSuboptionCode.ServerAddress:
            case NtpSuboptionCode.MulticastAddress:
            {
                // RFC 5908 §4.1, §4.2: exactly one address.
                if (!Fixed(data, 16, lenient, out var value))
                {
                    return ParseStatus.MalformedOption;
                }

                option = new AddressOption(code, Addressing.Ipv6Address.Read(value));
                return ParseStatus.Ok;
            }

            case NtpSuboptionCode.ServerFqdn:
                // RFC 5908 §4.3: one fully qualified name. Bytes after it are ignored, as Kea 3.x reads a single-name
                // field (Kea 2.2 has no definition for option 56 and never looks inside it).
                if (!DomainNameEncoding.TryRead(data, allowPartial: false, out var name, out _, out _))
                {
                    // Lenient: this sub-option is left out, the NTP server option kept (Kea skips only the unreadable one).
                    return lenient ? ParseStatus.Ok : ParseStatus.MalformedOption;
                }

                option = new DomainNameOption(code, name);
                return ParseStatus.Ok;

            default:
                option = new RawOption(code, data.ToArray());
                return ParseStatus.Ok;
        }
    }

    /// <summary>As <see cref="DecodeNested"/>, but without asking the option for its collection when there is nothing to decode.</summary>
    /// <summary>
    /// The encapsulated options of an option that makes its collection only when it has some: none in
    /// <paramref name="data"/> leaves it without one (and empties the one a refilled option had,
    /// <paramref name="existing"/>).
    /// </summary>
    private static ParseStatus DecodeNestedIfAny<TOption>(ReadOnlySpan<byte> data, OptionCollection? existing, TOption owner, Func<TOption, OptionCollection> nested, int depth, bool lenient, ref DhcpOption? option)
    {
        if (data.IsEmpty && depth + 1 <= MaxNestingDepth)
        {
            existing?.Clear();
            return ParseStatus.Ok;
        }

        return DecodeNested(data, nested(owner), depth, lenient, refill: existing is not null, ref option);
    }

    private static ParseStatus DecodeNested(ReadOnlySpan<byte> data, OptionCollection nested, int depth, bool lenient, bool refill, ref DhcpOption? option)
    {
        var status = DecodeAll(data, nested, depth + 1, OptionSpace.Dhcp6, lenient, refill);
        if (status != ParseStatus.Ok)
        {
            option = null;
        }

        return status;
    }

    /// <summary>
    /// Reads the first name of a Client FQDN option as Kea does: a partial name is read as if a zero byte were appended,
    /// a full one must reach its terminating zero; whatever follows the terminator is ignored.
    /// </summary>
    private static bool TryReadClientFqdnName(ReadOnlySpan<byte> nameBytes, bool partial, [NotNullWhen(true)] out string? name)
    {
        if (!DomainNameEncoding.TryRead(nameBytes, allowPartial: partial, out name, out var consumed, out var terminated))
        {
            return false;
        }

        if (!partial)
        {
            return true;
        }

        // The appended zero counts towards the 255-byte limit of a name read to the end of the option.
        var labelBytes = terminated ? consumed - 1 : consumed;
        if (labelBytes + 1 > DomainNameEncoding.MaxNameLength)
        {
            name = null;
            return false;
        }

        // A partial name is written back without its root label. Had its last label ended in a zero byte, the written
        // option would end in zero and read back as a full name that never terminates, so such a name (only reachable
        // as a terminated name with stray bytes after it) counts as unreadable: it has no partial form that reads back.
        if (labelBytes > 0 && nameBytes[labelBytes - 1] == 0)
        {
            name = null;
            return false;
        }

        return true;
    }

    /// <summary>
    /// An option of one fixed-length value. Shorter is always malformed; longer is malformed too unless
    /// <paramref name="lenient"/>, when (as Kea 3.3+ does) the value is read from the leading bytes and the rest ignored.
    /// </summary>
    private static bool Fixed(ReadOnlySpan<byte> data, int length, bool lenient, out ReadOnlySpan<byte> value)
    {
        value = data.Length < length || (data.Length > length && !lenient) ? default : data[..length];
        return !value.IsEmpty;
    }
}
