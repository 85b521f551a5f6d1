"""Sends malformed traffic at lab devices to prove the simulators survive it (standard library only).

usage: junk_sender.py --ip <agent interface IPv4> <device IPv4>...
UDP junk goes to each device's 3702, 1900 and 5353 and to the multicast groups; TCP junk to
port 80 and 49152. Prints {"udp": n, "tcp": n} (datagrams and connections sent).
"""

import argparse
import json
import os
import socket
import struct
import sys

PROBE_HEAD = (b'<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
              b'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><s:Body><d:Probe><d:Types>')

UDP_PAYLOADS = [
    b"",
    b"\x00",
    os.urandom(512),
    PROBE_HEAD,                                      # truncated probe
    PROBE_HEAD + b"\xff\xfe</d:Types></d:Probe></s:Body></s:Envelope>",  # probe without MessageID, bad bytes
    b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "bbbbbbbb">]><a>&b;&b;</a>',
    b"M-SEARCH * HTTP/1.1\r\nMX: 99999999999\r\n\r\n",       # no ST
    b"M-SEARCH * HTTP/1.1\r\nST:\r\nMX: -1\r\n\r\n",
    b"NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\n\r\n",
    b"\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00",   # DNS header, one question missing
    b"\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x0c\x00\x01",  # compression pointer loop
    struct.pack(">HHHHHH", 0, 0, 0xFFFF, 0xFFFF, 0, 0) + os.urandom(64),   # absurd counts
    b"A" * 60000,
]

TCP_PAYLOADS = [
    os.urandom(256),
    b"GET / HTTP/1.1\r\nHost: x\r\n",                  # head never finished
    b"GET / HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n",
    b"POST /onvif/device_service HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
    b"POST /onvif/device_service HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"POST /onvif/device_service HTTP/1.1\r\nContent-Length: 9\r\n\r\n<\x00\x01\x02>&&&<",
    b"\r\n\r\n",
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ip", required=True)
    parser.add_argument("targets", nargs="+")
    args = parser.parse_args()

    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((args.ip, 0))
    udp.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(args.ip))
    sent = 0
    destinations = [(t, p) for t in args.targets for p in (3702, 1900, 5353)]
    destinations += [("239.255.255.250", 3702), ("239.255.255.250", 1900), ("224.0.0.251", 5353)]
    for dest in destinations:
        for payload in UDP_PAYLOADS:
            udp.sendto(payload, dest)
            sent += 1

    connections = 0
    for target in args.targets:
        for port in (80, 49152):
            for payload in TCP_PAYLOADS:
                try:
                    conn = socket.create_connection((target, port), timeout=1)
                except OSError:
                    break
                try:
                    conn.sendall(payload)
                    conn.shutdown(socket.SHUT_WR)
                    conn.settimeout(0.3)
                    try:
                        conn.recv(65536)
                    except OSError:
                        pass
                finally:
                    conn.close()
                connections += 1
    json.dump({"udp": sent, "tcp": connections}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
