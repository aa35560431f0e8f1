-- The columns of the tables whose rows are fingerprinted, in attnum order, and what their
-- text form depends on besides the value: the types each column's type reaches through
-- domains, arrays and element types (point is float8s), ranges and composites. Built-in type
-- OIDs are fixed (pg_type.dat): 790 money, 700 real, 701 double precision, 1184 timestamptz,
-- 1266 timetz.
WITH RECURSIVE cols AS (
    SELECT a.attrelid, a.attnum, a.attname, a.atttypid, a.attgenerated <> '' AS generated
    FROM pg_attribute a
    WHERE a.attrelid = ANY (%(oids)s::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
),
reach (typ, t, depth) AS (
    SELECT DISTINCT atttypid, atttypid, 0 FROM cols
    UNION
    SELECT r.typ, x.child, r.depth + 1
    FROM reach r
    CROSS JOIN LATERAL (
        SELECT nullif(ty.typbasetype, 0) AS child FROM pg_type ty WHERE ty.oid = r.t
        UNION ALL
        SELECT nullif(ty.typelem, 0) FROM pg_type ty WHERE ty.oid = r.t
        UNION ALL
        SELECT rg.rngsubtype FROM pg_range rg WHERE rg.rngtypid = r.t OR rg.rngmultitypid = r.t
        UNION ALL
        SELECT sub.atttypid
        FROM pg_type ty
        JOIN pg_attribute sub ON sub.attrelid = ty.typrelid AND sub.attnum > 0
            AND NOT sub.attisdropped
        WHERE ty.oid = r.t AND ty.typtype = 'c'
    ) x
    WHERE x.child IS NOT NULL AND r.depth < 8
)
SELECT
    c.attrelid::oid AS oid,
    c.attname AS name,
    c.generated,
    format_type(c.atttypid, NULL) AS type,
    EXISTS (SELECT 1 FROM reach r WHERE r.typ = c.atttypid AND r.t = 790) AS money,
    EXISTS (SELECT 1 FROM reach r WHERE r.typ = c.atttypid AND r.t IN (700, 701)) AS float,
    EXISTS (SELECT 1 FROM reach r WHERE r.typ = c.atttypid AND r.t IN (1184, 1266)) AS zoned
FROM cols c
ORDER BY c.attrelid, c.attnum
