import type http from 'node:http';
import type { TLSSocket } from 'node:tls';
import { gunzipSync } from 'node:zlib';
import { cleanText } from '../util/text.ts';
import type { Logger } from '../util/log.ts';
import { SIGNATURE_HEADER, verifySignature } from '../report/hmac.ts';
import type { Secret } from '../report/secret.ts';
import { bearerToken, hashToken, secretsEqual } from './auth.ts';
import { json, readBody, refuseUnread, type Reply } from './http-util.ts';
import type { CentralStore } from './store/store.ts';
import type { AgentRecord } from './types.ts';
import { checkReportBody } from './validate.ts';

/**
 * POST /v1/reports (or /): an agent's report. In this order, so that nothing about a
 * request is paid for before it is known to come from an agent:
 *
 * 1. the credential, from the headers alone, before a byte of the body is read: an agent's own
 *    token (looked up by its hash; revoked -> 401; a bound client certificate that differs ->
 *    403), or the shared `--token-file` token, or nothing with --allow-anonymous. A refusal
 *    closes the connection, so an unread body costs nothing;
 * 2. the declared length against the cap (413), then the body, within the cap;
 * 3. the HMAC signature over the raw bytes and its timestamp (401);
 * 4. Content-Type (415), Content-Encoding (identity or gzip, capped: 413 for a bomb);
 * 5. the body: no NUL, nesting depth, the v1 schema with formats, the receiver's bounds (400);
 *    the Idempotency-Key header equal to the body's key (400);
 * 6. the agent: a per-agent credential must report under its own id (403), and its site is
 *    the one it was registered with; the shared token cannot report as a registered agent (403);
 * 7. one transaction in the store (replay 401; de-duplication by device key: 200 either way).
 */

export interface IntakeOptions {
  store: CentralStore;
  sharedToken: Secret | null;
  allowAnonymous: boolean;
  hmacSecret: Secret | null;
  maxBodyBytes: number;
  replayWindowMs: number;
  now: () => number;
  log: Logger;
  onStored?: (result: { accepted: number; duplicates: number; devices: number }) => void;
  /** How long a found agent credential is reused without a lookup (revocation takes effect within it). */
  credentialCacheMs: number;
}

/** Agents found by token hash, for `credentialCacheMs` (only found ones: a flood of wrong tokens cannot fill it). */
export class CredentialCache {
  readonly #entries = new Map<string, { agent: AgentRecord; at: number }>();
  get(hash: string, now: number, ttlMs: number): AgentRecord | undefined {
    const e = this.#entries.get(hash);
    if (e === undefined || now - e.at >= ttlMs) return undefined;
    return e.agent;
  }
  set(hash: string, agent: AgentRecord, now: number): void {
    if (this.#entries.size >= 10_000) this.#entries.clear();
    this.#entries.set(hash, { agent, at: now });
  }
}

type Credential = { kind: 'agent'; agent: AgentRecord } | { kind: 'shared' } | { kind: 'anonymous' };

const UNAUTHORIZED = { 'www-authenticate': 'Bearer realm="camsweep"' };

async function credential(req: http.IncomingMessage, o: IntakeOptions, cache: CredentialCache): Promise<Credential | Reply> {
  const header = req.headers.authorization;
  const token = bearerToken(header);
  if (token === undefined) {
    if (header === undefined && o.allowAnonymous) return { kind: 'anonymous' };
    return refuseUnread(401, 'missing or wrong bearer token', 'no-token', UNAUTHORIZED);
  }
  if (o.sharedToken !== null && secretsEqual(token, o.sharedToken.reveal())) return { kind: 'shared' };
  const hash = hashToken(token);
  const now = o.now();
  let agent = o.credentialCacheMs > 0 ? cache.get(hash, now, o.credentialCacheMs) : undefined;
  if (agent === undefined) {
    agent = await o.store.agentByTokenHash(hash);
    if (agent !== undefined && o.credentialCacheMs > 0) cache.set(hash, agent, now);
  }
  if (agent === undefined) return refuseUnread(401, 'missing or wrong bearer token', 'bad-token', UNAUTHORIZED);
  if (agent.revokedAt !== null) return refuseUnread(401, `agent ${agent.id} was revoked`, 'revoked', UNAUTHORIZED);
  if (agent.certFingerprint !== null) {
    const socket = req.socket as Partial<TLSSocket>;
    const cert = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
    const fingerprint = cert?.fingerprint256?.replace(/:/gu, '').toLowerCase();
    if (fingerprint !== agent.certFingerprint) return refuseUnread(403, `agent ${agent.id} must present its own client certificate`, 'certificate');
  }
  return { kind: 'agent', agent };
}

export async function handleReport(req: http.IncomingMessage, o: IntakeOptions, cache: CredentialCache): Promise<Reply> {
  const cred = await credential(req, o, cache);
  if ('status' in cred) return cred;

  const max = o.maxBodyBytes;
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > max) return refuseUnread(413, `body over ${max} bytes`, 'too-large');
  const { body: raw, tooLarge, cut } = await readBody(req, max);
  if (tooLarge) return { status: 413, body: { error: `body over ${max} bytes` }, close: cut, refusal: 'too-large' };

