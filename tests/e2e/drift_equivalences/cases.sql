-- Changes a hand-written migration, a DBA or a restore may make to the database Prisma's
-- engine built from schema.prisma. Each case runs on a fresh copy of that database; the
-- tables dumpcheck calls drift must be the tables `prisma migrate diff` would change
-- (tests/e2e/test_drift_equivalences.py). `none` is the no-false-positive twin of them all.

-- case: active_false
ALTER TABLE users ALTER COLUMN active SET DEFAULT false;

-- case: active_t
ALTER TABLE users ALTER COLUMN active SET DEFAULT 't';

-- case: array_dims
ALTER TABLE users ALTER COLUMN tags TYPE text[][];

-- case: big_cast
ALTER TABLE users ALTER COLUMN big SET DEFAULT '0'::bigint;

-- case: bio_default_cast
ALTER TABLE "Profile" ALTER COLUMN bio SET DEFAULT ''::text;

-- case: bio_default_dropped
ALTER TABLE "Profile" ALTER COLUMN bio DROP DEFAULT;

-- case: bio_default_varchar_cast
ALTER TABLE "Profile" ALTER COLUMN bio SET DEFAULT ''::character varying;

-- case: bytes_default
ALTER TABLE users ALTER COLUMN bytes SET DEFAULT '\x00';

-- case: char_type
ALTER TABLE "Post" ALTER COLUMN body TYPE char(10);

-- case: check_constraint
ALTER TABLE users ADD CONSTRAINT score_pos CHECK (score >= 0);

-- case: citext_like
ALTER TABLE "Post" ALTER COLUMN title TYPE varchar(10000);

-- case: collate_index
DROP INDEX "users_name_createdAt_idx";
CREATE INDEX "users_name_createdAt_idx" ON users(name COLLATE "C", "createdAt" DESC);

-- case: column_collation
ALTER TABLE "Post" ALTER COLUMN title TYPE text COLLATE "C";

-- case: column_order
ALTER TABLE users DROP COLUMN name;
ALTER TABLE users ADD COLUMN name text;
CREATE INDEX "users_name_createdAt_idx" ON users(name, "createdAt" DESC);

-- case: column_renamed
ALTER TABLE "Category" RENAME COLUMN name TO title;

-- case: comments
COMMENT ON TABLE users IS 'x';
COMMENT ON COLUMN users.name IS 'y';

-- case: composite_pk_order
ALTER TABLE "Composite" DROP CONSTRAINT "Composite_pkey";
ALTER TABLE "Composite" ADD CONSTRAINT "Composite_pkey" PRIMARY KEY (b, a);

-- case: created_clock
ALTER TABLE users ALTER COLUMN "createdAt" SET DEFAULT clock_timestamp();

-- case: created_ct3
ALTER TABLE users ALTER COLUMN "createdAt" SET DEFAULT CURRENT_TIMESTAMP(3);

-- case: created_current_timestamp
ALTER TABLE users ALTER COLUMN "createdAt" SET DEFAULT CURRENT_TIMESTAMP;

-- case: created_localtimestamp
ALTER TABLE users ALTER COLUMN "createdAt" SET DEFAULT LOCALTIMESTAMP;

-- case: created_now
ALTER TABLE users ALTER COLUMN "createdAt" SET DEFAULT now();

-- case: created_now_cast
ALTER TABLE users ALTER COLUMN "createdAt" SET DEFAULT now()::timestamp(3);

-- case: created_transaction
ALTER TABLE users ALTER COLUMN "createdAt" SET DEFAULT transaction_timestamp();

-- case: created_ts6
ALTER TABLE users ALTER COLUMN "createdAt" TYPE timestamp(6);

-- case: created_tstz3
ALTER TABLE users ALTER COLUMN "createdAt" TYPE timestamptz(3);

-- case: data_default
ALTER TABLE users ALTER COLUMN data SET DEFAULT '{}';

-- case: decimal_12
ALTER TABLE users ALTER COLUMN score TYPE numeric(12,2);

-- case: desc_to_asc
DROP INDEX "users_name_createdAt_idx";
CREATE INDEX "users_name_createdAt_idx" ON users(name, "createdAt");

-- case: domain_type
CREATE DOMAIN d AS text;
ALTER TABLE "Post" ALTER COLUMN body TYPE d;

-- case: enum_value_added
ALTER TYPE role ADD VALUE 'GUEST';

-- case: enum_value_renamed
ALTER TYPE role RENAME VALUE 'admin' TO 'ADMIN';

-- case: expression_index
CREATE INDEX users_lower_email ON users (lower(email));

