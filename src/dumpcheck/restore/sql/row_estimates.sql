-- Row estimates for `inspect --estimate-rows`: pg_class.reltuples as VACUUM/ANALYZE left it.
-- reltuples is -1 for a table never vacuumed or analyzed (PostgreSQL 14+); before 14 it is 0
-- with relpages 0, indistinguishable there from an empty table: unknown (NULL) as well.
-- A partitioned table holds no rows itself: the sum over its leaf partitions, found through
-- pg_inherits recursively (pg_partition_tree is PostgreSQL 12+ only).
WITH RECURSIVE known AS (
    SELECT c.oid, c.relkind,
           CASE WHEN c.reltuples < 0 THEN NULL
                WHEN c.reltuples = 0 AND c.relpages = 0
                     AND current_setting('server_version_num')::int < 140000 THEN NULL
                ELSE c.reltuples::bigint END AS n
    FROM pg_catalog.pg_class c
    WHERE c.relkind IN ('r', 'p', 'm')
), tree AS (
    SELECT k.oid AS root, k.oid AS member FROM known k WHERE k.relkind = 'p'
    UNION ALL
    SELECT t.root, i.inhrelid FROM tree t JOIN pg_catalog.pg_inherits i ON i.inhparent = t.member
)
SELECT k.oid, k.n FROM known k WHERE k.relkind <> 'p'
UNION ALL
SELECT t.root, sum(k.n)::bigint FROM tree t JOIN known k ON k.oid = t.member
WHERE k.relkind <> 'p' GROUP BY t.root
