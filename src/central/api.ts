import type http from 'node:http';
import { z } from 'zod';
import { cleanText } from '../util/text.ts';
import { bearerToken, hashToken } from './auth.ts';
import { json, readBody, refuseUnread, type Reply } from './http-util.ts';
import type { CentralStore } from './store/store.ts';
import { DEVICE_STATUSES, REVIEW_STATES, type DeviceQuery, type ReviewState, type Role, type UserRecord } from './types.ts';

/**
 * The API under /api/v1 (schemas/central.openapi.json), for the console and for scripts:
 * `Authorization: Bearer <API token>` of a user (`camsweep central users token NAME`), checked
 * before any body is read. Viewers read; reviewers and admins also review.
 *
 *   GET  /api/v1/devices?status=&site=&agent=&q=&limit=&cursor=   latest state, newest first, keyset pages
 *   GET  /api/v1/devices/{id}                                    one device: state, identifiers, agents, history, reviews, latest report
 *   POST /api/v1/devices/{id}/review                             {"state", "note", "until"} -> 201 (append-only)
 *   GET  /api/v1/agents                                          the registered agents (no credentials)
 */

export interface ApiOptions {
  store: CentralStore;
  now: () => number;
}

const MAX_REVIEW_BODY = 16 * 1024;
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/u, 'a date YYYY-MM-DD')
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), 'a real calendar date');

const reviewBody = z.strictObject({
  state: z.enum(REVIEW_STATES),
  note: z.string().max(2000).default(''),
  until: date.nullable().optional(),
});

export const ROLE_CAN_REVIEW: ReadonlySet<Role> = new Set(['reviewer', 'admin']);

async function user(req: http.IncomingMessage, store: CentralStore): Promise<UserRecord | Reply> {
  const token = bearerToken(req.headers.authorization);
  if (token === undefined) return refuseUnread(401, 'an API token is required (Authorization: Bearer <token>)', 'api-no-token', { 'www-authenticate': 'Bearer realm="camsweep-api"' });
  const u = await store.userByTokenHash(hashToken(token));
  if (u === undefined) return refuseUnread(401, 'unknown or revoked API token', 'api-bad-token', { 'www-authenticate': 'Bearer realm="camsweep-api"' });
  return u;
}

function parseQuery(query: URLSearchParams): { ok: true; query: DeviceQuery } | { ok: false; reply: Reply } {
  const problems: string[] = [];
  const one = (name: string, max: number): string | undefined => {
    const v = query.get(name);
    if (v === null || v === '') return undefined;
    if (v.length > max) problems.push(`${name}: at most ${max} characters`);
    return v;
  };
  const status = one('status', 32);
  if (status !== undefined && !(DEVICE_STATUSES as readonly string[]).includes(status)) problems.push(`status: one of ${DEVICE_STATUSES.join(', ')}`);
  const limitText = one('limit', 6);
  const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) problems.push(`limit: a whole number from 1 to ${MAX_LIMIT}`);
  const site = one('site', 200);
  const agent = one('agent', 128);
  const q = one('q', 200);
  const cursor = one('cursor', 1024);
  if (problems.length > 0) return { ok: false, reply: json(400, { error: 'bad query', problems }) };
  const parsed: DeviceQuery = {
    limit,
    ...(status === undefined ? {} : { status: status as NonNullable<DeviceQuery['status']> }),
    ...(site === undefined ? {} : { site }),
    ...(agent === undefined ? {} : { agent }),
    ...(q === undefined ? {} : { q }),
    ...(cursor === undefined ? {} : { cursor }),
  };
  return { ok: true, query: parsed };
}

export async function handleApi(req: http.IncomingMessage, path: string, query: URLSearchParams, o: ApiOptions): Promise<Reply> {
  const who = await user(req, o.store);
  if ('status' in who) return who;
  const method = req.method ?? 'GET';

  if (path === '/api/v1/devices') {
    if (method !== 'GET') return refuseUnread(405, 'method not allowed', 'method', { allow: 'GET' });
    const q = parseQuery(query);
    if (!q.ok) return q.reply;
    const page = await o.store.listDevicePage(q.query);
    return json(200, { devices: page.devices, nextCursor: page.nextCursor });
  }
  if (path === '/api/v1/agents') {
    if (method !== 'GET') return refuseUnread(405, 'method not allowed', 'method', { allow: 'GET' });
    return json(200, { agents: await o.store.listAgents() });
  }
  const m = /^\/api\/v1\/devices\/([0-9a-f]{16})(\/review)?$/u.exec(path);
  if (m === null) return refuseUnread(404, 'not found', 'not-found');
  const id = m[1]!;
  if (m[2] === undefined) {
    if (method !== 'GET') return refuseUnread(405, 'method not allowed', 'method', { allow: 'GET' });
    const device = await o.store.getDevice(id);
    return device === undefined ? json(404, { error: `no device ${id}` }) : json(200, { device: device as unknown as Record<string, unknown> });
  }
  if (method !== 'POST') return refuseUnread(405, 'method not allowed', 'method', { allow: 'POST' });
  if (!ROLE_CAN_REVIEW.has(who.role)) return refuseUnread(403, `user ${who.name} is a ${who.role}: reviewing needs the reviewer or admin role`, 'api-role');
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return refuseUnread(415, 'content-type must be application/json', 'content-type');
  const { body, tooLarge, cut } = await readBody(req, MAX_REVIEW_BODY);
  if (tooLarge) return { status: 413, body: { error: `body over ${MAX_REVIEW_BODY} bytes` }, close: cut, refusal: 'too-large' };
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return json(400, { error: 'body is not JSON' }, { refusal: 'invalid' });
  }
  const parsed = reviewBody.safeParse(doc);
  if (!parsed.success) {
    return json(400, { error: 'not a review', problems: parsed.error.issues.slice(0, 10).map((i) => cleanText(`${i.path.join('.') || '(root)'}: ${i.message}`, 200)) }, { refusal: 'invalid' });
  }
  const r = parsed.data;
  const now = o.now();
  const until = r.until ?? null;
  const problem = reviewProblem({ state: r.state, note: r.note, until }, now);
  if (problem !== undefined) return json(400, { error: problem }, { refusal: 'invalid' });
  const review = await o.store.review(id, { state: r.state, note: cleanText(r.note, 2000), until, by: who.name, at: new Date(now).toISOString() });
  if (review === undefined) return json(404, { error: `no device ${id}` });
  return json(201, { review: review as unknown as Record<string, unknown> });
}

/** What is wrong with a review (the API's and the console's rule), or undefined. */
export function reviewProblem(r: { state: ReviewState; note: string; until: string | null }, now: number): string | undefined {
  const today = new Date(now).toISOString().slice(0, 10);
  if (r.state === 'exception') {
    if (r.until === null) return 'an exception needs an end date (until: YYYY-MM-DD)';
    if (r.until <= today) return `until must be after today (${today})`;
    if (r.note.trim() === '') return 'an exception needs a justification (note)';
  } else if (r.until !== null) return 'until goes with an exception only';
  return undefined;
}

/** A review date: YYYY-MM-DD and a real calendar day. */
export const isReviewDate = (v: string): boolean => date.safeParse(v).success;