-- case: extra_column
ALTER TABLE "Category" ADD COLUMN extra int;

-- case: extra_enum
CREATE TYPE mood AS ENUM ('a');

-- case: extra_extension
CREATE EXTENSION pg_trgm;

-- case: extra_foreign_table
CREATE EXTENSION postgres_fdw;
CREATE SERVER elsewhere FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname 'elsewhere');
CREATE FOREIGN TABLE remote_users (id int) SERVER elsewhere;

-- case: extra_postgis_tables
CREATE TABLE spatial_ref_sys (srid integer PRIMARY KEY, auth_name varchar(256));
CREATE TABLE "Geometry_Columns" (f_table_name text);

-- case: extra_function
CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $$SELECT 1$$;

-- case: extra_index
CREATE INDEX post_author_idx ON "Post"("authorId");

-- case: extra_matview
CREATE MATERIALIZED VIEW mv AS SELECT id FROM users;

-- case: extra_schema_table
CREATE SCHEMA other;
CREATE TABLE other.t (id int);

-- case: extra_sequence
CREATE SEQUENCE lonely;

-- case: extra_table
CREATE TABLE extra (id int PRIMARY KEY);

-- case: extra_view
CREATE VIEW v AS SELECT id FROM users;

-- case: fk_deferrable
ALTER TABLE "Post" ALTER CONSTRAINT "Post_authorId_fkey" DEFERRABLE INITIALLY DEFERRED;

-- case: fk_dropped
ALTER TABLE "Profile" DROP CONSTRAINT "Profile_userId_fkey";

-- case: fk_extra
ALTER TABLE "Profile" ADD CONSTRAINT extra_fk FOREIGN KEY ("userId") REFERENCES users(id);

-- case: fk_match_full
ALTER TABLE "Profile" DROP CONSTRAINT "Profile_userId_fkey";
ALTER TABLE "Profile" ADD CONSTRAINT "Profile_userId_fkey" FOREIGN KEY ("userId") REFERENCES users(id) MATCH FULL ON DELETE RESTRICT ON UPDATE CASCADE;

-- case: fk_no_on_update
ALTER TABLE "Post" DROP CONSTRAINT "Post_authorId_fkey";
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES users(id) ON DELETE CASCADE;

-- case: fk_not_valid
ALTER TABLE "Post" DROP CONSTRAINT "Post_authorId_fkey";
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES users(id) ON DELETE CASCADE ON UPDATE CASCADE NOT VALID;

-- case: fk_renamed
ALTER TABLE "Post" RENAME CONSTRAINT "Post_authorId_fkey" TO post_author_fk;

-- case: fk_restrict_vs_noaction
ALTER TABLE "Profile" DROP CONSTRAINT "Profile_userId_fkey";
ALTER TABLE "Profile" ADD CONSTRAINT "Profile_userId_fkey" FOREIGN KEY ("userId") REFERENCES users(id) ON DELETE NO ACTION ON UPDATE CASCADE;

-- case: fk_set_null
ALTER TABLE "Post" DROP CONSTRAINT "Post_authorId_fkey";
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES users(id) ON DELETE SET NULL ON UPDATE CASCADE;

-- case: gen_default_changed
ALTER TABLE users ALTER COLUMN gen SET DEFAULT md5(random()::text)::uuid;

-- case: gen_default_dropped
ALTER TABLE users ALTER COLUMN gen DROP DEFAULT;

-- case: generated_column
ALTER TABLE "Category" ADD COLUMN up text GENERATED ALWAYS AS (upper(name)) STORED;

-- case: hash_to_btree
DROP INDEX "Post_title_idx";
CREATE INDEX "Post_title_idx" ON "Post"(title);

-- case: identity
ALTER TABLE "Category" ALTER COLUMN id DROP DEFAULT;
DROP SEQUENCE "Category_id_seq";
ALTER TABLE "Category" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;

-- case: identity_always
ALTER TABLE "Category" ALTER COLUMN id DROP DEFAULT;
DROP SEQUENCE "Category_id_seq";
ALTER TABLE "Category" ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;

-- case: index_columns_swapped
DROP INDEX "Post_authorId_title_key";
CREATE UNIQUE INDEX "Post_authorId_title_key" ON "Post"(title, "authorId");

-- case: index_renamed_fk_index
ALTER INDEX "Post_authorId_title_key" RENAME TO pat;

-- case: int_to_bigint
ALTER TABLE "Post" ALTER COLUMN "authorId" TYPE bigint;

