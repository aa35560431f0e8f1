-- Domains (typtype 'd') with base type, NOT NULL, default and CHECKs, spelled as pg_dump's
-- dumpDomain writes them: format_type(typbasetype, typtypmod), pg_get_expr(typdefaultbin)
-- (pg_dump reads the same expression; typdefault is the text as typed, not canonical) and
-- pg_get_constraintdef() of each CHECK in conname order (pg_dump.c getDomainConstraints).
-- typnotnull is the NOT NULL flag on every major (PG 17+ also catalogues it as contype 'n').
-- Extension-owned domains are excluded like tables. Run with search_path = ''.
SELECT n.nspname AS schema,
       t.typname AS name,
       pg_catalog.format_type(t.typbasetype, t.typtypmod) AS base_type,
       NOT t.typnotnull AS nullable,
       pg_catalog.pg_get_expr(t.typdefaultbin, 'pg_catalog.pg_type'::pg_catalog.regclass)
           AS default_expr,
       ARRAY(SELECT pg_catalog.pg_get_constraintdef(con.oid) FROM pg_catalog.pg_constraint con
             WHERE con.contypid = t.oid AND con.contype = 'c'
             ORDER BY con.conname) AS checks
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'd'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
  AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend d
      WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid = t.oid
        AND d.deptype = 'e')
ORDER BY 1, 2
