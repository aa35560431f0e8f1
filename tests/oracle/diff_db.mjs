// Test-only oracle: Prisma's own drift, as `prisma migrate diff --from-config-datasource
// --to-schema --script` computes it: the wasm schema engine reads the live database through
// @prisma/adapter-pg and diffs it against the schema. Reads {url, schema, files: [[path, text]]}
// on stdin; writes {sql} (the migration that would bring the database to the schema) or {error}.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkgDir = path.join(here, 'node_modules', '@prisma', 'schema-engine-wasm');
const bg = await import(path.join(pkgDir, 'schema_engine_bg.js'));
const bytes = readFileSync(path.join(pkgDir, 'schema_engine_bg.wasm'));
const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bg });
bg.__wbg_set_wasm(instance.exports);

let panic = null;
globalThis.PRISMA_WASM_PANIC_REGISTRY = { set_message(m) { panic = m; } };
const fail = (e) => {
  process.stdout.write(JSON.stringify({ error: panic ? `engine panic: ${panic}` : String(e?.message ?? e) }));
  process.exit(0);
};
process.on('uncaughtException', fail);

// The adapter's 7.10 release cannot read PostgreSQL's internal one-byte "char" type, which the
// describer selects from the catalogs (pg_constraint.contype, ...): the column is read as text
// and handed to the engine as the one-character type it expects.
const CHAR_COLUMNS = /(?<![".\w])((?:\w+\.)?(?:contype|confdeltype|confupdtype|confmatchtype|relkind|relpersistence|typtype|typcategory|attidentity|attgenerated|provolatile|prokind))\b(?!\s*::)(?!")/g;
const CHARACTER = 6; // ColumnTypeEnum.Character of @prisma/driver-adapter-utils

function readable(conn) {
  return new Proxy(conn, {
    get(target, prop) {
      const value = target[prop];
      if (prop === 'queryRaw') {
        return async (query) => {
          const sql = query.sql.replace(CHAR_COLUMNS, '$1::text');
          const asText = new Set(
            [...sql.matchAll(/(?:\w+\.)?(\w+)::text(?:\s+AS\s+"?(\w+)"?)?/gi)].map((m) => m[2] ?? m[1]),
          );
          const result = await value.call(target, { ...query, sql });
          result.columnNames.forEach((name, i) => {
            if (asText.has(name)) result.columnTypes[i] = CHARACTER;
          });
          // The wasm build reads no JS null inside a row; it reads NaN as JSON null, which is
          // what SQL NULL is here.
          for (const row of result.rows) row.forEach((x, i) => { if (x === null) row[i] = NaN; });
          return result;
        };
      }
      if (prop === 'startTransaction') {
        return async (...args) => readable(await value.apply(target, args));
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const input = JSON.parse(readFileSync(0, 'utf8'));
const pg = new PrismaPg({ connectionString: input.url }, { schema: input.schema ?? 'public' });
const factory = bindMigrationAwareSqlAdapterFactory({
  provider: pg.provider,
  adapterName: pg.adapterName,
  connect: async () => readable(await pg.connect()),
  connectToShadowDb: async () => readable(await pg.connectToShadowDb()),
});
try {
  const files = input.files.map(([p, c]) => ({ path: p, content: c }));
  const engine = await bg.SchemaEngine.new({ datamodels: input.files }, () => {}, factory);
  const res = await engine.diff({
    from: { tag: 'schemaDatasource', files, configDir: here },
    to: { tag: 'schemaDatamodel', files },
    script: true,
    exitCode: false,
    filters: { externalTables: [], externalEnums: [] },
  });
  process.stdout.write(JSON.stringify({ sql: res.stdout }));
  engine.free();
} catch (e) {
  fail(e);
}
process.exit(0);