-- case: join_fk_no_cascade
ALTER TABLE "_CategoryToPost" DROP CONSTRAINT "_CategoryToPost_A_fkey";
ALTER TABLE "_CategoryToPost" ADD CONSTRAINT "_CategoryToPost_A_fkey" FOREIGN KEY ("A") REFERENCES "Category"(id) ON DELETE CASCADE;

-- case: join_table_extra_idx
CREATE INDEX jx ON "_CategoryToPost"("A");

-- case: join_table_pk
ALTER TABLE "_CategoryToPost" DROP CONSTRAINT "_CategoryToPost_AB_pkey";
CREATE UNIQUE INDEX "_CategoryToPost_AB_unique" ON "_CategoryToPost"("A", "B");

-- case: json_not_jsonb
ALTER TABLE users ALTER COLUMN data TYPE json;

-- case: name_default
ALTER TABLE users ALTER COLUMN name SET DEFAULT 'x';

-- case: name_not_null
UPDATE users SET name = '';
ALTER TABLE users ALTER COLUMN name SET NOT NULL;

-- case: none

-- case: nulls_first
DROP INDEX "users_name_createdAt_idx";
CREATE INDEX "users_name_createdAt_idx" ON users(name, "createdAt" DESC NULLS LAST);

-- case: opclass
DROP INDEX "users_name_createdAt_idx";
CREATE INDEX "users_name_createdAt_idx" ON users(name text_pattern_ops, "createdAt" DESC);

-- case: partial_extra_index
CREATE INDEX users_active ON users (id) WHERE active;

-- case: pk_dropped
ALTER TABLE "Composite" DROP CONSTRAINT "Composite_pkey";

-- case: pk_renamed
ALTER TABLE "Category" RENAME CONSTRAINT "Category_pkey" TO category_pk;

-- case: ratio_050
ALTER TABLE users ALTER COLUMN ratio SET DEFAULT 0.50;

-- case: ratio_cast
ALTER TABLE users ALTER COLUMN ratio SET DEFAULT '0.5'::double precision;

-- case: renamed_index
ALTER INDEX users_email_key RENAME TO users_email_uq;

-- case: role_default_admin
ALTER TABLE users ALTER COLUMN role SET DEFAULT 'admin';

-- case: role_default_cast
ALTER TABLE users ALTER COLUMN role SET DEFAULT 'USER'::role;

-- case: score_150
ALTER TABLE users ALTER COLUMN score SET DEFAULT 1.50;

-- case: score_str
ALTER TABLE users ALTER COLUMN score SET DEFAULT '1.5'::numeric;

-- case: sequence_int8
ALTER TABLE "Category" ALTER COLUMN id SET DEFAULT nextval('"Category_id_seq"');

-- case: sequence_renamed
ALTER SEQUENCE "Category_id_seq" RENAME TO cat_seq;

-- case: small_cast
ALTER TABLE users ALTER COLUMN small SET DEFAULT '0'::smallint;

-- case: smallint_to_int
ALTER TABLE users ALTER COLUMN small TYPE int;

-- case: table_renamed
ALTER TABLE "Composite" RENAME TO composite2;

-- case: tags_default_array
ALTER TABLE users ALTER COLUMN tags SET DEFAULT ARRAY['a', 'b']::text[];

-- case: tags_default_dropped
ALTER TABLE users ALTER COLUMN tags DROP DEFAULT;

-- case: tags_default_order
ALTER TABLE users ALTER COLUMN tags SET DEFAULT ARRAY['b', 'a'];

-- case: text_to_varchar
ALTER TABLE "Post" ALTER COLUMN body TYPE varchar;

-- case: title_nullable
ALTER TABLE "Post" ALTER COLUMN title DROP NOT NULL;

-- case: trigger
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$; CREATE TRIGGER t BEFORE INSERT ON "Post" FOR EACH ROW EXECUTE FUNCTION f();

-- case: ts_default_string
ALTER TABLE users ALTER COLUMN "createdAt" SET DEFAULT '2020-01-01 00:00:00';

-- case: uid_default_set
ALTER TABLE users ALTER COLUMN uid SET DEFAULT gen_random_uuid();

-- case: unique_as_constraint
DROP INDEX users_email_key;
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);

-- case: unique_dropped
DROP INDEX users_email_key;

-- case: unique_include
DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_email_key ON users(email) INCLUDE (name);

-- case: unique_nulls_not_distinct
DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_email_key ON users(email) NULLS NOT DISTINCT;

-- case: unique_partial
DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_email_key ON users(email) WHERE active;

-- case: unique_plain
DROP INDEX users_email_key;
CREATE INDEX users_email_key ON users(email);

