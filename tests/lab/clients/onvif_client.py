"""Independent ONVIF device-service client for the lab (standard library only).

usage: onvif_client.py --url http://<ip>/onvif/device_service --op GetDeviceInformation
                       [--user u --password p]
With a user, adds a WS-Security UsernameToken with PasswordDigest
(Base64(SHA1(nonce + created + password))). Prints one JSON document: {"status", "fault",
"values": {local element name: text}} for the response body's first element.
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

ENVELOPE = """<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">{header}
<s:Body xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><tds:{op}/></s:Body></s:Envelope>"""

SECURITY = """<s:Header><Security s:mustUnderstand="1"
 xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
<UsernameToken><Username>{user}</Username>
<Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">{digest}</Password>
<Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">{nonce}</Nonce>
<Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">{created}</Created>
</UsernameToken></Security></s:Header>"""


def local(tag):
    return tag.rsplit("}", 1)[-1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--op", required=True)
    parser.add_argument("--user")
    parser.add_argument("--password", default="")
    args = parser.parse_args()

    header = ""
    if args.user:
        nonce = os.urandom(16)
        created = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + args.password.encode()).digest()).decode()
        header = SECURITY.format(user=args.user, digest=digest, nonce=base64.b64encode(nonce).decode(), created=created)
    body = ENVELOPE.format(header=header, op=args.op).encode()
    request = urllib.request.Request(args.url, data=body, method="POST",
                                     headers={"Content-Type": "application/soap+xml; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            status, data = response.status, response.read(1 << 20)
    except urllib.error.HTTPError as err:
        status, data = err.code, err.read(1 << 20)

    root = ET.fromstring(data)
    soap_body = next(el for el in root if local(el.tag) == "Body")
    first = list(soap_body)[0]
    result = {"status": status, "fault": None, "values": {}}
    if local(first.tag) == "Fault":
        values = [el.text for el in first.iter() if local(el.tag) == "Value"]
        result["fault"] = values
    else:
        for el in first.iter():
            if len(el) == 0:
                result["values"][local(el.tag)] = (el.text or "").strip()
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
