-- Changes to the database Prisma's engine built from schema.prisma (native types, list
-- defaults, Unsupported, identifiers past 63 bytes); see ../cases.sql.

-- case: arr_default_spelled
ALTER TABLE "TypeZoo" ALTER COLUMN arr SET DEFAULT '{1.50,2.0}'::double precision[];

-- case: big_identity
ALTER TABLE "TypeZoo" ALTER COLUMN big DROP DEFAULT; DROP SEQUENCE "TypeZoo_big_seq"; ALTER TABLE "TypeZoo" ALTER COLUMN big ADD GENERATED ALWAYS AS IDENTITY;

-- case: bools_default_spelled
ALTER TABLE "TypeZoo" ALTER COLUMN bools SET DEFAULT '{t,f}'::boolean[];

-- case: ch_default_spelled
ALTER TABLE "TypeZoo" ALTER COLUMN ch SET DEFAULT 'ab'::bpchar;

-- case: dec_default_spelled
ALTER TABLE "TypeZoo" ALTER COLUMN dec SET DEFAULT 1.1;

-- case: ip_default_spelled
ALTER TABLE "TypeZoo" ALTER COLUMN ip SET DEFAULT '127.0.0.1/32'::inet;

-- case: long_index_renamed
DO $$DECLARE n text; BEGIN SELECT indexname INTO n FROM pg_indexes WHERE tablename LIKE 'AVery%' AND indexdef NOT LIKE '%UNIQUE%'; EXECUTE format('ALTER INDEX %I RENAME TO short_idx', n); END$$;

-- case: none

-- case: re_default_spelled
ALTER TABLE "TypeZoo" ALTER COLUMN re SET DEFAULT '1.250'::real;

-- case: t3_current_time
ALTER TABLE "TypeZoo" ALTER COLUMN t3 SET DEFAULT CURRENT_TIME;

-- case: later_other_interval
ALTER TABLE "TypeZoo" ALTER COLUMN later SET DEFAULT (now() + '00:30:00'::interval);

-- case: later_set_again_as_the_schema_writes_it
ALTER TABLE "TypeZoo" ALTER COLUMN later SET DEFAULT (NOW() + '00:20:00'::interval);
