import { appendFileSync } from 'node:fs';

/**
 * What a simulated device received, one JSON line per request, so a test can prove what the
 * agent did (e.g. that a foreign LOCATION host was never contacted).
 */
export interface DeviceHit {
  /** ms since the epoch. */
  t: number;
  proto: 'wsd' | 'ssdp' | 'mdns' | 'http' | 'onvif' | 'sadp' | 'dhip' | 'rtsp' | 'tls';
  from: string;
  port: number;
  /**
   * Message kind: 'Probe', 'M-SEARCH', 'query', 'GET', 'POST', 'junk', ONVIF operation, SADP
   * 'inquiry', DHIP 'DHDiscover.search', Dahua 'v1-search'...
   */
  kind: string;
  /** Short detail: probe Types, ST, question names, HTTP path. */
  detail?: string;
}

export type HitInput = Omit<DeviceHit, 't'>;

export interface HitRecorder {
  record(hit: HitInput): void;
}

/** Appends hits to a file (sync: one short line, ordering kept); no file, no record. */
export function fileHitRecorder(file: string | undefined, onError: (err: Error) => void): HitRecorder {
  return {
    record(hit) {
      if (file === undefined) return;
      const line: DeviceHit = { t: Date.now(), ...hit };
      if (line.detail !== undefined && line.detail.length > 300) line.detail = `${line.detail.slice(0, 300)}...`;
      try {
        appendFileSync(file, `${JSON.stringify(line)}\n`);
      } catch (err) {
        onError(err as Error);
      }
    },
  };
}

/** Parses a hits file's text; lines that are not hits are skipped. */
export function parseHits(text: string): DeviceHit[] {
  const hits: DeviceHit[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (isHit(value)) hits.push(value);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
    }
  }
  return hits;
}

function isHit(value: unknown): value is DeviceHit {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.t === 'number' && typeof v.proto === 'string' && typeof v.from === 'string' && typeof v.kind === 'string';
}
