/**
 * Reporting to a central endpoint: build camsweep.report/v1 batches (pure), keep them in a
 * durable outbox (node:sqlite), deliver with retries and a dead-letter table, and a reference
 * receiver. See docs/reporting.md.
 */
export { queueSweepReport, type QueueDeps, type QueueResult } from './queue.ts';
export { deliverOutbox, type DeliveryDeps, type DeliveryStats } from './deliver.ts';
export {
  reportConfigSchema,
  resolveReportConfig,
  defaultAgentId,
  ReportConfigError,
  type ReportConfig,
  type ReportConfigFile,
  type ReportConfigInput,
  type ReportSettingsInput,
  type ReportOverrides,
} from './config.ts';
export { loadReportSettings, readReportSection } from './settings-file.ts';
export { openOutbox, outboxPath, type Outbox, type PendingReport, type DeadReport } from './outbox.ts';
export { createReportTransport, type ReportTransport, type TransportRequest, type TransportResponse } from './transport.ts';
export { buildReports, splitReport, REPORT_SCHEMA, type ReportV1, type ReportDevice } from './payload.ts';
export { Secret } from './secret.ts';
