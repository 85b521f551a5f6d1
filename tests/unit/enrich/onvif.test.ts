import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CamsweepError } from '../../../src/domain/errors.ts';
import { enrichOnvif, SOAP_CONTENT_TYPE } from '../../../src/enrich/onvif.ts';
import type { Credentials } from '../../../src/enrich/types.ts';
import type { HttpRequest, HttpResponse } from '../../../src/util/http.ts';
import { createLogger } from '../../../src/util/log.ts';
import { child, parseXml, textAt } from '../../../src/util/xml.ts';
import { enrichContext, evidenceValues, fakeHttp } from '../../helpers/enrich.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/onvif/${name}`, import.meta.url), 'utf8');

const IP = '192.168.1.45';
const XADDR = `http://${IP}/onvif/device_service`;
const PASSWORD = 'Tr0ub4dor&3-secret';
const CREDS: Credentials = { username: 'operator', password: PASSWORD };

type Reply = HttpResponse | Error;
type Responder = (operation: string, req: HttpRequest, authenticated: boolean) => Reply;

function soap(status: number, body: string): HttpResponse {
  return { status, headers: { 'content-type': 'application/soap+xml' }, body: Buffer.from(body), truncated: false };
}

const operationOf = (req: HttpRequest): string => /<tds:(\w+)\/>/u.exec(req.body ?? '')?.[1] ?? '?';

/**
 * A fake device behind an injected HttpClient. The clock advances one second per request,
 * so the device-clock arithmetic of the WS-UsernameToken is checked exactly.
 */
function harness(respond: Responder, opts: { credentials?: Credentials; aborted?: boolean } = {}) {
  const logLines: string[] = [];
  let clock = Date.parse('2026-11-26T10:00:00Z');
  const http = fakeHttp((req) => {
    clock += 1000;
    const reply = respond(operationOf(req), req, (req.body ?? '').includes('UsernameToken'));
    if (reply instanceof Error) throw reply;
    return reply;
  });
  const controller = new AbortController();
  if (opts.aborted) controller.abort();
  const ctx = enrichContext(http, {
    signal: controller.signal,
    log: createLogger({ level: 'trace', destination: { write: (line: string) => logLines.push(line) } }),
    requestTimeoutMs: 3000,
    maxBodyBytes: 64 * 1024,
    now: () => new Date(clock),
  });
  if (opts.credentials) ctx.credentials = opts.credentials;
  return { ctx, requests: http.calls, logLines };
}

/** Dahua clock + a given GetDeviceInformation reply, unauthenticated. */
const device =
  (info: string, time = fixture('dahua.ipc-hfw2228m-i1-v2.GetSystemDateAndTime.xml')): Responder =>
  (op) =>
    op === 'GetSystemDateAndTime' ? soap(200, time) : soap(200, info);

const notAuthorizedUntilToken =
  (unauthorized: () => HttpResponse, info = fixture('amcrest.ip5m-t1277ew-ai.GetDeviceInformation.xml')): Responder =>
  (op, _req, authenticated) => {
    if (op === 'GetSystemDateAndTime') return soap(200, fixture('dahua.ipc-hfw2228m-i1-v2.GetSystemDateAndTime.xml'));
    return authenticated ? soap(200, info) : unauthorized();
  };

const vivotekFault = (): HttpResponse => soap(400, fixture('vivotek.fd9360-h.Fault-NotAuthorized.xml'));

