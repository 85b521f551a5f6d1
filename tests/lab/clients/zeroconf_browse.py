"""Independent mDNS/DNS-SD browser for the lab (python3-zeroconf, Debian's /usr/bin/python3).

usage: zeroconf_browse.py --ip <agent interface IPv4> --seconds <n> <service type>...
Service types like _axis-video._tcp (".local." is appended). Prints one JSON document:
{"services": [{"type", "name", "server", "port", "addresses", "txt": [raw strings]}], "errors": [...]}
"""

import argparse
import json
import sys
import time

from zeroconf import IPVersion, ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf


def raw_txt(data):
    """The TXT rdata as a list of strings (length-prefixed, RFC 6763 section 6)."""
    out, i = [], 0
    while i < len(data):
        n = data[i]
        out.append(data[i + 1:i + 1 + n].decode("utf-8", "replace"))
        i += 1 + n
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ip", required=True)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("types", nargs="+")
    args = parser.parse_args()

    zc = Zeroconf(interfaces=[args.ip], ip_version=IPVersion.V4Only)
    found = []

    def on_change(zeroconf, service_type, name, state_change):
        if state_change is ServiceStateChange.Added and (service_type, name) not in found:
            found.append((service_type, name))

    types = [t if t.endswith(".local.") else t + ".local." for t in args.types]
    browser = ServiceBrowser(zc, types, handlers=[on_change])
    time.sleep(args.seconds)
    browser.cancel()

    services, errors = [], []
    for service_type, name in found:
        info = ServiceInfo(service_type, name)
        if not info.request(zc, 3000):
            errors.append("could not resolve " + name)
            continue
        services.append({
            "type": service_type,
            "name": name,
            "server": info.server,
            "port": info.port,
            "addresses": info.parsed_addresses(),
            "txt": raw_txt(info.text or b""),
        })
    zc.close()
    json.dump({"services": services, "errors": errors}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
