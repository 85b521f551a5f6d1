import { describe, expect, it } from 'vitest';
import { createDescriptionCache } from '../../../src/passive/description-cache.ts';
import type { EnrichResult } from '../../../src/enrich/types.ts';
import { enrichContext } from '../../helpers/enrich.ts';

const LOCATION = 'http://10.66.0.12:49152/rootDesc.xml';

function setup(maxBytes?: number) {
  let t = 0;
  const fetched: string[] = [];
  let fail = false;
  const cache = createDescriptionCache({
    ...(maxBytes === undefined ? {} : { maxBytes }),
    maxEntries: 2,
    now: () => t,
    fetch: async (target): Promise<EnrichResult> => {
      fetched.push(target.location);
      if (fail) return { observations: [], errors: [{ code: 'UPNP_TIMEOUT', message: 'slow', ip: target.ip }] };
      return { observations: [{ protocol: 'upnp', ip: target.ip, evidence: [{ protocol: 'upnp', field: 'upnp.manufacturer', value: 'Dahua' }] }], errors: [] };
    },
  });
  const ctx = enrichContext(() => Promise.reject(new Error('unused')));
  return { cache, fetched, ctx, tick: (ms: number) => (t += ms), failing: () => (fail = true) };
}

describe('createDescriptionCache', () => {
  it('reads a description once while BOOTID and CONFIGID hold, within max-age; each NOTIFY extends it', async () => {
    const { cache, fetched, ctx, tick } = setup();
    const hint = { location: LOCATION, bootId: '1', configId: '7', maxAgeS: 60 };
    const q = cache.query(new Map([[LOCATION, hint]]));
    await q({ ip: '10.66.0.12', location: LOCATION }, ctx);
    await q({ ip: '10.66.0.12', location: LOCATION }, ctx);
    expect(fetched).toHaveLength(1);
    tick(50_000);
    cache.note('10.66.0.12', hint);
    tick(50_000);
    await q({ ip: '10.66.0.12', location: LOCATION }, ctx);
    expect(fetched).toHaveLength(1);
    expect([cache.hits, cache.misses]).toEqual([2, 1]);
    tick(61_000);
    await q({ ip: '10.66.0.12', location: LOCATION }, ctx);
    expect(fetched).toHaveLength(2);
  });

  it('fetches again after a new BOOTID or CONFIGID, after a goodbye, or for another host', async () => {
    const { cache, fetched, ctx } = setup();
    const hint = { location: LOCATION, bootId: '1', configId: '7' };
    await cache.query(new Map([[LOCATION, hint]]))({ ip: '10.66.0.12', location: LOCATION }, ctx);
    await cache.query(new Map([[LOCATION, { ...hint, bootId: '2' }]]))({ ip: '10.66.0.12', location: LOCATION }, ctx);
    await cache.query(new Map([[LOCATION, { ...hint, bootId: '2', configId: '8' }]]))({ ip: '10.66.0.12', location: LOCATION }, ctx);
    expect(fetched).toHaveLength(3);
    cache.forget('10.66.0.12');
    await cache.query(new Map([[LOCATION, { ...hint, bootId: '2', configId: '8' }]]))({ ip: '10.66.0.12', location: LOCATION }, ctx);
    await cache.query(new Map([[LOCATION, { ...hint, bootId: '2', configId: '8' }]]))({ ip: '10.66.0.13', location: LOCATION }, ctx);
    expect(fetched).toHaveLength(5);
    // A NOTIFY that no longer matches drops the copy.
    cache.note('10.66.0.13', { ...hint, bootId: '3' });
    expect(cache.size).toBe(0);
  });

  it('a NOTIFY from another host naming the same LOCATION with another BOOTID leaves the entry alone', async () => {
    const { cache, fetched, ctx } = setup();
    const hint = { location: LOCATION, bootId: '1', configId: '7' };
    const q = cache.query(new Map([[LOCATION, hint]]));
    await q({ ip: '10.66.0.12', location: LOCATION }, ctx);
    cache.note('10.66.0.66', { ...hint, bootId: '999' });
    expect(cache.size).toBe(1);
    await q({ ip: '10.66.0.12', location: LOCATION }, ctx);
    expect(fetched).toHaveLength(1);
  });

  it('keeps only whole descriptions, at most maxEntries', async () => {
    const { cache, fetched, ctx, failing } = setup();
    for (const n of [1, 2, 3]) await cache.query(new Map())({ ip: '10.66.0.12', location: `http://10.66.0.12/${n}.xml` }, ctx);
    expect(cache.size).toBe(2);
    failing();
    await cache.query(new Map())({ ip: '10.66.0.14', location: 'http://10.66.0.14/d.xml' }, ctx);
    await cache.query(new Map())({ ip: '10.66.0.14', location: 'http://10.66.0.14/d.xml' }, ctx);
    expect(fetched.filter((l) => l.endsWith('d.xml'))).toHaveLength(2);
  });

  it('keeps at most maxBytes of evidence, dropping the least recently used', async () => {
    const { cache, ctx } = setup(150);
    await cache.query(new Map())({ ip: '10.66.0.12', location: 'http://10.66.0.12/1.xml' }, ctx);
    await cache.query(new Map())({ ip: '10.66.0.12', location: 'http://10.66.0.12/2.xml' }, ctx);
    expect(cache.size).toBe(1);
    const tiny = setup(10);
    await tiny.cache.query(new Map())({ ip: '10.66.0.12', location: 'http://10.66.0.12/1.xml' }, tiny.ctx);
    expect(tiny.cache.size).toBe(0);
  });
});
