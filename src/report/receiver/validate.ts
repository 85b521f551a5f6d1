import { z } from 'zod';
import { REPORT_SCHEMA } from '../payload.ts';

/**
 * What the receiver needs from a camsweep.report/v1 body, checked before anything is stored.
 * The full contract is schemas/report.v1.schema.json; this checks the fields the receiver reads
 * and bounds every one of them (the body comes from the network). Unknown fields are kept
 * (v1 may gain optional fields), within the body size cap.
 */

const key = z.string().regex(/^[A-Za-z0-9._:-]{8,128}$/u, 'an idempotency key: 8-128 of A-Z a-z 0-9 . _ : -');
const text = (max: number) => z.string().max(max);
const nullableText = (max: number) => z.string().max(max).nullable();
const status = z.enum(['restricted', 'review', 'clear']);

const device = z.looseObject({
  idempotencyKey: key,
  identity: text(200),
  ip: text(64),
  mac: nullableText(64),
  manufacturer: nullableText(1024),
  brand: nullableText(1024),
  model: nullableText(1024),
  firmware: nullableText(1024).optional(),
  serial: nullableText(1024).optional(),
  identifiers: z
    .looseObject({ epr: text(1024).optional(), udn: text(1024).optional(), serial: text(1024).optional(), hostname: text(1024).optional() })
    .optional(),
  kind: text(32),
  status,
  verdict: z.looseObject({
    status,
    reason: text(4096),
    pack: text(256).optional(),
    rule: text(256).optional(),
  }),
});

const event = z.looseObject({
  idempotencyKey: key,
  type: text(32).min(1),
  deviceId: text(128).min(1),
  at: text(64),
  device: z.looseObject({
    ip: text(64),
    mac: nullableText(64),
    manufacturer: nullableText(1024),
    brand: nullableText(1024),
    model: nullableText(1024),
    kind: text(32),
    status,
  }),
  before: nullableText(1024).optional(),
  after: nullableText(1024).optional(),
});

export const receivedReportSchema = z.looseObject({
  schema: z.literal(REPORT_SCHEMA),
  idempotencyKey: key,
  createdAt: text(64),
  agent: z.looseObject({ id: text(128).min(1), version: text(64) }),
  site: nullableText(200),
  sweep: z.looseObject({
    id: text(128).min(1),
    startedAt: text(64),
    finishedAt: text(64),
    devicesFound: z.number().int().min(0),
    devicesReported: z.number().int().min(0),
  }),
  devices: z.array(device).max(100_000),
  /** Change events (the daemon's reports); optional in v1. */
  events: z.array(event).max(100_000).optional(),
});

export type ReceivedReport = z.output<typeof receivedReportSchema>;
export type ReceivedDevice = ReceivedReport['devices'][number];
export type ReceivedEvent = NonNullable<ReceivedReport['events']>[number];

export type Validation = { ok: true; report: ReceivedReport } | { ok: false; problems: string[] };

export function validateReport(doc: unknown): Validation {
  const parsed = receivedReportSchema.safeParse(doc);
  if (parsed.success) {
    const keys = new Set<string>();
    for (const d of parsed.data.devices) {
      if (keys.has(d.idempotencyKey)) return { ok: false, problems: [`devices: key ${d.idempotencyKey} appears twice`] };
      keys.add(d.idempotencyKey);
    }
    const eventKeys = new Set<string>();
    for (const e of parsed.data.events ?? []) {
      if (eventKeys.has(e.idempotencyKey)) return { ok: false, problems: [`events: key ${e.idempotencyKey} appears twice`] };
      eventKeys.add(e.idempotencyKey);
    }
    return { ok: true, report: parsed.data };
  }
  return { ok: false, problems: parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
}
