// Test-only: the `prisma` command line for `migrate diff --from-empty --to-schema PATH --script`,
// answered by Prisma's own schema engine (the pinned wasm build; the npm `prisma` package would
// download a native engine, which this offline machine cannot). Installed as a project's
// node_modules/.bin/prisma by tests/e2e/test_expect_check.py.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const want = ['migrate', 'diff', '--from-empty', '--to-schema'];
if (!want.every((a) => args.includes(a)) || !args.includes('--script')) {
  process.stderr.write(`unsupported: prisma ${args.join(' ')}\n`);
  process.exit(1);
}
const target = path.resolve(args[args.indexOf('--to-schema') + 1]);
const files = [];
const walk = (p) => {
  if (statSync(p).isDirectory()) {
    for (const e of readdirSync(p).sort()) if (e !== 'node_modules' && e !== 'migrations') walk(path.join(p, e));
  } else if (p.endsWith('.prisma')) files.push([path.relative(process.cwd(), p), readFileSync(p, 'utf8')]);
};
walk(target);

const pkgDir = path.join(here, 'node_modules', '@prisma', 'schema-engine-wasm');
const bg = await import(path.join(pkgDir, 'schema_engine_bg.js'));
const { instance } = await WebAssembly.instantiate(readFileSync(path.join(pkgDir, 'schema_engine_bg.wasm')), {
  './schema_engine_bg.js': bg,
});
bg.__wbg_set_wasm(instance.exports);
// A diff from empty asks the connection only whether the schema exists and for the version.
const empty = { columnNames: [], columnTypes: [], rows: [] };
const conn = () => new Proxy({}, {
  get(_t, prop) {
    if (prop === 'then') return undefined;
    if (prop === 'provider') return 'postgres';
    if (prop === 'adapterName') return '@prisma/adapter-pg';
    return async (q) => {
      if (prop === 'queryRaw' && (q?.sql ?? '').includes('version()')) {
        return { ok: true, value: { columnNames: ['exists', 'version', 'numeric_version'], columnTypes: [5, 7, 0], rows: [[true, 'PostgreSQL 16.0', 160000]] } };
      }
      if (prop === 'queryRaw') return { ok: true, value: empty };
      if (prop === 'startTransaction') return { ok: true, value: conn() };
      return { ok: true, value: prop === 'executeRaw' ? 0 : undefined };
    };
  },
});
const factory = { provider: 'postgres', adapterName: '@prisma/adapter-pg', connect: async () => ({ ok: true, value: conn() }), connectToShadowDb: async () => ({ ok: true, value: conn() }) };
try {
  const engine = await bg.SchemaEngine.new({ datamodels: files }, () => {}, factory);
  const res = await engine.diff({
    from: { tag: 'empty' },
    to: { tag: 'schemaDatamodel', files: files.map(([p, c]) => ({ path: p, content: c })) },
    script: true,
    exitCode: false,
    filters: { externalTables: [], externalEnums: [] },
  });
  process.stdout.write(res.stdout);
} catch (e) {
  process.stderr.write(`${e?.message ?? e}\n`);
  process.exit(1);
}
