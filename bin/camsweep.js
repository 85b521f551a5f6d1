#!/bin/sh
':' //; exec node --max-semi-space-size=4 "$0" "$@"
// Entry point. In a checkout (src/ present), Node >= 24 runs the TypeScript sources directly
// (type stripping), so `npx camsweep` needs no build step and never runs a stale build; the
// compiled dist/ is for images and release trees, which ship without src/.
// The first two lines are for sh and for Node at once: run as a program, sh executes line 2 and
// starts Node with --max-semi-space-size=4 (a shebang line cannot portably pass a flag: `env -S`
// is not in BusyBox); Node skips line 1 and reads line 2 as a string and a comment.
// --max-semi-space-size=4 (MB): V8 otherwise lets the young generation grow to 32 MB
// semi-spaces while a large sweep allocates, ~100 MB of RSS for garbage at 1,000 devices, for
// no measurable CPU gain (docs/decisions/window.md). Run as `node bin/camsweep.js`, pass the
// flag yourself (the Dockerfile and the systemd unit do; tests/unit/deploy/node-flags.test.ts checks).
// Nothing is imported before the version check: an older Node must get this message, not a
// syntax or module error from code written for Node 24. Exit 5 ("this Node cannot run
// camsweep") is listed in the systemd unit's RestartPreventExitStatus: restarting cannot help.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `camsweep needs Node.js 24 or later (this is ${process.version}). ` +
      'In a checkout, `npm ci` installs Node 24 locally and `npx camsweep` uses it.\n',
  );
  process.exit(5);
}
// Node's compile cache (its default directory under the OS temporary directory) keeps the
// compiled code, and the type-stripped TypeScript, between runs: start-up then costs no
// stripping and no compiling (docs/decisions/startup.md; NODE_DISABLE_COMPILE_CACHE=1 turns it
// off). A cache that cannot be written is no error: the run is only slower.
// Built-in modules as CommonJS (process.getBuiltinModule): an ESM import of node:fs builds its
// namespace, whose lazy getters load fs/promises and the stream classes (docs/performance.md).
const { enableCompileCache } = process.getBuiltinModule('node:module');
enableCompileCache?.();
const { existsSync, readFileSync } = process.getBuiltinModule('node:fs');
// `camsweep --version` (or -V) alone prints package.json's version, as the CLI would, without
// loading the CLI: ~30 ms less of start-up for the command scripts and monitors call most.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  let version = '0.0.0';
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    if (typeof pkg.version === 'string') version = pkg.version;
  } catch {
    // as src/version.ts: an unreadable package.json is version 0.0.0
  }
  process.stdout.write(`${version}\n`);
} else {
  const src = new URL('../src/cli/main.ts', import.meta.url);
  const entry = existsSync(src) ? src : new URL('../dist/cli/main.js', import.meta.url);
  const { main } = await import(entry.href);
  process.exitCode = await main(args);
}
