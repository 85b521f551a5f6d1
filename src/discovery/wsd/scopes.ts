import { cleanText } from '../../util/text.ts';

/**
 * ONVIF scopes (ONVIF Core 7.3.2.2): `onvif://www.onvif.org/<key>/<value...>`, the value
 * percent-encoded. Keys seen in the wild: name, hardware, location, type, Profile, MAC,
 * extension, and non-standard mfr, manufacturer, acc, Model, Name (capitalised by some
 * white-label firmware). Keys are compared lowercased; values are decoded and cleaned.
 */
const ONVIF_SCOPE = /^onvif:\/\/www\.onvif\.org\/([^/]*)(?:\/(.*))?$/iu;
const KEY = /^[a-z0-9][a-z0-9_.-]{0,31}$/u;

export interface OnvifScope {
  /** Lowercased key: `name`, `hardware`, `location`, `mac`, `profile`, ... */
  key: string;
  /** Decoded, cleaned rest of the path: `HIKVISION DS-2CD2142FWD-I`, `city/hangzhou`. */
  value: string;
}

/**
 * Percent-decoding that never throws: each run of `%XX` escapes is decoded on its own and
 * left as written when it is not valid UTF-8 (`100%`, `%E4%B8` and `%zz` survive unchanged).
 */
export function safeDecode(value: string): string {
  return value.replace(/(?:%[0-9a-f]{2})+/giu, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run; // not valid UTF-8 once decoded: keep the escapes as the device sent them
    }
  });
}

/** The key and value of an ONVIF scope, or undefined for other scopes or empty values. */
export function parseOnvifScope(scope: string): OnvifScope | undefined {
  const m = ONVIF_SCOPE.exec(scope);
  if (!m) return undefined;
  const key = (m[1] ?? '').toLowerCase();
  if (!KEY.test(key)) return undefined;
  const value = cleanText(safeDecode(m[2] ?? ''));
  if (value === '') return undefined;
  return { key, value };
}

const NESTED_NAMING = /^(manufacturer|mfr|brand)\/(.+)$/iu;

/**
 * A naming scope written one level down: some firmware (a Foscam C1) announces
 * `onvif://www.onvif.org/type/manufacturer/FOSCAM`, its maker under the `type` key. That is the
 * device naming its maker as surely as `manufacturer/FOSCAM` would, so it is read as that scope
 * too (the scope as written is kept as well).
 */
export function nestedNamingScope(scope: OnvifScope): OnvifScope | undefined {
  const m = NESTED_NAMING.exec(scope.value);
  if (!m) return undefined;
  const value = (m[2] ?? '').trim();
  return value === '' ? undefined : { key: (m[1] ?? '').toLowerCase(), value };
}
