import type { Entry } from '../types.ts';
import { entry, judged, recog, recogNotSeen, unusableFile } from './build.ts';

/**
 * Captures from makers the default policy covers (Hikvision, Dahua, Uniview, Huawei, ZTE and
 * their subsidiaries), and from labels on their hardware (Amcrest, Lorex, EZ-IP, Imou, Annke,
 * EZVIZ). Every expectation restates INDEX.md's facts about the capture.
 */
export const RESTRICTED_ENTRIES: readonly Entry[] = [
  // ---------------------------------------------------------------- Hikvision
  entry('hikvision/http-401-body-1.txt', 'corpus/hikvision.ds-2df7286-a.http-401-body.txt', '39ebe073834771be', [
    judged(
      'HTTP 401 to an unauthenticated GetDeviceInformation',
      { kind: 'onvif-401-quoted', answers: 'GetDeviceInformation' },
      {
        manufacturer: null,
        kind: 'camera',
        status: 'review',
        why: 'the body is GoAhead\'s stock error page ("Document Error: Unauthorized"), which every GoAhead-derived web server sends; a 401 with no vendor string cannot establish the maker, so the ONVIF device is held for review',
      },
      { truth: 'Hikvision' },
    ),
  ]),
  entry('hikvision/http-server-header-parsed-1.csv', 'corpus/hikvision.various.http-server-header-parsed.csv', '409cf3f1c57e16a3', [
    judged('row 1: Server DNVRS-Webs on tcp/30005', { kind: 'http-csv', row: 0 }, {
      manufacturer: 'Hikvision',
      status: 'restricted',
      why: 'Server: DNVRS-Webs is the Hikvision DVR/NVR embedded web server (INDEX.md; Recog http_servers)',
    }),
    judged(
      'row 2: Server RomPager/4.07 UPnP/1.0',
      { kind: 'http-csv', row: 1 },
      { manufacturer: null, status: 'clear', why: 'Allegro RomPager (router firmware), not Hikvision: a host of unknown make that is not a video device' },
      { trap: { mustNotClaim: ['Hikvision'], why: 'the negative row of the same Hikvision header scan' } },
    ),
  ]),
  entry('hikvision/onvif-GetDeviceInformation-parsed-1.txt', 'corpus/hikvision.ds-2df7286-a.GetDeviceInformation-parsed.txt', '85a2bc291bcebe17', [
    judged(
      'DS-2DF7286-A GetDeviceInformation (operator credentials, as the source used)',
      { kind: 'onvif-converted', from: 'python-onvif', unauthorizedBody: 'corpus/hikvision.ds-2df7286-a.http-401-body.txt' },
      {
        manufacturer: 'Hikvision',
        kind: 'camera',
        status: 'restricted',
        why: 'Manufacturer HIKVISION, model DS-2DF7286-A (PTZ), serial <model><yyyymmdd>CCWR..., firmware V5.1.8 build 140616 (INDEX.md)',
      },
    ),
  ]),
  entry('hikvision/onvif-GetNTP-1.xml', 'onvif/hikvision.unknown.GetNTP.xml', '9b0660c7a50481e5', [
    judged(
      'GetNTP reply (its namespaces)',
      { kind: 'onvif', answers: 'GetSystemDateAndTime' },
      {
        manufacturer: null,
        kind: 'camera',
        status: 'review',
        why: 'only Hikvision\'s namespace declarations (tnshik, hikwsd/hikxsd at onvifext.com): OEM SDKs copy them into other makers\' firmware, so alone they are a lead, not a maker; the camera is held for review naming the Hikvision rule',
      },
      { truth: 'Hikvision' },
    ),
  ]),
  entry('hikvision/onvif-GetNetworkInterfaces-1.xml', 'onvif/hikvision.unknown.GetNetworkInterfaces.xml', 'e1a94c599e48a2c0', [
    judged(
      'GetNetworkInterfaces reply (its namespaces)',
      { kind: 'onvif', answers: 'GetSystemDateAndTime' },
      {
        manufacturer: null,
        kind: 'camera',
        status: 'review',
        why: 'tnshik/hikxsd namespaces only (the HwAddress 28:57:be, a Hikvision OUI, is in an operation camsweep does not send): shared tells OEM SDKs copy, a lead held for review naming the Hikvision rule',
      },
      { truth: 'Hikvision' },
    ),
  ]),
  entry('hikvision/recog-banners-1.xml', 'corpus/hikvision.various.recog-banners.xml', 'cf5cd72bd3cb7eba', [
    ...['Hikvision-Webs', 'DVRDVS-Webs', 'DNVRS-Webs'].map((server, i) =>
      recog(0, i, 'http_servers', server, { manufacturer: 'Hikvision', status: 'restricted', why: `Server ${server}: "web server found on DVR and webcam servers sourced from Hikvision" (Recog)` }),
    ),
    recog(1, 0, 'http_wwwauth', 'Basic realm="hikvision"', { manufacturer: 'Hikvision', status: 'restricted', why: 'WWW-Authenticate realm "hikvision" (Recog; _facts/tricky-cases-1.md)' }),
    recogNotSeen(2, 0, 'x509_subjects', 'CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION,L=HangZhou,ST=ZheJiang,C=CN'),
    recogNotSeen(3, 0, 'telnet_banners', '192.0.0.64 login:'),
    recogNotSeen(4, 0, 'favicons', '89b932fcc47cf4ca3faadb0cfdef89cf'),
    recogNotSeen(4, 1, 'favicons', 'efca7d9aeaad122133c65cdf628ac574'),
  ]),
  entry('hikvision/sadp-ProbeMatch-1.xml', 'sadp/hikvision.virtual.ProbeMatch.xml', 'bd9d9ca77a2f0421', [
    judged('anonymised SADP reply', { kind: 'sadp' }, {
      manufacturer: 'Hikvision',
      status: 'restricted',
      why: 'a real SADP reply structure (model and serial anonymised to Virtual): answering Hikvision\'s SADP is Hikvision firmware',
    }),
  ]),
  entry('hikvision/sadp-ProbeMatch-2.xml', 'sadp/hikvision.ds-7804hqh-k1.ProbeMatch-cut.xml', '6390767bf6310593', [
    judged('DS-7804HQH-K1 SADP reply (cut)', { kind: 'sadp' }, {
      manufacturer: 'Hikvision',
      kind: 'recorder',
      status: 'restricted',
      why: 'a real Turbo HD DVR DS-7804HQH-K1: SADP reply, MAC 68-6d-bc (Hikvision OUI), DeviceSN with model and date',
    }),
  ]),
  entry('hikvision/sadp-ProbeMatch-3.xml', 'sadp/hikvision.ds-2cd5a26fwd-iz.ProbeMatch-cut.xml', 'fea4cc2cb15fc0f3', [
    judged('DS-2CD5A26FWD-IZ SADP reply (cut)', { kind: 'sadp' }, {
      manufacturer: 'Hikvision',
      kind: 'camera',
      status: 'restricted',
      why: 'a real DS-2CD5A26FWD-IZ camera: SADP reply, MAC bc-ad-28 (Hikvision OUI), DeviceSN = model + 20160518 + AACH...',
    }),
  ]),
  entry('hikvision/ws-discovery-ProbeMatches-1.xml', 'wsd/hikvision.ds-2cd3955fwd-iws.ProbeMatches.xml', '1255002d1fa58343', [
    judged('DS-2CD3955FWD-IWS ProbeMatches', { kind: 'wsd' }, {
      manufacturer: 'Hikvision',
      kind: 'camera',
      status: 'restricted',
      why: 'name=HIKVISION%20<model>, tnshik/hikwsd/hikxsd namespaces, EPR uuid ending in a Hikvision MAC (INDEX.md)',
    }),
  ]),
  entry('hikvision/ws-discovery-ProbeMatches-2.xml', 'wsd/hikvision.ds-2cd2385g1-i.ProbeMatches-body.xml', '4194ea04a9574a87', [
    judged('DS-2CD2385G1-I ProbeMatches (Body only)', { kind: 'wsd' }, {
      manufacturer: 'Hikvision',
      kind: 'camera',
      status: 'restricted',
      why: 'name/HIKVISION scope with the model, MAC scope 58:50:ed (Hikvision OUI) (INDEX.md)',
    }),
  ]),

  // ---------------------------------------------------------------- EZVIZ (Hikvision subsidiary)
  unusableFile(
    'ezviz/scan-report-observations-1.md',
    'c984333fd0838bcf',
    'a scan report, not a capture: the EZVIZ H6c answered none of the protocols camsweep speaks (no WS-Discovery, no ONVIF, no RTSP; HTTP-ish probes got empty replies; 8000/tcp is the Hikvision SDK port, 8443 is TLS) and the report gives no MAC, so camsweep would not see this camera at all',
  ),

  // ---------------------------------------------------------------- Dahua
  entry('dahua/dahua-v1-discovery-1.bin', 'dhip/dahua.virtual.v1-reply.bin', '86886159c3fa142f', [
    judged('anonymised legacy v1 reply', { kind: 'dahua' }, {
      manufacturer: 'Dahua',
      status: 'restricted',
      why: 'the legacy Dahua search reply (UDP 5050, header 0xb3) with Name:Dahua in its text section; only model and serial were anonymised',
    }),
  ]),
  entry('dahua/dhip-notifyDevInfo-1.bin', 'dhip/dahua.virtual.notifyDevInfo.bin', '8298ac3cd4669ff9', [
    judged('anonymised DHIP notifyDevInfo datagram', { kind: 'dahua' }, {
      manufacturer: 'Dahua',
      status: 'restricted',
      why: 'a real DHIP reply (32-byte DHIP header, UDP 37810): answering Dahua\'s DHIP discovery is Dahua firmware; Vendor "General" is the generic OEM value',
    }),
  ]),
  entry('dahua/dhip-notifyDevInfo-1.txt', 'corpus/dahua.ipc-hdw5421s.dhip-notifyDevInfo-printable.txt', 'e028a6beffe04c77', [
    judged('IPC-HDW5421S notifyDevInfo', { kind: 'dhip-body', from: 'printable' }, {
      manufacturer: 'Dahua',
      brand: 'Dahua',
      kind: 'camera',
      status: 'restricted',
      why: 'DHIP reply with Vendor Dahua (Manufacturer Private), model IPC-HDW5421S, MAC 4c:11:bf (Dahua OUI)',
    }),
  ]),
  entry('dahua/dhip-parsed-1.csv', 'dhip/dahua.various.dhip-parsed.csv', '849dd512fa693155', [
    judged('row 1: BCS-TIP3401IR-E-V', { kind: 'dhip-csv', row: 0 }, {
      manufacturer: 'Dahua',
      brand: 'BCS',
      kind: 'camera',
      status: 'restricted',
      why: 'a DHIP reply from a BCS-labelled camera (BCS = Polish Dahua OEM): Vendor General, firmware 2.800.x.R, MAC 38:c4:e8 (Dahua OUI)',
    }),
    judged('row 2: HCVR', { kind: 'dhip-csv', row: 1 }, {
      manufacturer: 'Dahua',
      kind: 'recorder',
      status: 'restricted',
      why: 'a DHIP reply from a Dahua HCVR recorder reporting Vendor Private; MAC 3c:ef:8c (Dahua OUI), firmware 3.210.x',
    }),
    judged('row 3: BCS-XVR0401-IV', { kind: 'dhip-csv', row: 2 }, {
      manufacturer: 'Dahua',
      brand: 'BCS',
      kind: 'recorder',
      status: 'restricted',
      why: 'a DHIP reply from a BCS-labelled XVR recorder: Vendor General, firmware 4.000.x, MAC 38:c4:e8 (Dahua OUI)',
    }),
  ]),
  entry('dahua/gb28181-catalog-1.xml', 'corpus/dahua.ipc-hfw4150d-v2.gb28181-catalog.xml', '62a15271bacc3ada', [
    judged('IPC-HFW4150D-V2 catalog item (as its device information)', { kind: 'onvif-converted', from: 'gb28181' }, {
      manufacturer: 'Dahua',
      kind: 'camera',
      status: 'restricted',
      why: 'Dahua model IPC-HFW4150D-V2 reported with Manufacturer General (the GB2312 channel name 大华 is not device information)',
    }),
  ]),
  entry('dahua/onvif-GetCapabilities-1.xml', 'corpus/dahua.unknown.GetCapabilities.xml', 'afbc10651d1796dd', [
    judged(
      'GetCapabilities reply (its namespaces)',
      { kind: 'onvif', answers: 'GetSystemDateAndTime' },
      {
        manufacturer: null,
        kind: 'camera',
        status: 'review',
        why: 'the Dahua tells here are style (standalone="yes", s:/sc: prefixes, <s:Header/>, service paths) over the four standard SOAP/ONVIF namespaces: nothing a maker can be established from, so the ONVIF device is held for review',
      },
      { truth: 'Dahua' },
    ),
  ]),
  entry('dahua/onvif-GetStreamUri-1.xml', 'corpus/dahua.unknown.GetStreamUri.xml', 'd803993ef9634626', [
    judged(
      'GetStreamUri reply (its namespaces)',
      { kind: 'onvif', answers: 'GetSystemDateAndTime' },
      {
        manufacturer: null,
        kind: 'camera',
        status: 'review',
        why: 'the Dahua tell (RTSP path /cam/realmonitor) is in the answer to GetStreamUri, which camsweep never sends; its envelope carries only standard namespaces',
      },
      { truth: 'Dahua' },
    ),
  ]),
  entry('dahua/onvif-GetSystemDateAndTime-1.xml', 'onvif/dahua.ipc-hfw2228m-i1-v2.GetSystemDateAndTime.xml', 'bfb997e230088f2f', [
    judged(
      'GetSystemDateAndTime reply',
      { kind: 'onvif', answers: 'GetSystemDateAndTime' },
      {
        manufacturer: null,
        kind: 'camera',
        status: 'review',
        why: 'Dahua style only (standalone="yes", s:/sc: prefixes, TZ GMT+08:00) and the attribution is inferred by INDEX.md: a clock reply cannot establish the maker',
      },
      { truth: 'Dahua' },
    ),
  ]),
  entry('dahua/recog-banners-1.xml', 'corpus/dahua.various.recog-banners.xml', 'efb487b9f596cdaf', [recogNotSeen(0, 0, 'rtsp_servers', 'Dahua Rtsp Server')]),
  entry('dahua/ssdp-msearch-response-1.jsonl', 'corpus/dahua.unknown.ssdp-msearch-response.jsonl', '0bca5cc287cd2281', [
    judged('two M-SEARCH responses of serial 1L047ACPAW00037', { kind: 'ssdp-jsonl' }, {
      manufacturer: 'Dahua',
      status: 'restricted',
      why: 'SERVER "ZheJiang Dahua Technology CO.,LTD. Upnp SDK" and USN uuid:www.dahuatech.com.device_... (INDEX.md: strong Dahua tells)',
    }),
  ]),
  entry('dahua/ws-discovery-Hello-1.xml', 'wsd/dahua.ipc-hfw2228m-i1-v2.Hello.xml', '9396c6850f9ed76f', [
    judged('IPC-HFW2228M-I1-V2 Hello', { kind: 'wsd' }, {
      manufacturer: 'Dahua',
      brand: 'Dahua',
      kind: 'camera',
      status: 'restricted',
      why: 'name/Dahua and hardware/IPC-HFW2228M-I1-V2 scopes (same device as ProbeMatches-1)',
    }),
  ]),
  entry('dahua/ws-discovery-ProbeMatches-1.xml', 'wsd/dahua.ipc-hfw2228m-i1-v2.ProbeMatches.xml', 'c1e1b1fbcf312f23', [
    judged('IPC-HFW2228M-I1-V2 ProbeMatches', { kind: 'wsd' }, {
      manufacturer: 'Dahua',
      brand: 'Dahua',
      kind: 'camera',
      status: 'restricted',
      why: 'name/Dahua, hardware/IPC-HFW2228M-I1-V2, type/Network_Video_Transmitter (INDEX.md)',
    }),
  ]),

  // ---------------------------------------------------------------- Dahua labels and subsidiaries
  entry('dahua-ezip/dahua-rpc-system-info-1.txt', 'corpus/ez-ip.ipc-d2b20-zs.dahua-rpc-system-info.txt', 'd3b0ff8001f23f4e', [
    judged('IPC-D2B20-ZS system info (as DHIP device-info fields)', { kind: 'dahua-devinfo-converted', from: 'rpc-console' }, {
      manufacturer: 'Dahua',
      brand: 'EZ-IP',
      kind: 'camera',
      status: 'restricted',
      why: 'Vendor EZIP (Dahua\'s EZ-IP label) on Dahua firmware 2.622.0000000.x.R with the Dahua model code IPC-D2B20-ZS',
    }),
  ]),
  entry('imou/dahua-rpc-banner-1.txt', 'corpus/imou.ipc-a22e.dahua-rpc-banner.txt', '0becc5f98b045591', [
    judged('Ranger 2 RPC login banner (as DHIP device-info fields)', { kind: 'dahua-devinfo-converted', from: 'rpc-console' }, {
      manufacturer: 'Dahua',
      kind: 'camera',
      status: 'restricted',
      why: 'an Imou Ranger 2 speaking Dahua\'s private protocol with the Dahua model code IPC-A22E, class IPC; nothing in the capture names Imou, so the maker shown is the Dahua family',
    }),
  ]),
  entry('lorex/dhip-notifyDevInfo-1.txt', 'corpus/lorex.w461asc.dhip-notifyDevInfo-pp.txt', '16c41a3138fb11a3', [
    judged('W461ASC notifyDevInfo', { kind: 'dhip-body', from: 'ruby-pp' }, {
      manufacturer: 'Dahua',
      brand: 'Lorex',
      kind: 'camera',
      status: 'restricted',
      why: 'Vendor Lorex, Manufacturer Private, but a DHIP reply with Dahua firmware 2.800.x.R: a Dahua-made camera under the Lorex label (MAC 00:1f:54 is Lorex\'s OUI)',
    }),
  ]),
  entry('lorex/recog-banners-1.xml', 'corpus/lorex.various.recog-banners.xml', 'ed05b443b758d6f4', [
    recog(
      0,
      0,
      'http_wwwauth',
      'Digest realm="Login to ND011811000000", nonce="ec3682ef24b2cd9cedefe5cc26110000"',
      {
        manufacturer: 'Dahua',
        brand: 'Lorex',
        status: 'restricted',
        why: 'the realm alone cannot show that the NR900 is a recorder; the realm "Login to <serial>" is the one Dahua firmware gives its web, ONVIF and RTSP servers (the project corpus shows it on Dahua-made units under the Dahua, Amcrest and Lorex labels, with Dahua serial schemes); the ND serial names the Lorex label',
      },
      { truth: 'Dahua' },
    ),
  ]),
  entry('amcrest/http-magicBox-getSystemInfo-1.txt', 'corpus/amcrest.ip4m-1041b.magicbox-getSystemInfo.txt', 'ca6a2ca77333a03a', [
    judged(
      'IP4M-1041B getSystemInfo (as DHIP device-info fields)',
      { kind: 'dahua-devinfo-converted', from: 'magicbox' },
      {
        manufacturer: null,
        brand: 'Amcrest',
        kind: 'camera',
        status: 'restricted',
        why: 'the capture\'s Dahua tell is updateSerial=IPC-AW46WN-S2, a magicBox field that no protocol camsweep speaks carries (magicBox needs credentials and is not queried); what camsweep could see, the model IP4M-1041B, names the Amcrest label, which the packs list as a Dahua brand, and nothing contradicts it: the label decides',
      },
      { truth: 'Dahua' },
    ),
  ]),
  entry('amcrest/onvif-GetDeviceInformation-1.xml', 'onvif/amcrest.ip5m-t1277ew-ai.GetDeviceInformation.xml', '4138a8e6d1d2b698', [
    judged('IP5M-T1277EW-AI GetDeviceInformation', { kind: 'onvif', answers: 'GetDeviceInformation' }, {
      manufacturer: 'Dahua',
      brand: 'Amcrest',
      kind: 'camera',
      status: 'restricted',
      why: 'Manufacturer Amcrest but FirmwareVersion V2.800.00AC003.0.R is Dahua\'s 2.800.x.R scheme (INDEX.md: Amcrest is a Dahua OEM)',
    }),
  ]),

  // ---------------------------------------------------------------- Hikvision label
  entry('annke/recog-banners-1.xml', 'corpus/annke.various.recog-banners.xml', '078c5777e697daf7', [
    recog(
      0,
      0,
      'http_servers',
      'MWS 0.01',
      {
        manufacturer: null,
        brand: 'Annke',
        kind: 'camera',
        status: 'restricted',
        why: 'Recog names only the ANNKE label ("ANNKE IP Camera"): the maker is not established, but the packs list Annke as a Hikvision brand and nothing contradicts it, so the label decides',
      },
      { truth: null },
    ),
  ]),

  // ---------------------------------------------------------------- Uniview, Huawei, ZTE
  entry('uniview/gb28181-catalog-item-1.txt', 'corpus/uniview.hic6622-ir.gb28181-catalog-item.txt', 'f19c8f50909f0b15', [
    judged('HIC6622-IR@X33-VF catalog item (as its device information)', { kind: 'onvif-converted', from: 'gb28181', ownerIsFirmware: true }, {
      manufacturer: 'Uniview',
      brand: 'Uniview',
      kind: 'camera',
      status: 'restricted',
      why: 'Manufacturer UNIVIEW, model HIC6622-IR@X33-VF (Uniview PTZ), firmware IPC-B2202.7.11.230222 in the Owner field',
    }),
  ]),
  entry('huawei/recog-banners-1.xml', 'corpus/huawei.various.recog-banners.xml', '53e9f871909e5bf2', [
    recog(0, 0, 'http_servers', 'Linux UPnP/1.0 Huawei-ATP-IGD', {
      manufacturer: 'Huawei',
      status: 'restricted',
      why: 'Huawei home gateway UPnP server string; us-ndaa-889 covers all Huawei telecommunications equipment, whatever the kind',
    }),
    recog(1, 0, 'http_wwwauth', 'Basic realm="SmartAX MT882"', { manufacturer: 'Huawei', status: 'restricted', why: 'realm of a Huawei SmartAX MT882 xDSL router (Recog)' }),
    recog(2, 0, 'http_wwwauth', 'Basic realm="HuaweiHomeGateway"', { manufacturer: 'Huawei', status: 'restricted', why: 'realm of Huawei home gateway routers (Recog)' }),
    recog(3, 0, 'http_wwwauth', 'Basic realm="EchoLife Portal de Inicio"', { manufacturer: 'Huawei', status: 'restricted', why: 'realm of Huawei EchoLife home gateways (Recog)' }),
    recog(3, 1, 'http_wwwauth', 'Basic realm="EchoLife Home Gateway"', { manufacturer: 'Huawei', status: 'restricted', why: 'realm of Huawei EchoLife home gateways (Recog)' }),
  ]),
  entry('zte/recog-banners-1.xml', 'corpus/zte.various.recog-banners.xml', '8c43a88f03523b92', [
    recog(0, 0, 'http_servers', 'Mini web server 1.0 ZTE corp 2005.', {
      manufacturer: 'ZTE',
      status: 'restricted',
      why: 'ZTE CPE web server string; us-ndaa-889 covers all ZTE telecommunications equipment, whatever the kind',
    }),
    recog(0, 1, 'http_servers', 'ZTE web server 1.0 ZTE corp 2015.', { manufacturer: 'ZTE', status: 'restricted', why: 'ZTE CPE web server string (Recog)' }),
    recog(1, 0, 'http_wwwauth', 'Digest realm="cpe@zte.com"', { manufacturer: 'ZTE', status: 'restricted', why: 'realm of assorted ZTE CPE devices (Recog)' }),
    recog(2, 0, 'http_wwwauth', 'Basic realm="ZXHN H108L"', { manufacturer: 'ZTE', status: 'restricted', why: 'realm of a ZTE ZXHN H108L router (Recog)' }),
    recog(3, 0, 'http_wwwauth', 'Basic realm="ZXV10 W300"', { manufacturer: 'ZTE', status: 'restricted', why: 'realm of a ZTE ZXV10 W300 router (Recog)' }),
  ]),
];