describe('enrichOnvif: reading devices', () => {
  it('Amcrest (Dahua OEM): every field as the device wrote it, device clock, namespaces', async () => {
    const { ctx, requests } = harness(device(fixture('amcrest.ip5m-t1277ew-ai.GetDeviceInformation.xml')));
    const result = await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, ctx);
    expect(result.errors).toEqual([]);
    expect(result.observations).toHaveLength(1);
    const obs = result.observations[0]!;
    expect(obs.protocol).toBe('onvif');
    expect(obs.ip).toBe(IP);
    expect(obs.identifiers).toEqual({ serial: 'AMC094B09882D5F152' });
    expect(obs.evidence.every((e) => e.protocol === 'onvif')).toBe(true);
    expect(evidenceValues(obs.evidence, 'onvif.manufacturer')).toEqual(['Amcrest']);
    expect(evidenceValues(obs.evidence, 'onvif.model')).toEqual(['IP5M-T1277EW-AI']);
    expect(evidenceValues(obs.evidence, 'onvif.firmware')).toEqual(['V2.800.00AC003.0.R']);
    expect(evidenceValues(obs.evidence, 'onvif.serial')).toEqual(['AMC094B09882D5F152']);
    expect(evidenceValues(obs.evidence, 'onvif.hardware')).toEqual(['1.00']); // not coerced to 1
    expect(evidenceValues(obs.evidence, 'onvif.systemTime')).toEqual(['2018-09-12T05:34:10.000Z']);
    expect(evidenceValues(obs.evidence, 'onvif.timezone')).toEqual(['GMT+08:00']);
    expect(evidenceValues(obs.evidence, 'onvif.auth')).toEqual(['none']);
    expect(evidenceValues(obs.evidence, 'onvif.namespace')).toEqual([
      's=http://www.w3.org/2003/05/soap-envelope',
      'sc=http://www.w3.org/2003/05/soap-encoding',
      'tds=http://www.onvif.org/ver10/device/wsdl',
      'tt=http://www.onvif.org/ver10/schema',
    ]);

    expect(requests.map(operationOf)).toEqual(['GetSystemDateAndTime', 'GetDeviceInformation']);
    for (const req of requests) {
      expect(req.url).toBe(XADDR);
      expect(req.method).toBe('POST');
      expect(req.headers).toEqual({ 'content-type': SOAP_CONTENT_TYPE });
      expect(req.timeoutMs).toBe(3000);
      expect(req.maxBytes).toBe(64 * 1024);
      expect(req.signal).toBe(ctx.signal);
      expect(req.body).not.toContain('Security');
      const body = child(parseXml(req.body!), 'Envelope', 'Body');
      expect(body).toBeDefined();
    }
    expect(SOAP_CONTENT_TYPE).toBe('application/soap+xml; charset=utf-8');
  });

  it('Bosch FLEXIDOME: 18-digit serial kept exact, re-serialized envelope without prefixes', async () => {
    const { ctx } = harness(
      device(fixture('bosch.flexidome-5100i-ir.GetDeviceInformation.xml'), fixture('bosch.flexidome-5100i-ir.GetSystemDateAndTime.xml')),
    );
    const { observations, errors } = await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, ctx);
    expect(errors).toEqual([]);
    const ev = observations[0]!.evidence;
    expect(evidenceValues(ev, 'onvif.serial')).toEqual(['404754734001050102']);
    expect(observations[0]!.identifiers).toEqual({ serial: '404754734001050102' });
    expect(evidenceValues(ev, 'onvif.manufacturer')).toEqual(['Bosch']);
    expect(evidenceValues(ev, 'onvif.model')).toEqual(['FLEXIDOME indoor 5100i IR']);
    expect(evidenceValues(ev, 'onvif.firmware')).toEqual(['8.71.0066']);
    expect(evidenceValues(ev, 'onvif.hardware')).toEqual(['F000B543']);
    expect(evidenceValues(ev, 'onvif.systemTime')).toEqual(['2023-05-24T21:25:05.000Z']);
    expect(evidenceValues(ev, 'onvif.timezone')).toEqual(['UTC5:0']);
  });

  it('Vivotek FD9360-H: firmware 0100 and MAC-like serial stay strings', async () => {
    const { ctx } = harness(device(fixture('vivotek.fd9360-h.GetDeviceInformation.xml')));
    const ev = (await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, ctx)).observations[0]!.evidence;
    expect(evidenceValues(ev, 'onvif.firmware')).toEqual(['0100']);
    expect(evidenceValues(ev, 'onvif.serial')).toEqual(['0002D1891C65']);
    expect(evidenceValues(ev, 'onvif.hardware')).toEqual(['ROSSINI']);
  });

  it('Axis clock reply: its vendor namespaces become evidence; the TI IPNC one carries tnsaxis too', async () => {
    for (const [file, tz] of [
      ['axis.unknown.GetSystemDateAndTime.xml', 'BRT3'],
      ['other-ipnc.predator.GetSystemDateAndTime.xml', 'MoroccoStandardTime0'],
    ] as const) {
      const { ctx } = harness(device(fixture('vivotek.fd9360-h.GetDeviceInformation.xml'), fixture(file)));
      const ev = (await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, ctx)).observations[0]!.evidence;
      expect(evidenceValues(ev, 'onvif.namespace')).toContain('tnsaxis=http://www.axis.com/2009/event/topics');
      expect(evidenceValues(ev, 'onvif.timezone')).toEqual([tz]);
    }
    const { ctx } = harness(device(fixture('vivotek.fd9360-h.GetDeviceInformation.xml'), fixture('axis.unknown.GetSystemDateAndTime.xml')));
    const ev = (await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, ctx)).observations[0]!.evidence;
    expect(evidenceValues(ev, 'onvif.namespace')).toContain('acert=http://www.axis.com/vapix/ws/cert');
    expect(evidenceValues(ev, 'onvif.systemTime')).toEqual(['2024-07-09T19:49:06.000Z']);
  });

  it('Hikvision envelopes: tnshik/hikwsd/hikxsd recorded even from a reply that is not the one asked for', async () => {
    const { ctx } = harness((op) =>
      op === 'GetSystemDateAndTime' ? soap(200, fixture('hikvision.unknown.GetNetworkInterfaces.xml')) : soap(200, fixture('hikvision.unknown.GetNTP.xml')),
    );
    const { observations, errors } = await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, ctx);
    const ns = evidenceValues(observations[0]!.evidence, 'onvif.namespace');
    expect(ns).toContain('tnshik=http://www.hikvision.com/2011/event/topics');
    expect(ns).toContain('hikwsd=http://www.onvifext.com/onvif/ext/ver10/wsdl');
    expect(ns).toContain('hikxsd=http://www.onvifext.com/onvif/ext/ver10/schema');
    expect(evidenceValues(observations[0]!.evidence, 'onvif.manufacturer')).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(['ONVIF_INVALID', 'ONVIF_INVALID']);
  });
});

