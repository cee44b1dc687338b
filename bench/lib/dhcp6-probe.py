#!/usr/bin/env python3
"""Sends a Solicit every INTERVAL seconds on one interface until the first Advertise comes back or the
deadline passes. Prints one line: the wall-clock time (Unix seconds) the Advertise arrived, how many
Solicits were sent, and the first IA_NA address offered (or '-'); exits 1 on timeout.

    dhcp6-probe.py IFACE DUID_HEX IAID [--interval 0.05] [--deadline 600] [--ready-file PATH]

The DUID and IAID are a client's, so a server that has loaded that client's lease offers it again.
"""
import argparse
import os
import select
import socket
import struct
import sys
import time

SOLICIT, ADVERTISE = 1, 2
OPT_CLIENTID, OPT_IA_NA, OPT_IAADDR, OPT_ELAPSED = 1, 3, 5, 8


def option(code, body):
    return struct.pack("!HH", code, len(body)) + body


def solicit(xid, duid, iaid, started):
    elapsed = min(int((time.monotonic() - started) * 100), 0xFFFF)
    return (bytes([SOLICIT]) + xid.to_bytes(3, "big")
            + option(OPT_CLIENTID, duid)
            + option(OPT_ELAPSED, struct.pack("!H", elapsed))
            + option(OPT_IA_NA, struct.pack("!III", iaid, 0, 0)))


def offered_address(message):
    """The first IAADDR inside the first IA_NA of an Advertise, or None."""
    pos = 4
    while pos + 4 <= len(message):
        code, length = struct.unpack_from("!HH", message, pos)
        body = message[pos + 4:pos + 4 + length]
        if code == OPT_IA_NA and len(body) >= 12:
            inner = 12
            while inner + 4 <= len(body):
                icode, ilen = struct.unpack_from("!HH", body, inner)
                if icode == OPT_IAADDR and ilen >= 16:
                    return socket.inet_ntop(socket.AF_INET6, body[inner + 4:inner + 20])
                inner += 4 + ilen
        pos += 4 + length
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("iface")
    parser.add_argument("duid", help="client DUID as hex, colons allowed")
    parser.add_argument("iaid", type=int)
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--deadline", type=float, default=600)
    parser.add_argument("--ready-file", help="created once the socket is bound, so the caller knows probing has begun")
    args = parser.parse_args()

    duid = bytes.fromhex(args.duid.replace(":", ""))
    ifindex = socket.if_nametoindex(args.iface)
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
    sock.bind(("::", 546, 0, ifindex))
    if args.ready_file:
        open(args.ready_file, "w").close()
    started = time.monotonic()
    end = started + args.deadline
    sent = 0
    while time.monotonic() < end:
        xid = (os.getpid() + sent) & 0xFFFFFF
        sock.sendto(solicit(xid, duid, args.iaid, started), ("ff02::1:2", 547, 0, ifindex))
        sent += 1
        next_send = time.monotonic() + args.interval
        while (wait := next_send - time.monotonic()) > 0:
            ready, _, _ = select.select([sock], [], [], wait)
            if not ready:
                break
            data, _ = sock.recvfrom(4096)
            if len(data) >= 4 and data[0] == ADVERTISE:
                print(f"{time.time():.3f} {sent} {offered_address(data) or '-'}")
                return 0
    print(f"timeout {sent} -")
    return 1


if __name__ == "__main__":
    sys.exit(main())
