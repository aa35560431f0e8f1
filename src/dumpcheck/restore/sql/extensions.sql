-- Installed extensions, minus the ones initdb creates (plpgsql): pg_dump skips extensions
-- whose oid is below FirstNormalObjectId = 16384 (src/include/access/transam.h), so they are
-- never "in the dump" and must not appear here either.
SELECT e.extname AS name
FROM pg_catalog.pg_extension e
WHERE e.oid >= 16384
ORDER BY 1
