import type { ReportOverrides } from '../report/config.ts';

/** The `camsweep sweep` flags that concern reporting. */
export interface ReportCliFlags {
  reportTo?: string;
  reportToken?: string;
  reportTokenFile?: string;
}

/**
 * The command-line flags as overrides of the file's report settings. Apart from
 * after-sweep.ts, so that checking them before a sweep loads none of the inventory and outbox
 * code (node:sqlite, the report transport) the sweep needs only after it.
 */
export function reportOverrides(flags: ReportCliFlags): ReportOverrides {
  const overrides: ReportOverrides = {};
  if (flags.reportTo !== undefined) overrides.endpoint = flags.reportTo;
  if (flags.reportToken !== undefined) overrides.token = flags.reportToken;
  if (flags.reportTokenFile !== undefined) overrides.tokenFile = flags.reportTokenFile;
  return overrides;
}
