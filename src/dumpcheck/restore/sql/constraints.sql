-- Primary key, unique, foreign key, check and exclusion constraints (contype p, u, f, c, x).
-- PG 18's catalogued NOT NULL constraints (n) are not modelled: nullability is read from
-- attnotnull in columns.sql.
-- Column lists come from conkey/confkey, in constraint order (unnest WITH ORDINALITY).
-- confupdtype/confdeltype letters (src/include/catalog/pg_constraint.h):
-- a NO ACTION, r RESTRICT, c CASCADE, n SET NULL, d SET DEFAULT.
-- indnullsnotdistinct exists from PG 15 only; reading it through to_jsonb keeps this query
-- valid on an older --scratch-dsn server (it is then simply absent, i.e. false).
-- Run with search_path = '' so that names in expressions are qualified as in pg_dump output.
SELECT con.conrelid AS oid,
       con.conname AS name,
       con.contype::text AS contype,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.ord) AS columns,
       rn.nspname AS ref_schema,
       rc.relname AS ref_table,
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
             ORDER BY k.ord) AS ref_columns,
       con.confdeltype::text AS on_delete,
       con.confupdtype::text AS on_update,
       pg_catalog.pg_get_constraintdef(con.oid) AS definition,
       COALESCE((pg_catalog.to_jsonb(i) ->> 'indnullsnotdistinct')::boolean, false)
           AS nulls_not_distinct,
       -- A UNIQUE constraint's INCLUDE columns: its index's indkey past indnkeyatts.
       ARRAY(SELECT a.attname FROM generate_series(i.indnkeyatts + 1, i.indnatts) g(n)
             JOIN pg_catalog.pg_attribute a
               ON a.attrelid = i.indrelid AND a.attnum = i.indkey[g.n - 1]
             ORDER BY g.n) AS include
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = con.conindid AND con.contype IN ('p', 'u')
WHERE con.contype IN ('p', 'u', 'f', 'c', 'x')
  -- Only constraints declared on the table itself: a partition's copies of its parent's
  -- PK / UNIQUE / FK and inherited CHECKs have conislocal = false, and pg_dump declares them
  -- once, on the parent (so the dump's catalog has them there only, too).
  AND con.conislocal
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
ORDER BY con.conrelid, con.conname
