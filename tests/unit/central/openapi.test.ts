import { readFileSync, rmSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addAgent, addUser, newUserToken } from '../../../src/central/admin.ts';
import { startService, type RunningService } from '../../../src/central/service.ts';
import { serializeReport } from '../../../src/report/payload.ts';
import { Secret } from '../../../src/report/secret.ts';
import { agentReports, devices, freshPgDatabase, quiet, request } from './helpers.ts';

/** The API answers what schemas/central.openapi.json says it answers. */

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const doc = JSON.parse(readFileSync(new URL('../../../schemas/central.openapi.json', import.meta.url), 'utf8')) as { paths: Record<string, object>; openapi: string };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, 'openapi');
const check = (name: string, value: unknown): void => {
  const validate = ajv.getSchema(`openapi#/components/schemas/${name}`)!;
  expect(validate(value), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
};

describe.each([{ name: 'embedded' }, { name: 'postgres' }])('OpenAPI document ($name)', ({ name }) => {
  let svc: RunningService;
  let dir: string;
  beforeEach(async () => {
    dir = `/tmp/camsweep-openapi-${process.pid}-${Math.random().toString(36).slice(2)}`;
    svc = await startService({
      location: name === 'embedded' ? { kind: 'embedded', dataDir: dir } : { kind: 'postgres', url: await freshPgDatabase() },
      listen: { host: '127.0.0.1', port: 0 },
      sharedToken: new Secret('shared-token-0001'),
      hmacSecret: null,
      log: quiet,
    });
  });
  afterEach(async () => {
    await svc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('documents every route, and every answer matches its schema', async () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/v1/agents', '/api/v1/devices', '/api/v1/devices/{id}', '/api/v1/devices/{id}/review', '/healthz', '/metrics', '/v1/reports']);
    await addAgent(svc.store, { id: 'agent-01', site: 'HQ', now: new Date() });
    const [r] = agentReports({ agent: 'other-agent', devices: devices(4, ['restricted', 'review']) });
    const posted = await request(svc.url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': r!.idempotencyKey, authorization: 'Bearer shared-token-0001' }, body: serializeReport(r!) });
    expect(posted.status).toBe(200);
    check('ReportAccepted', JSON.parse(posted.body));
    const refused = await request(svc.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    check('Error', JSON.parse(refused.body));
    await addUser(svc.store, { name: 'rita', role: 'reviewer', password: 'long enough password', now: new Date() });
    const token = await newUserToken(svc.store, 'rita', new Date());
    const get = async (p: string): Promise<unknown> => JSON.parse((await request(new URL(p, svc.url).toString(), { method: 'GET', headers: { authorization: `Bearer ${token}` } })).body);
    const page = (await get('/api/v1/devices?limit=3')) as { devices: Array<{ id: string }> };
    check('DevicePage', page);
    const id = page.devices[0]!.id;
    const review = await request(new URL(`/api/v1/devices/${id}/review`, svc.url).toString(), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'exception', note: 'isolated', until: '2099-12-31' }),
    });
    expect(review.status).toBe(201);
    check('Review', (JSON.parse(review.body) as { review: unknown }).review);
    check('DeviceDetail', ((await get(`/api/v1/devices/${id}`)) as { device: unknown }).device);
    check('DevicePage', await get('/api/v1/devices?status=exception'));
    const agents = (await get('/api/v1/agents')) as { agents: unknown[] };
    expect(agents.agents).toHaveLength(1);
    check('Agent', agents.agents[0]);
    check('Error', await get('/api/v1/devices?status=nope'));
  });
});
