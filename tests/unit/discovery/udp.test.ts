import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openUdpSocket, RECV_BUFFER_BYTES } from '../../../src/discovery/udp.ts';

/** What Linux grants for a request: the request, capped at net.core.rmem_max, doubled for bookkeeping. */
const granted = (request: number): number => 2 * Math.min(request, Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim()));

describe('openUdpSocket', () => {
  it('asks for a 1 MiB receive buffer by default, or what it is told, within net.core.rmem_max', async () => {
    const open = (recvBufferBytes?: number) =>
      openUdpSocket({ bindAddress: '127.0.0.1', ...(recvBufferBytes === undefined ? {} : { recvBufferBytes }), onMessage: () => undefined, onError: () => undefined });
    const byDefault = await open();
    const small = await open(64 * 1024);
    try {
      expect(byDefault.recvBufferBytes).toBe(granted(RECV_BUFFER_BYTES));
      expect(small.recvBufferBytes).toBe(granted(64 * 1024));
    } finally {
      byDefault.close();
      small.close();
    }
    expect(small.recvBufferBytes).toBe(0); // closed: nothing to ask
  });
});
