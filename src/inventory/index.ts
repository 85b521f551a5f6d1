/** The inventory of devices across sweeps: what the daemon, the sweep command and the review commands use. */
export type { ChangeEvent, ChangeType, DeviceFilter, Inventory, InventoryDevice, SweepSummary } from './types.ts';
export { openInventory, inventoryPath, INVENTORY_FILE, DEFAULT_RETAIN_SWEEPS, DEFAULT_MAX_VERDICTS, type InventoryOptions, type InventoryStore, type SweepDiff } from './store.ts';
export { computeChanges, compareEvents, countChanges, covers, CHANGE_ORDER } from './changes.ts';