describe('enrichOnvif: NotAuthorized and WS-UsernameToken', () => {
  it('without credentials, NotAuthorized is recorded as a fact, not an error, and never retried', async () => {
    const { ctx, requests } = harness(notAuthorizedUntilToken(vivotekFault));
    const { observations, errors } = await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, ctx);
    expect(errors).toEqual([]);
    const ev = observations[0]!.evidence;
    expect(evidenceValues(ev, 'onvif.deviceInformation.fault')).toEqual(['NotAuthorized']);
    expect(evidenceValues(ev, 'onvif.auth')).toEqual([]);
    expect(evidenceValues(ev, 'onvif.systemTime')).toEqual(['2018-09-12T05:34:10.000Z']);
    expect(requests).toHaveLength(2);
    expect(requests.some((r) => (r.body ?? '').includes('Security'))).toBe(false);
  });

  it('with credentials, retries once with a digest token on the device clock; the password never leaves', async () => {
    const { ctx, requests, logLines } = harness(notAuthorizedUntilToken(vivotekFault), { credentials: CREDS });
    const { observations, errors } = await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, ctx);
    expect(errors).toEqual([]);
    expect(requests.map(operationOf)).toEqual(['GetSystemDateAndTime', 'GetDeviceInformation', 'GetDeviceInformation']);
    expect(requests.slice(0, 2).some((r) => (r.body ?? '').includes('Security'))).toBe(false);

    const token = child(parseXml(requests[2]!.body!), 'Envelope', 'Header', 'Security', 'UsernameToken');
    const nonce = textAt(token, 'Nonce')!;
    const created = textAt(token, 'Created')!;
    expect(textAt(token, 'Username')).toBe('operator');
    // The device said 05:34:10 when our clock read 10:00:01; the token is built at 10:00:02.
    expect(created).toBe('2018-09-12T05:34:11Z');
    const expected = createHash('sha1')
      .update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created), Buffer.from(PASSWORD)]))
      .digest('base64');
    expect(textAt(token, 'Password')).toBe(expected);

    const ev = observations[0]!.evidence;
    expect(evidenceValues(ev, 'onvif.auth')).toEqual(['wsse']);
    expect(evidenceValues(ev, 'onvif.manufacturer')).toEqual(['Amcrest']);
    expect(evidenceValues(ev, 'onvif.deviceInformation.fault')).toEqual([]);
    for (const text of [...requests.map((r) => `${r.body} ${JSON.stringify(r.headers)}`), ...logLines, JSON.stringify(observations)]) {
      expect(text).not.toContain(PASSWORD);
    }
  });

  it('a fixed nonce can be injected (the digest is then reproducible)', async () => {
    const nonce = Buffer.from('LKqI6G/AikKCQrN0zqZFlg==', 'base64');
    const { ctx, requests } = harness(notAuthorizedUntilToken(vivotekFault), { credentials: { username: 'admin', password: 'userpassword' } });
    await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, ctx, { nonce: () => nonce });
    const token = child(parseXml(requests[2]!.body!), 'Envelope', 'Header', 'Security', 'UsernameToken');
    expect(textAt(token, 'Nonce')).toBe('LKqI6G/AikKCQrN0zqZFlg==');
    const created = textAt(token, 'Created')!;
    expect(textAt(token, 'Password')).toBe(
      createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created), Buffer.from('userpassword')])).digest('base64'),
    );
  });

  it('HTTP 401 (old Hikvision HTML page) counts as NotAuthorized; rejected credentials are an error too', async () => {
    const page = (): HttpResponse => ({ status: 401, headers: { 'content-type': 'text/html' }, body: Buffer.from(fixture('hikvision.ds-2df7286-a.http-401.html')), truncated: false });
    const always401: Responder = (op) => (op === 'GetSystemDateAndTime' ? soap(200, fixture('dahua.ipc-hfw2228m-i1-v2.GetSystemDateAndTime.xml')) : page());

    const anonymous = harness(always401);
    const a = await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, anonymous.ctx);
    expect(a.errors).toEqual([]);
    expect(evidenceValues(a.observations[0]!.evidence, 'onvif.deviceInformation.fault')).toEqual(['NotAuthorized']);
    expect(anonymous.requests).toHaveLength(2);

    const configured = harness(always401, { credentials: CREDS });
    const c = await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, configured.ctx);
    expect(configured.requests).toHaveLength(3);
    expect(evidenceValues(c.observations[0]!.evidence, 'onvif.deviceInformation.fault')).toEqual(['NotAuthorized']);
    expect(c.errors).toEqual([{ code: 'ONVIF_AUTH_REJECTED', message: 'configured credentials were not accepted', protocol: 'onvif', ip: IP }]);
    expect(JSON.stringify(c.errors)).not.toContain(PASSWORD);
  });

  it('the ONVIF-standard fault (Subcode ter:NotAuthorized) is recognised too', async () => {
    const standard = soap(
      400,
      '<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:ter="http://www.onvif.org/ver10/error">' +
        '<env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>ter:NotAuthorized</env:Value></env:Subcode></env:Code>' +
        '<env:Reason><env:Text xml:lang="en">The action requested requires authorization and the sender is not authorized</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>',
    );
    const { ctx, requests } = harness(notAuthorizedUntilToken(() => standard), { credentials: CREDS });
    const { observations } = await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, ctx);
    expect(requests).toHaveLength(3);
    expect(evidenceValues(observations[0]!.evidence, 'onvif.auth')).toEqual(['wsse']);
    expect(evidenceValues(observations[0]!.evidence, 'onvif.namespace')).toContain('ter=http://www.onvif.org/ver10/error');
  });

  it('credentials are not used when the device answers without them', async () => {
    const { ctx, requests } = harness(device(fixture('amcrest.ip5m-t1277ew-ai.GetDeviceInformation.xml')), { credentials: CREDS });
    const { observations } = await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, ctx);
    expect(requests).toHaveLength(2);
    expect(requests.some((r) => (r.body ?? '').includes('UsernameToken'))).toBe(false);
    expect(evidenceValues(observations[0]!.evidence, 'onvif.auth')).toEqual(['none']);
  });

  it('another fault is recorded by its subcode and not retried', async () => {
    const fault = soap(
      500,
      '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>env:Receiver</env:Value>' +
        '<env:Subcode><env:Value>ter:ActionNotSupported</env:Value></env:Subcode></env:Code><env:Reason><env:Text>Optional Action Not Implemented</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>',
    );
    const { ctx, requests } = harness(notAuthorizedUntilToken(() => fault), { credentials: CREDS });
    const { observations, errors } = await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, ctx);
    expect(requests).toHaveLength(2);
    expect(errors).toEqual([]);
    expect(evidenceValues(observations[0]!.evidence, 'onvif.deviceInformation.fault')).toEqual(['ActionNotSupported']);
  });
});

