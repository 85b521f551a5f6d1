import type http from 'node:http';
import { bearerToken, secretsEqual } from '../../central/auth.ts';
import {
  createCentralHandler,
  DEFAULT_MAX_BODY,
  startCentral,
  type CentralTls,
  type ListenOptions,
  type RunningCentral,
} from '../../central/server.ts';
import type { CentralStore } from '../../central/store/store.ts';
import type { Logger } from '../../util/log.ts';
import type { Secret } from '../secret.ts';

/**
 * `camsweep receive`: the reference endpoint is the central service (src/central/), run with
 * the receiver's options: one shared token (or none with --allow-anonymous), an optional HMAC
 * secret, the embedded store. What it checks, in which order, is described in
 * src/central/intake.ts.
 */

export interface ReceiverOptions {
  store: CentralStore;
  /** Expected bearer token; null accepts requests without one (--allow-anonymous). */
  token: Secret | null;
  hmacSecret: Secret | null;
  /** Largest body, compressed or not (default 1 MiB). */
  maxBodyBytes?: number;
  maxConnections?: number;
  replayWindowMs?: number;
  now?: () => number;
  log: Logger;
}

export const DEFAULT_RECEIVER_MAX_BODY = DEFAULT_MAX_BODY;
export type ReceiverTls = CentralTls;
export type RunningReceiver = RunningCentral;
export type { ListenOptions };

/** Constant-time bearer check. */
export function bearerMatches(header: string | undefined, token: Secret): boolean {
  const given = bearerToken(header);
  return given !== undefined && secretsEqual(given, token.reveal());
}

const centralOptions = (o: ReceiverOptions) => ({
  store: o.store,
  sharedToken: o.token,
  allowAnonymous: o.token === null,
  hmacSecret: o.hmacSecret,
  log: o.log,
  ...(o.maxBodyBytes === undefined ? {} : { maxBodyBytes: o.maxBodyBytes }),
  ...(o.maxConnections === undefined ? {} : { maxConnections: o.maxConnections }),
  ...(o.replayWindowMs === undefined ? {} : { replayWindowMs: o.replayWindowMs }),
  ...(o.now === undefined ? {} : { now: o.now }),
});

export function createReceiverHandler(options: ReceiverOptions): http.RequestListener {
  return createCentralHandler(centralOptions(options)).handler;
}

export function startReceiver(listen: ListenOptions, options: ReceiverOptions): Promise<RunningReceiver> {
  return startCentral(listen, centralOptions(options));
}
