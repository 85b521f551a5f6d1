import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * WS-Security UsernameToken with PasswordDigest, as ONVIF devices check it:
 * Password = Base64( SHA-1( nonce bytes + Created + password ) ), Nonce base64-encoded.
 */
export interface UsernameToken {
  username: string;
  password: string;
  passwordType: string | undefined;
  nonce: string | undefined;
  created: string | undefined;
}

export const PASSWORD_DIGEST =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';

export function passwordDigest(nonceBase64: string, created: string, password: string): string {
  const nonce = Buffer.from(nonceBase64, 'base64');
  return createHash('sha1')
    .update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')]))
    .digest('base64');
}

export function verifyUsernameToken(
  token: UsernameToken | undefined,
  credentials: { username: string; password: string },
): boolean {
  if (token === undefined || token.nonce === undefined || token.created === undefined) return false;
  if (token.passwordType !== undefined && !token.passwordType.endsWith('#PasswordDigest')) return false;
  if (token.username !== credentials.username) return false;
  const expected = Buffer.from(passwordDigest(token.nonce, token.created, credentials.password), 'utf8');
  const given = Buffer.from(token.password, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
