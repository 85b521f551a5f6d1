"""Independent WS-Discovery client for the lab (standard library only).

usage: wsd_probe.py --ip <agent interface IPv4> [--types 'dn:NetworkVideoTransmitter'] [--seconds n]
Sends one 2005/04 Probe to 239.255.255.250:3702 from the given interface and prints one JSON
document: {"messageId", "replies": [{"from", "size", "relatesTo", "matches": [{"address",
"types", "scopes", "xaddrs", "metadataVersion"}], "error"}]}. Replies that are not XML, or that
declare a DOCTYPE, are reported with an error and no data.
"""

import argparse
import json
import socket
import sys
import time
import uuid
import xml.etree.ElementTree as ET

D = "{http://schemas.xmlsoap.org/ws/2005/04/discovery}"
A = "{http://schemas.xmlsoap.org/ws/2004/08/addressing}"

PROBE = """<?xml version="1.0" encoding="UTF-8"?>
<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"
 xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing"
 xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"
 xmlns:dn="http://www.onvif.org/ver10/network/wsdl"
 xmlns:wsdp="http://schemas.xmlsoap.org/ws/2006/02/devprof">
<e:Header><w:MessageID>{mid}</w:MessageID>
<w:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>
<w:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header>
<e:Body><d:Probe>{types}</d:Probe></e:Body></e:Envelope>"""


def text(el, path):
    found = el.find(path)
    return (found.text or "").strip() if found is not None else None


def decode(data):
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return {"error": "DOCTYPE refused"}
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        return {"error": "not XML: " + str(err)}
    matches = []
    for m in root.iter(D + "ProbeMatch"):
        matches.append({
            "address": text(m, A + "EndpointReference/" + A + "Address"),
            "types": (text(m, D + "Types") or "").split(),
            "scopes": (text(m, D + "Scopes") or "").split(),
            "xaddrs": (text(m, D + "XAddrs") or "").split(),
            "metadataVersion": text(m, D + "MetadataVersion"),
        })
    return {"relatesTo": text(root, ".//" + A + "RelatesTo"), "matches": matches}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ip", required=True)
    parser.add_argument("--types", default="")
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()

    mid = "urn:uuid:" + str(uuid.uuid4())
    types = "<d:Types>" + args.types + "</d:Types>" if args.types else ""
    probe = PROBE.format(mid=mid, types=types).encode()

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((args.ip, 0))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(args.ip))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.sendto(probe, ("239.255.255.250", 3702))

    replies = []
    deadline = time.monotonic() + args.seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            data, addr = sock.recvfrom(65535)
        except socket.timeout:
            break
        reply = {"from": addr[0], "size": len(data)}
        reply.update(decode(data))
        replies.append(reply)
    json.dump({"messageId": mid, "replies": replies}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
