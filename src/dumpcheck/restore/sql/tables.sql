-- Every user relation that holds rows or looks like a table to an application.
-- relkind (src/include/catalog/pg_class.h): r table, p partitioned table, v view,
-- m materialized view, f foreign table. Sequences, indexes and composite types are not tables.
-- Members of an extension (pg_depend deptype 'e', e.g. postgis' spatial_ref_sys) are excluded:
-- pg_dump never emits their CREATE TABLE (src/bin/pg_dump/pg_dump.c, checkExtensionMembership).
SELECT c.oid,
       n.nspname AS schema,
       c.relname AS name,
       c.relkind::text AS relkind,
       c.relispartition AS is_partition,
       c.relispopulated AS is_populated
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
  AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend d
      WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname, c.relname
