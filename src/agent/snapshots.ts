import { loadFingerprintDb } from '../fingerprint/index.ts';
import { lookupOui } from '../fingerprint/oui.ts';
import { loadPolicy } from '../policy/load.ts';
import { vocabularyFromVendors } from '../policy/vocabulary.ts';

/**
 * Fills the package's snapshots (node_modules/.cache/camsweep: the parsed fingerprint files,
 * vendor vocabulary and default policy packs, the OUI registry's names) the way a sweep would,
 * for an image whose package directory is read-only at run time: the Dockerfile runs it once
 * at build (docs/performance.md). Loading validates everything as a sweep does: a broken
 * database fails the build.
 */
export function warmSnapshots(): void {
  const db = loadFingerprintDb();
  loadPolicy({ vocabulary: vocabularyFromVendors(db.vocabulary) });
  lookupOui('ac:cc:8e:00:00:01'); // any registered MAC: the first lookup loads the table
}
