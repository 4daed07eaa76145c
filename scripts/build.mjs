/**
 * The bundle step of `npm run build` (after tsc has type-checked and emitted dist/):
 * 1. esbuild bundles the CLI into one CommonJS file, dist/bundle/wharf.cjs (and each helper
 *    program, the container monitor, the port proxy and the confined file worker, into its own). One file, not
 *    ES-module chunks: node's ES-module loader (URL handling, resolution, linking) cost more
 *    than the modules themselves; command groups stay lazy, because esbuild initialises a
 *    dynamically imported module only when the import runs. Pure-JS dependencies are bundled
 *    in (better-sqlite3's too, whose addon src/metadata/db.ts locates); native addons
 *    (node-pty, xattr) and `bindings` are required from node_modules, the addons only when
 *    first called, as are the AWS SDK and pg (only a registry on S3/PostgreSQL loads them).
 * 2. A training run of bin/wharf writes the V8 code cache, dist/bundle/wharf.cjs.KEY.cache,
 *    after running the common commands against a throw-away data root (see bin/wharf for
 *    how the cache is validated). If training fails, the build still succeeds: the launcher
 *    runs without a cache and writes one itself.
 * Run: node scripts/build.mjs
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const repo = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(repo, 'dist', 'bundle');
const outfile = join(outdir, 'wharf.cjs');

/**
 * Native addons whose loading is deferred to their first call: @napi-rs/xattr's loader
 * probes the libc flavour and candidate packages (~4 ms), and it is imported by code that
 * most commands load but few call. The import becomes a module of forwarding functions,
 * made from the addon's real exports (only functions: importing anything else fails the
 * build, so a misuse cannot slip through).
 */
// node-pty too: `wharf serve` supervises TTY containers and `exec -t` in its own process,
// where the bundle runs in a vm.Script that has no dynamic import() of external modules.
const LAZY_ADDONS = ['@napi-rs/xattr', 'node-pty'];
const requireHere = createRequire(import.meta.url);
const lazyAddons = {
  name: 'lazy-addons',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_ADDONS.map((m) => m.replace(/[/.]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) => (args.namespace === 'lazy-addon' ? { path: args.path, external: true } : { path: args.path, namespace: 'lazy-addon' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-addon' }, (args) => {
      const names = Object.keys(requireHere(args.path)).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && typeof requireHere(args.path)[k] === 'function');
      const lines = [`let m;`, `const load = () => (m ??= require(${JSON.stringify(args.path)}));`];
      for (const n of names) lines.push(`export function ${n}(...a) { return load().${n}(...a); }`);
      return { contents: lines.join('\n'), loader: 'js', resolveDir: repo };
    });
  },
};

/** The bundles: the CLI, and the helpers src/container/runtime/helper-process.ts looks for. */
const bundles = [
  ['cli/main', 'wharf.cjs'],
  ['container/runtime/monitor-main', 'wharf-monitor.cjs'],
  ['container/runtime/network/proxy-main', 'wharf-proxy.cjs'],
  ['archive/confined-main', 'wharf-fs.cjs'],
];
const result = await build({
  plugins: [lazyAddons],
  write: false,
  entryPoints: bundles.map(([rel, file]) => ({ in: join(repo, 'src', `${rel}.ts`), out: file.replace(/\.cjs$/, '') })),
  outdir,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Native addons and what locates them stay in node_modules (node-pty through lazy-addons),
  // and so do the registry's S3 and PostgreSQL clients (large, loaded only when configured).
  external: ['bindings', '@aws-sdk/*', 'pg'],
  // CommonJS has no import.meta: give import.meta.url and import.meta.resolve their meaning
  // back (helpers locate dist/ and node_modules from them).
  define: { 'import.meta.url': '__wharf_import_meta_url', 'import.meta.resolve': '__wharf_import_meta_resolve' },
  banner: {
    js: [
      "'use strict';",
      "var __wharf_import_meta_url = require('node:url').pathToFileURL(__filename).href;",
      "var __wharf_import_meta_resolve = (s) => require('node:url').pathToFileURL(require.resolve(s)).href;",
    ].join('\n'),
  },
  logLevel: 'warning',
});
const wanted = bundles.map(([, file]) => join(outdir, file)).sort();
const got = result.outputFiles.map((f) => f.path).sort();
if (got.join() !== wanted.join()) throw new Error(`esbuild wrote ${got}, not ${wanted}`);
// Other wharf processes may be running: replace each bundle atomically, never leave one
// missing. The old cache names the old bundle's hash, so nobody uses it meanwhile.
mkdirSync(outdir, { recursive: true });
for (const f of result.outputFiles) {
  if (f.text.includes('import.meta')) throw new Error(`${f.path}: import.meta left in a CommonJS bundle`);
  writeFileSync(`${f.path}.${process.pid}.tmp`, f.contents);
  renameSync(`${f.path}.${process.pid}.tmp`, f.path);
}
// Leftovers of earlier layouts (the split ES-module chunks) and the old bundle's caches.
for (const f of readdirSync(outdir)) if (/\.(mjs|map|cache|tmp)$/.test(f)) rmSync(join(outdir, f), { force: true });

// Train the code cache: the commands whose start-up matters most, in one process.
const root = mkdtempSync(join(tmpdir(), 'wharf-build-'));
try {
  const r = ['images', 'ps -a', 'image inspect none:none', 'inspect none', 'version', 'volume ls'];
  const runs = r.map((c) => ['--root', root, ...c.split(' ')]);
  const t = spawnSync(join(repo, 'bin', 'wharf'), [], {
    env: { ...process.env, WHARF_TRAIN_CODE_CACHE: JSON.stringify(runs) },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  const made = readdirSync(outdir).some((f) => f.endsWith('.cache') && statSync(join(outdir, f)).size > 0);
  if (t.status !== 0 || !made) {
    process.stderr.write(`warning: no V8 code cache was made (exit ${t.status}); wharf still runs, only slower to start\n${t.stderr}`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