describe('enrichOnvif: which XAddrs are contacted', () => {
  it('never requests an XAddr on another host', async () => {
    const { ctx, requests } = harness(device(fixture('amcrest.ip5m-t1277ew-ai.GetDeviceInformation.xml')));
    const { observations, errors } = await enrichOnvif({ ip: '10.66.0.12', xaddrs: ['http://10.66.0.99/onvif/device_service', 'http://[fe80::1]/onvif/device_service'] }, ctx);
    expect(requests).toEqual([]);
    expect(observations).toEqual([]);
    expect(errors).toEqual([
      { code: 'ONVIF_XADDR_FOREIGN_HOST', message: 'no XAddr on the replying host; others are never contacted', protocol: 'onvif', ip: '10.66.0.12' },
    ]);
  });

  it('uses the same-host XAddr among foreign ones, without a foreign-host error', async () => {
    const { ctx, requests } = harness(device(fixture('amcrest.ip5m-t1277ew-ai.GetDeviceInformation.xml')));
    const { errors } = await enrichOnvif(
      { ip: '10.66.0.12', xaddrs: ['http://10.66.0.99/onvif/device_service', 'https://10.66.0.12/onvif/device_service', 'http://10.66.0.12:8899/onvif/device_service'] },
      ctx,
    );
    expect(errors).toEqual([]);
    expect([...new Set(requests.map((r) => r.url))]).toEqual(['http://10.66.0.12:8899/onvif/device_service']);
  });

  it('https-only devices are recorded, not contacted', async () => {
    const { ctx, requests } = harness(device(fixture('amcrest.ip5m-t1277ew-ai.GetDeviceInformation.xml')));
    const { errors } = await enrichOnvif({ ip: '192.168.0.90', xaddrs: ['https://192.168.0.90/onvif/device_service', 'https://169.254.209.66/onvif/device_service'] }, ctx);
    expect(requests).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(['ONVIF_HTTPS_ONLY']);
  });

  it('no XAddrs at all, or junk ones, contact nothing', async () => {
    const { ctx, requests } = harness(device(''));
    expect((await enrichOnvif({ ip: IP, xaddrs: [] }, ctx)).errors.map((e) => e.code)).toEqual(['ONVIF_NO_XADDR']);
    expect((await enrichOnvif({ ip: IP, xaddrs: ['SERVICE_URI'] }, ctx)).errors.map((e) => e.code)).toEqual(['ONVIF_XADDR_FOREIGN_HOST']);
    expect(requests).toEqual([]);
  });

  it('does nothing once the sweep has aborted', async () => {
    const { ctx, requests } = harness(device(''), { aborted: true });
    expect(await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, ctx)).toEqual({ observations: [], errors: [] });
    expect(requests).toEqual([]);
  });
});

