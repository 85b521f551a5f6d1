import type { Writable } from 'node:stream';

/**
 * Writes `chunk` to `stream` for ever, as fast as the peer reads (respecting backpressure),
 * until the stream is destroyed: a body that never ends, for testing body caps and deadlines.
 */
export function pumpEndlessly(stream: Writable, chunk: Buffer | string): void {
  const pump = (): void => {
    while (!stream.destroyed && stream.write(chunk));
    if (!stream.destroyed) stream.once('drain', pump);
  };
  pump();
}
