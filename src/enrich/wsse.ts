import { createHash, randomBytes } from 'node:crypto';
import type { Credentials } from './types.ts';

/**
 * WS-Security UsernameToken with PasswordDigest (OASIS UsernameToken Profile 1.0, 3.1;
 * ONVIF Core 5.9.4): Digest = Base64(SHA-1(nonce bytes + Created + password)).
 * The camera checks Created against its own clock and refuses tokens outside a few
 * seconds' window, so Created is computed on the DEVICE's clock: local now plus the offset
 * measured from its GetSystemDateAndTime reply. Nonce and clock are injectable for tests.
 */
export const NS_WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const NS_WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
export const PASSWORD_DIGEST =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';
export const BASE64_BINARY =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';

export function passwordDigest(nonce: Buffer, created: string, password: string): string {
  return createHash('sha1')
    .update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')]))
    .digest('base64');
}

/** xs:dateTime in UTC without fractions (`2010-09-16T07:50:45Z`), the form devices accept. */
export function formatCreated(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/u, 'Z');
}

/** Milliseconds to add to the local clock to read the device's clock. */
export function clockOffsetMs(deviceTime: Date, localTime: Date): number {
  return deviceTime.getTime() - localTime.getTime();
}

/** The device's current time, given the local clock and a measured offset. */
export function deviceNow(now: () => Date, offsetMs: number): Date {
  return new Date(now().getTime() + offsetMs);
}

export interface UsernameTokenOptions {
  now: () => Date;
  /** From clockOffsetMs(); 0 when the device's clock is unknown. */
  offsetMs?: number;
  /** 16 random bytes by default. */
  nonce?: () => Buffer;
}

function escapeXml(value: string): string {
  return value
    .replace(/&/gu, '&amp;')
    .replace(/</gu, '&lt;')
    .replace(/>/gu, '&gt;')
    .replace(/"/gu, '&quot;')
    .replace(/'/gu, '&apos;');
}

/**
 * The `<wsse:Security>` header block (to place inside the SOAP Header). The password itself
 * never appears in it, only its digest.
 */
export function usernameTokenHeader(credentials: Credentials, opts: UsernameTokenOptions): string {
  const nonce = opts.nonce?.() ?? randomBytes(16);
  const created = formatCreated(deviceNow(opts.now, opts.offsetMs ?? 0));
  const digest = passwordDigest(nonce, created, credentials.password);
  return (
    `<wsse:Security s:mustUnderstand="1" xmlns:wsse="${NS_WSSE}" xmlns:wsu="${NS_WSU}">` +
    '<wsse:UsernameToken>' +
    `<wsse:Username>${escapeXml(credentials.username)}</wsse:Username>` +
    `<wsse:Password Type="${PASSWORD_DIGEST}">${digest}</wsse:Password>` +
    `<wsse:Nonce EncodingType="${BASE64_BINARY}">${nonce.toString('base64')}</wsse:Nonce>` +
    `<wsu:Created>${created}</wsu:Created>` +
    '</wsse:UsernameToken>' +
    '</wsse:Security>'
  );
}