describe('enrichOnvif: failures become stable error codes', () => {
  it('a timeout is ONVIF_TIMEOUT and ends the exchange with that device', async () => {
    const { ctx, requests } = harness(() => new CamsweepError('HTTP_TIMEOUT', 'no complete response within 3000 ms'));
    const result = await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, ctx);
    expect(requests).toHaveLength(1);
    expect(result.observations).toEqual([]);
    expect(result.errors).toEqual([{ code: 'ONVIF_TIMEOUT', message: `GetSystemDateAndTime ${XADDR}: HTTP_TIMEOUT`, protocol: 'onvif', ip: IP }]);
  });

  it('falls back to a second same-host XAddr when the first does not answer', async () => {
    const second = `http://${IP}:8080/onvif/device_service`;
    const { ctx, requests } = harness((op, req) =>
      req.url === XADDR ? new CamsweepError('HTTP_ECONNREFUSED', 'connect ECONNREFUSED') : device(fixture('vivotek.fd9360-h.GetDeviceInformation.xml'))(op, req, false),
    );
    const { observations, errors } = await enrichOnvif({ ip: IP, xaddrs: [XADDR, second] }, ctx);
    expect(errors.map((e) => e.code)).toEqual(['ONVIF_REQUEST_FAILED']);
    expect(requests.map((r) => r.url)).toEqual([XADDR, second, second]);
    expect(evidenceValues(observations[0]!.evidence, 'onvif.model')).toEqual(['FD9360-H']);
  });

  it('HTTP errors without a SOAP fault are ONVIF_HTTP_<status>; the next call is still made', async () => {
    const { ctx, requests } = harness((op) =>
      op === 'GetSystemDateAndTime' ? soap(500, 'Internal Server Error') : soap(200, fixture('vivotek.fd9360-h.GetDeviceInformation.xml')),
    );
    const { observations, errors } = await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, ctx);
    expect(requests).toHaveLength(2);
    expect(errors).toEqual([{ code: 'ONVIF_HTTP_500', message: `GetSystemDateAndTime ${XADDR}: HTTP 500`, protocol: 'onvif', ip: IP }]);
    expect(evidenceValues(observations[0]!.evidence, 'onvif.manufacturer')).toEqual(['VIVOTEK']);
  });

  it('junk, entity bombs and oversized replies are ONVIF_INVALID', async () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>' +
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><tds:GetDeviceInformationResponse xmlns:tds="x"><tds:Manufacturer>&lol2;</tds:Manufacturer></tds:GetDeviceInformationResponse></s:Body></s:Envelope>';
    const { ctx } = harness((op) =>
      op === 'GetSystemDateAndTime'
        ? { status: 200, headers: {}, body: Buffer.from('<s:Envelope>'.padEnd(64 * 1024, 'x')), truncated: true }
        : soap(200, bomb),
    );
    const { observations, errors } = await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, ctx);
    expect(observations).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(['ONVIF_INVALID', 'ONVIF_INVALID']);
    expect(errors[0]!.message).toContain('larger than 65536 bytes');

    const junk = harness(() => soap(200, '\u0000\u0001 not xml'));
    expect((await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, junk.ctx)).errors.map((e) => e.code)).toEqual(['ONVIF_INVALID', 'ONVIF_INVALID']);
  });

  it('an HTTP client failure never leaks request content into the error', async () => {
    const { ctx } = harness((_op, req, authenticated) =>
      authenticated ? new Error(`socket hang up while sending ${req.body}`) : vivotekFault(),
    { credentials: CREDS });
    const { errors } = await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, ctx);
    expect(errors).toEqual([{ code: 'ONVIF_REQUEST_FAILED', message: `GetDeviceInformation ${XADDR}: ERROR`, protocol: 'onvif', ip: IP }]);
  });

  it('an impossible device date is not reported as a system time', async () => {
    const feb31 = fixture('dahua.ipc-hfw2228m-i1-v2.GetSystemDateAndTime.xml').replace('<tt:Month>9</tt:Month><tt:Day>12</tt:Day></tt:Date></tt:UTCDateTime>', '<tt:Month>2</tt:Month><tt:Day>31</tt:Day></tt:Date></tt:UTCDateTime>');
    expect(feb31).toContain('<tt:Day>31</tt:Day>');
    const { ctx } = harness(device(fixture('vivotek.fd9360-h.GetDeviceInformation.xml'), feb31));
    const ev = (await enrichOnvif({ ip: IP, xaddrs: [XADDR] }, ctx)).observations[0]!.evidence;
    expect(evidenceValues(ev, 'onvif.systemTime')).toEqual([]);
    expect(evidenceValues(ev, 'onvif.timezone')).toEqual(['GMT+08:00']);
  });
});
