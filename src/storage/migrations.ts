/**
 * Versioned migrations, shared by every store: each runs once, in its own transaction, and is
 * recorded in `schema_migrations (version, name, applied_at)`; a database written by a newer
 * camsweep (a version the list does not know) is refused rather than misread. Never edit a
 * released migration: add the next one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
}
