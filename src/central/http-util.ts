import type http from 'node:http';

/** Small pieces the intake and the API share: replies, bounded body reading. */

export interface Reply {
  status: number;
  body: Record<string, unknown> | string;
  headers?: Record<string, string>;
  /** Close the connection after the reply (the body was not read, or was cut). */
  close?: boolean;
  /** Why it was refused, for the bounded refusal log and the metrics (4xx/5xx). */
  refusal?: string;
}

export const json = (status: number, body: Record<string, unknown>, extra: Partial<Reply> = {}): Reply => ({ status, body, ...extra });

/** A refusal sent before the body was read: the connection is closed so the unread body never is. */
export const refuseUnread = (status: number, error: string, reason: string, headers?: Record<string, string>): Reply => ({
  status,
  body: { error },
  close: true,
  refusal: reason,
  ...(headers === undefined ? {} : { headers }),
});

/** A body over the cap is read and thrown away up to this many times the cap (so the sender reads the 413), then the connection is cut. */
export const DRAIN_FACTOR = 16;

export function readBody(req: http.IncomingMessage, max: number): Promise<{ body: Buffer; tooLarge: boolean; cut: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        tooLarge = true;
        chunks.length = 0;
        if (size > max * DRAIN_FACTOR) {
          req.pause();
          resolve({ body: Buffer.alloc(0), tooLarge: true, cut: true });
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge, cut: false }));
    req.on('error', reject);
    // A sender that dies mid-body: nothing to answer, nothing stored.
    req.on('close', () => {
      if (!req.complete) reject(new Error('request body cut short'));
    });
  });
}

export function pathOf(req: http.IncomingMessage): { path: string; query: URLSearchParams } {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  return { path: q < 0 ? raw : raw.slice(0, q), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}