  let signature: { value: string; t: number; windowMs: number } | undefined;
  if (o.hmacSecret !== null) {
    const header = req.headers[SIGNATURE_HEADER];
    const check = verifySignature(typeof header === 'string' ? header : undefined, raw, o.hmacSecret.reveal(), o.now(), o.replayWindowMs);
    if (!check.ok) return json(401, { error: `signature ${check.reason}` }, { refusal: `signature-${check.reason}` });
    signature = { value: check.signature, t: check.t, windowMs: o.replayWindowMs };
  }

  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return json(415, { error: 'content-type must be application/json' }, { refusal: 'content-type' });
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  let text: Buffer;
  if (encoding === 'gzip') {
    try {
      text = gunzipSync(raw, { maxOutputLength: max });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return json(413, { error: `decompressed body over ${max} bytes` }, { refusal: 'gzip-bomb' });
      return json(400, { error: 'not a valid gzip body' }, { refusal: 'gzip' });
    }
  } else if (encoding === 'identity') text = raw;
  else return json(415, { error: `content-encoding ${cleanText(encoding, 40)} not supported (gzip is)` }, { refusal: 'content-encoding' });

  // JSON strings may escape a NUL; no agent sends one (device strings are cleaned), and PostgreSQL text cannot hold it.
  if (text.includes('\\u0000')) return json(400, { error: 'NUL characters are not accepted' }, { refusal: 'invalid' });
  const checked = checkReportBody(text);
  if (!checked.ok) return json(400, { error: checked.error, ...(checked.problems === undefined ? {} : { problems: checked.problems }) }, { refusal: 'invalid' });
  let report = checked.report;
  if (req.headers['idempotency-key'] !== report.idempotencyKey) {
    return json(400, { error: 'Idempotency-Key header differs from the body idempotencyKey' }, { refusal: 'invalid' });
  }

  if (cred.kind === 'agent') {
    if (report.agent.id !== cred.agent.id) {
      return json(403, { error: `this credential belongs to agent ${cred.agent.id}; the report says ${cleanText(report.agent.id, 128)}` }, { refusal: 'agent-mismatch' });
    }
    report = { ...report, site: cred.agent.site };
  } else if ((await o.store.getAgent(report.agent.id)) !== undefined) {
    return json(403, { error: `agent ${cleanText(report.agent.id, 128)} has its own credential: report with it` }, { refusal: 'agent-mismatch' });
  }

  const result = await o.store.ingest(report, {
    receivedAt: o.now(),
    bytes: raw.length,
    remote: req.socket.remoteAddress ?? null,
    ...(signature === undefined ? {} : { signature }),
    ...(cred.kind === 'agent' ? { agentId: cred.agent.id } : {}),
  });
  if (result.kind === 'replay') return json(401, { error: 'signature already used (replay)' }, { refusal: 'replay' });
  o.onStored?.({ accepted: result.accepted, duplicates: result.duplicates, devices: report.devices.length });
  o.log.debug(
    {
      receipt: {
        agent: cleanText(report.agent.id, 128),
        site: report.site === null ? null : cleanText(report.site, 200),
        sweep: cleanText(report.sweep.id, 128),
        devices: report.devices.length,
        accepted: result.accepted,
        duplicates: result.duplicates,
        events: report.events?.length ?? 0,
      },
    },
    'report received',
  );
  return json(200, {
    status: 'ok',
    accepted: result.accepted,
    duplicates: result.duplicates,
    ...(result.events === undefined ? {} : { eventsAccepted: result.events.accepted, eventDuplicates: result.events.duplicates }),
  });
}
