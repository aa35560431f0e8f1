// Test-only oracle: Prisma's own schema engine (wasm) turns each schema into the SQL
// `prisma migrate diff --from-empty --to-schema --script` prints. Reads a JSON list of
// {name, files: [[path, text], ...]} on stdin, writes {name: {sql} | {error}} on stdout.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkgDir = path.join(here, 'node_modules', '@prisma', 'schema-engine-wasm');
const bg = await import(path.join(pkgDir, 'schema_engine_bg.js'));
const bytes = readFileSync(path.join(pkgDir, 'schema_engine_bg.wasm'));
const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bg });
bg.__wbg_set_wasm(instance.exports);
// A panic in the engine (a Rust panic aborts the wasm instance for good) is reported through
// this registry: the schema gets the panic as its error and the run stops there; the caller
// runs the schemas not answered yet in a new process (oracle.py engine_sql).
let panic = null;
globalThis.PRISMA_WASM_PANIC_REGISTRY = { set_message: (message) => { panic = message; } };
// The trap after a panic surfaces outside the awaited call (in a callback of the engine's
// futures): it fails the schema in flight instead of the process.
let failInFlight = null;
process.on('uncaughtException', (e) => {
  if (failInFlight === null) throw e;
  failInFlight(e);
});
function guarded(work) {
  return new Promise((resolve, reject) => {
    failInFlight = reject;
    work().then(resolve, reject);
  }).finally(() => { failInFlight = null; });
}

const trace = process.env.ORACLE_TRACE === '1';
// A connection that answers every call with {ok: true, value}: for a diff from empty the
// engine only asks whether the schema exists and for the server version.
const resultSet = { columnNames: [], columnTypes: [], rows: [] };
function makeConn() {
  return new Proxy({}, {
    get(_t, prop) {
      if (prop === 'then') return undefined;
      if (prop === 'provider') return 'postgres';
      if (prop === 'adapterName') return '@prisma/adapter-pg';
      return async (...args) => {
        if (trace) process.stderr.write(`conn.${String(prop)} ${JSON.stringify(args).slice(0, 300)}\n`);
        if (prop === 'queryRaw') {
          const sql = args[0]?.sql ?? '';
          // The schema exists; the server is PostgreSQL 16 (column types: Boolean, Text, Int32).
          if (sql.includes('pg_namespace') && sql.includes('version()')) {
            return { ok: true, value: {
              columnNames: ['exists', 'version', 'numeric_version'],
              columnTypes: [5, 7, 0],
              rows: [[true, 'PostgreSQL 16.0', 160000]],
            } };
          }
          return { ok: true, value: resultSet };
        }
        if (prop === 'executeRaw' || prop === 'executeScript') return { ok: true, value: 0 };
        if (prop === 'startTransaction') return { ok: true, value: makeConn() };
        return { ok: true, value: undefined };
      };
    },
  });
}
const factory = {
  provider: 'postgres',
  adapterName: '@prisma/adapter-pg',
  connect: async () => ({ ok: true, value: makeConn() }),
  connectToShadowDb: async () => ({ ok: true, value: makeConn() }),
};

const input = JSON.parse(readFileSync(0, 'utf8'));
const out = {};
for (const item of input) {
  try {
    await guarded(async () => {
      const engine = await bg.SchemaEngine.new({ datamodels: item.files }, () => {}, factory);
      const res = await engine.diff({
        from: { tag: 'empty' },
        to: { tag: 'schemaDatamodel', files: item.files.map(([p, c]) => ({ path: p, content: c })) },
        script: true,
        exitCode: false, // the engine wants a boolean here, null is rejected
        filters: { externalTables: [], externalEnums: [] },
      });
      out[item.name] = { sql: res.stdout };
      engine.free();
    });
  } catch (e) {
    if (panic !== null) {
      out[item.name] = { error: `the schema engine panicked: ${panic}` };
      break;
    } else {
      out[item.name] = { error: String(e && e.message ? e.message : e) };
    }
  }
}
process.stdout.write(JSON.stringify(out));
