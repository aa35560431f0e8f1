-- Column default and generation expressions, as pg_get_expr() prints them.
-- Run with search_path = '' (as pg_dump does): ruleutils.c qualifies every name that is not
-- visible, so defaults read nextval('public.products_id_seq'::regclass), 'draft'::public."Status",
-- exactly the text pg_dump writes.
-- A GENERATED column keeps its expression in pg_attrdef too (attgenerated <> '').
SELECT d.adrelid AS oid,
       a.attname AS name,
       pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS expr
FROM pg_catalog.pg_attrdef d
JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
JOIN pg_catalog.pg_class c ON c.oid = d.adrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT a.attisdropped
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
