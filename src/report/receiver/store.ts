/**
 * The reference receiver's store is the central service's embedded store
 * (src/central/store/embedded.ts): `receiver.db` in the data directory, upgraded in place.
 */
import { embeddedPath, openEmbeddedStore, type EmbeddedStore } from '../../central/store/embedded.ts';

export type { ReceiverCounts, StoredDevice, StoredEvent } from '../../central/store/embedded.ts';
export type ReceiverStore = EmbeddedStore;
export { EMBEDDED_FILE as RECEIVER_FILE } from '../../central/store/embedded.ts';

export function receiverPath(dataDir: string): string {
  return embeddedPath(dataDir);
}

/** Opens (creating or upgrading) the embedded store in `dataDir`. */
export function openReceiverStore(dataDir: string, _options: { readOnly?: boolean } = {}): ReceiverStore {
  return openEmbeddedStore(dataDir);
}
