-- Columns of the relations selected by tables.sql, in attnum order.
-- Run with search_path = '' (as pg_dump does), so that format_type() qualifies every type
-- outside pg_catalog: public."Role", public.citext. Dropped columns (attisdropped) and system columns (attnum <= 0)
-- are invisible to applications.
-- attidentity: 'a' GENERATED ALWAYS, 'd' BY DEFAULT; attgenerated: 's' stored, 'v' virtual (PG 18).
SELECT a.attrelid AS oid,
       a.attname AS name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       NOT a.attnotnull AS nullable,
       a.attidentity::text AS identity,
       a.attgenerated::text AS generated
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND a.attnum > 0
  AND NOT a.attisdropped
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
ORDER BY a.attrelid, a.attnum
