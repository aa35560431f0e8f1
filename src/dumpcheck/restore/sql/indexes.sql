-- Indexes that do not implement a constraint (PK, UNIQUE and EXCLUDE constraints own theirs,
-- pg_constraint.conindid), one row per key column (INCLUDE columns are not keys:
-- only the first indnkeyatts entries of indkey are).
-- pg_get_indexdef(oid, k, false) prints key k without its ordering options (ruleutils.c,
-- attrsOnly), and not pretty-printed: lower((title)::text), exactly the text of pg_dump's
-- pg_get_indexdef(oid) (pretty mode would print lower(title::text)). So DESC / NULLS and a non-default operator class are added here from
-- indoption (INDOPTION_DESC = 1, INDOPTION_NULLS_FIRST = 2, src/include/catalog/pg_index.h)
-- and indclass. A plain column key (indkey <> 0) is its bare attname; 0 marks an expression.
-- Run with search_path = '' so that names in expressions are qualified as in pg_dump output.
SELECT i.indrelid AS oid,
       ic.relname AS name,
       i.indisunique AS is_unique,
       am.amname AS method,
       pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate,
       COALESCE((pg_catalog.to_jsonb(i) ->> 'indnullsnotdistinct')::boolean, false)
           AS nulls_not_distinct,
       -- INCLUDE columns: the entries of indkey past indnkeyatts.
       ARRAY(SELECT ia2.attname FROM generate_series(i.indnkeyatts + 1, i.indnatts) g(n)
             JOIN pg_catalog.pg_attribute ia2
               ON ia2.attrelid = i.indrelid AND ia2.attnum = i.indkey[g.n - 1]
             ORDER BY g.n) AS include,
       k.n AS keyno,
       a.attname AS column_name,
       pg_catalog.pg_get_indexdef(i.indexrelid, k.n::int, false) AS key_text,
       CASE WHEN opc.opcdefault THEN NULL ELSE opc.opcname END AS opclass,
       -- ruleutils.c prints COLLATE for a key whose collation is not its column's, the name
       -- qualified unless it is in pg_catalog (the only visible schema under search_path '').
       -- Expression keys are left without: their collation is not readable from SQL.
       CASE WHEN i.indcollation[k.n - 1] <> 0 AND a.attnum IS NOT NULL
                 AND i.indcollation[k.n - 1] <> a.attcollation
            THEN CASE WHEN colln.nspname = 'pg_catalog' THEN pg_catalog.quote_ident(coll.collname)
                      ELSE pg_catalog.quote_ident(colln.nspname) || '.'
                           || pg_catalog.quote_ident(coll.collname) END
       END AS collation,
       -- Operator class options ("siglen=32") are the index attribute's attoptions.
       ia.attoptions AS opclass_options,
       (i.indoption[k.n - 1] & 1) = 1 AS descending,
       (i.indoption[k.n - 1] & 2) = 2 AS nulls_first
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
CROSS JOIN LATERAL generate_series(1, i.indnkeyatts) AS k(n)
LEFT JOIN pg_catalog.pg_attribute a
       ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.n - 1] AND i.indkey[k.n - 1] <> 0
LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = i.indclass[k.n - 1]
LEFT JOIN pg_catalog.pg_collation coll ON coll.oid = i.indcollation[k.n - 1]
LEFT JOIN pg_catalog.pg_namespace colln ON colln.oid = coll.collnamespace
LEFT JOIN pg_catalog.pg_attribute ia ON ia.attrelid = i.indexrelid AND ia.attnum = k.n
WHERE c.relkind IN ('r', 'p', 'm')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con
                  WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))
  AND NOT ic.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
ORDER BY i.indrelid, ic.relname, k.n
