-- Every user relation that holds rows or looks like a table to an application.
-- relkind (src/include/catalog/pg_class.h): r table, p partitioned table, v view,
-- m materialized view, f foreign table. Sequences, indexes and composite types are not tables.
-- Members of an extension (pg_depend deptype 'e', e.g. postgis' spatial_ref_sys) are excluded:
-- pg_dump never emits their CREATE TABLE (src/bin/pg_dump/pg_dump.c, checkExtensionMembership).
-- relpersistence 'u' is UNLOGGED. pg_get_partkeydef() is "RANGE (created_at)", the text pg_dump
-- writes after PARTITION BY; it is called for partitioned tables only. A partition's parent is
-- its single pg_inherits row (relispartition).
SELECT c.oid,
       n.nspname AS schema,
       c.relname AS name,
       c.relkind::text AS relkind,
       c.relispartition AS is_partition,
       c.relispopulated AS is_populated,
       c.relpersistence = 'u' AS unlogged,
       CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_key,
       pn.nspname AS parent_schema,
       pc.relname AS parent_name
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_inherits inh ON c.relispartition AND inh.inhrelid = c.oid
LEFT JOIN pg_catalog.pg_class pc ON pc.oid = inh.inhparent
LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
  AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend d
      WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname, c.relname
