import type { Inventory } from '../inventory/types.ts';
import type { Outbox } from '../report/outbox.ts';

/**
 * The daemon's two databases in its data directory, opened at first use and kept open until
 * the daemon closes them: the inventory always, the outbox only while an endpoint is set.
 * Nothing opens once closed.
 */
export interface DaemonStores {
  readonly dataDir: string;
  inventory(): Inventory;
  /** Null without an endpoint, or once closed. */
  outbox(): Outbox | null;
  /** The outbox if it is open now (for health and metrics), else null; never opens it. */
  outboxIfOpen(): Outbox | null;
  readonly closed: boolean;
  close(): void;
}

export interface DaemonStoresOptions {
  dataDir: string;
  /** Whether an endpoint is set now (it may change on reload). */
  reporting(): boolean;
  openInventory(dataDir: string): Inventory;
  openOutbox(dataDir: string): Outbox;
}

export function createDaemonStores(options: DaemonStoresOptions): DaemonStores {
  let inventory: Inventory | null = null;
  let outbox: Outbox | null = null;
  let closed = false;
  return {
    dataDir: options.dataDir,
    inventory() {
      inventory ??= options.openInventory(options.dataDir);
      return inventory;
    },
    outbox() {
      if (outbox === null && options.reporting() && !closed) outbox = options.openOutbox(options.dataDir);
      return outbox;
    },
    outboxIfOpen: () => (closed ? null : outbox),
    get closed() {
      return closed;
    },
    close() {
      closed = true;
      outbox?.close();
      inventory?.close();
    },
  };
}
