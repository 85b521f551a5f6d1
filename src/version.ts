/**
 * The package version, read once from package.json (works from src/ and dist/). node:fs taken
 * as the CommonJS module it is: its ESM namespace reads the lazy getters that load fs/promises
 * and the stream classes, which `--help` does not need (docs/performance.md).
 */
export const VERSION: string = (() => {
  try {
    const { readFileSync } = process.getBuiltinModule('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
})();