-- case: unlogged
ALTER TABLE "Composite" SET UNLOGGED;

-- case: updated_default
ALTER TABLE users ALTER COLUMN "updatedAt" SET DEFAULT now();

-- case: uuid_to_text
ALTER TABLE users ALTER COLUMN uid TYPE text;

-- case: varchar_191
ALTER TABLE users ALTER COLUMN name TYPE varchar(191);

-- case: varchar_256
ALTER TABLE users ALTER COLUMN email TYPE varchar(256);

-- case: brin_extra
CREATE INDEX users_brin ON users USING brin("createdAt");

-- case: collate_unique
DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_email_key ON users(email COLLATE "C");

-- case: domain_default
CREATE DOMAIN dd AS text DEFAULT 'x';
ALTER TABLE "Post" ALTER COLUMN body TYPE dd;

-- case: domain_int
CREATE DOMAIN di AS int;
ALTER TABLE "Post" ALTER COLUMN "authorId" TYPE di;

-- case: domain_notnull
CREATE DOMAIN dn AS text NOT NULL;
ALTER TABLE "Post" ALTER COLUMN body TYPE dn;

-- case: domain_on_nullable
CREATE DOMAIN dn2 AS text;
ALTER TABLE users ALTER COLUMN name TYPE dn2;

-- case: domain_varchar
CREATE DOMAIN dv AS varchar(255);
ALTER TABLE users ALTER COLUMN email TYPE dv;

-- case: extra_view_other
CREATE VIEW vv AS SELECT 1 AS x;

-- case: gin_extra
CREATE INDEX users_tags_gin ON users USING gin(tags);

-- case: include_extra_index
CREATE INDEX users_inc ON users(big) INCLUDE (id);

-- case: include_plain_index
DROP INDEX "users_name_createdAt_idx";
CREATE INDEX "users_name_createdAt_idx" ON users(name, "createdAt" DESC) INCLUDE (id);

-- case: opclass_renamed
DROP INDEX "users_name_createdAt_idx";
CREATE INDEX users_nc ON users(name text_pattern_ops, "createdAt" DESC);

-- case: opclass_unique
DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_email_key ON users(email varchar_pattern_ops);

-- case: p_index_name_other_cols
DROP INDEX "users_name_createdAt_idx";
CREATE INDEX "users_name_createdAt_idx" ON users(id) WHERE active;

-- case: p_index_same
DROP INDEX "users_name_createdAt_idx";
CREATE INDEX "users_name_createdAt_idx" ON users(name, "createdAt" DESC) WHERE active;

-- case: p_index_same_renamed
DROP INDEX "users_name_createdAt_idx";
CREATE INDEX users_nc ON users(name, "createdAt" DESC) WHERE active;

-- case: p_partial_dup_of_expected
CREATE INDEX users_dup ON users(name, "createdAt" DESC) WHERE active;

-- case: p_partial_unique_extra
CREATE UNIQUE INDEX users_uid_partial ON users(uid) WHERE active;

-- case: p_unique_renamed
DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_email_other ON users(email) WHERE active;

-- case: unique_constraint_include
DROP INDEX users_email_key;
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email) INCLUDE (name);

-- case: partitioned_composite
-- The model's table made partitioned: Prisma's describer reads a partitioned table and none
-- of its plain partitions (tables_query.sql), but a partition that is itself partitioned
-- (Composite_low) is a table to it, one no model maps to: Prisma drops it.
ALTER TABLE "Composite" RENAME TO "Composite_old";
ALTER TABLE "Composite_old" RENAME CONSTRAINT "Composite_pkey" TO "Composite_old_pkey";
CREATE TABLE "Composite" (a integer NOT NULL, b text NOT NULL,
  CONSTRAINT "Composite_pkey" PRIMARY KEY (a, b)) PARTITION BY RANGE (a);
CREATE TABLE "Composite_low" PARTITION OF "Composite" FOR VALUES FROM (MINVALUE) TO (100)
  PARTITION BY LIST (b);
CREATE TABLE "Composite_low_x" PARTITION OF "Composite_low" DEFAULT;
CREATE TABLE "Composite_rest" PARTITION OF "Composite" DEFAULT;
INSERT INTO "Composite" SELECT a, b FROM "Composite_old";
DROP TABLE "Composite_old";

-- case: twin_unique_second_dropped
-- The one left is the first of the schema's two: both pair with it, nothing to do.
DROP INDEX twin_code_b;

-- case: twin_unique_first_dropped
-- The one left pairs with the first of the two, of another name: Prisma renames it.
DROP INDEX twin_code_a;
