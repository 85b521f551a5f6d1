"""Independent Hikvision SADP / Dahua DHIP + v1 client for the lab (standard library only).

usage: vendor_probe.py --ip <agent interface IPv4> [--seconds n] [--sadp-types inquiry] [--dhip-method DHDiscover.search]
Sends, once each, the SADP Probe to 239.255.255.250:37020 and 255.255.255.255:37020, the
DHIP search to 239.255.255.251:37810 and 255.255.255.255:37810, and the Dahua v1 search to
255.255.255.255:5050, from one socket bound to the given address; listens on that socket and
on 0.0.0.0:37020 and 0.0.0.0:37810 joined to their groups. Prints one JSON document:
{"uuid", "sadp": [{"from", "via", "uuid", "fields"}], "dhip": [{"from", "via", "lengths", "json"}],
"v1": [{"from", "magic", "mac", "lines"}], "errors": [...]}. --sadp-types and --dhip-method
change what is asked (to check that the simulator ignores anything but the real searches).
"""

import argparse
import json
import select
import socket
import struct
import sys
import time
import uuid
import xml.etree.ElementTree as ET


def listener(port, group, ip):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(group) + socket.inet_aton(ip))
    return s


def dhip_frame(body):
    data = body.encode()
    return struct.pack("<I4sIIIIII", 32, b"DHIP", 0, 0, len(data), 0, len(data), 0) + data


def decode_sadp(data):
    if b"<!DOCTYPE" in data:
        return {"error": "DOCTYPE refused"}
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        return {"error": "not XML: " + str(err)}
    if root.tag != "ProbeMatch":
        return {"ignored": root.tag}
    fields = {child.tag: (child.text or "").strip() for child in root}
    return {"uuid": fields.pop("Uuid", None), "fields": fields}


def decode_dhip(data):
    if len(data) < 32 or data[4:8] != b"DHIP":
        return {"error": "no DHIP header"}
    size, _magic, _r1, _r2, length, _r3, length2, _r4 = struct.unpack("<I4sIIIIII", data[:32])
    if size != 32 or length != length2 or 32 + length > len(data):
        return {"error": "bad header"}
    try:
        body = json.loads(data[32:32 + length].decode())
    except ValueError as err:
        return {"error": "not JSON: " + str(err)}
    if body.get("method") != "client.notifyDevInfo":
        return {"ignored": body.get("method")}
    return {"lengths": [length, length2], "json": body}


def decode_v1(data):
    if len(data) < 120 or data[0] != 0xB3:
        return {"ignored" if data[:1] == b"\xa3" else "error": "not a v1 reply"}
    s2 = data[2]
    s3 = struct.unpack("<H", data[0x14:0x16])[0]
    section2 = data[120:120 + s2].decode("latin1")
    text = data[120 + s2:120 + s2 + s3].decode("utf-8", "replace")
    lines = dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)
    return {"magic": data[0], "mac": section2[:17], "model": section2[17:], "ip": socket.inet_ntoa(data[0x38:0x3C]), "lines": lines}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ip", required=True)
    parser.add_argument("--seconds", type=float, default=1.5)
    parser.add_argument("--sadp-types", default="inquiry")
    parser.add_argument("--dhip-method", default="DHDiscover.search")
    args = parser.parse_args()

    probe_uuid = str(uuid.uuid4()).upper()
    sadp = ('<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>%s</Uuid><Types>%s</Types></Probe>' % (probe_uuid, args.sadp_types)).encode()
    dhip = dhip_frame(json.dumps({"method": args.dhip_method, "params": {"mac": "", "uni": 1}}, separators=(",", ":")) + "\n")
    v1 = bytes([0xA3, 0x01, 0x00, 0x01] + [0] * 12 + [0x02] + [0] * 15)

    out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    out.bind((args.ip, 0))
    out.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    out.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(args.ip))
    out.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    out.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    sadp_group = listener(37020, "239.255.255.250", args.ip)
    dhip_group = listener(37810, "239.255.255.251", args.ip)

    for payload, dest in ((sadp, ("239.255.255.250", 37020)), (sadp, ("255.255.255.255", 37020)),
                          (dhip, ("239.255.255.251", 37810)), (dhip, ("255.255.255.255", 37810)),
                          (v1, ("255.255.255.255", 5050))):
        out.sendto(payload, dest)

    result = {"uuid": probe_uuid, "sadp": [], "dhip": [], "v1": [], "errors": []}
    names = {out: "unicast", sadp_group: "sadp-group", dhip_group: "dhip-group"}
    deadline = time.monotonic() + args.seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select(list(names), [], [], left)
        for sock in ready:
            data, addr = sock.recvfrom(65535)
            if addr[0] == args.ip:
                continue  # our own broadcasts
            via = names[sock]
            if data.startswith(b"<") or data.startswith(b"\xef\xbb\xbf<"):
                kind, decoded = "sadp", decode_sadp(data)
            elif data[4:8] == b"DHIP":
                kind, decoded = "dhip", decode_dhip(data)
            else:
                kind, decoded = "v1", decode_v1(data)
            if "ignored" in decoded:
                continue
            if "error" in decoded:
                result["errors"].append({"from": addr[0], "via": via, "kind": kind, "error": decoded["error"]})
                continue
            decoded.update({"from": addr[0], "via": via})
            result[kind].append(decoded)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
