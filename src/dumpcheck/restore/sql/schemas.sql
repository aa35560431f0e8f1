-- User schemas: everything but the system ones (pg_catalog, information_schema, pg_toast and
-- the per-backend pg_temp_N / pg_toast_temp_N schemas, which pg_dump never dumps either).
SELECT n.nspname AS schema
FROM pg_catalog.pg_namespace n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
ORDER BY 1
