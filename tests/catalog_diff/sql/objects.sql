-- Source schema for the dump-vs-restore differential: every object kind the catalog models,
-- in the shapes pg_dump must round-trip (domains, composites, EXCLUDE, UNLOGGED, partitions).
CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE SCHEMA "Sales";
CREATE TYPE public."Mood" AS ENUM ('sad', 'ok', 'it''s fine');
CREATE DOMAIN public.posint AS integer NOT NULL DEFAULT 1 CHECK (VALUE > 0) CHECK (VALUE < 1000000);
CREATE DOMAIN "Sales"."Email" AS public.citext CONSTRAINT email_has_at CHECK (VALUE ~ '@');
CREATE DOMAIN public.short_text AS character varying(20) COLLATE "C";
CREATE DOMAIN public.money_amount AS numeric(12,2) DEFAULT 0.00;
CREATE DOMAIN public.tags AS text[];
CREATE TYPE public.pair AS (a integer, "B" text, c numeric(10,2), d public."Mood", e timestamp(3) with time zone);
CREATE TYPE "Sales"."Addr" AS (street text, zip public.short_text, pos public.pair[]);
CREATE TYPE public.empty_composite AS ();
CREATE TABLE public.rooms (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE public.bookings (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room integer NOT NULL REFERENCES public.rooms (id),
    during tsrange NOT NULL,
    guest "Sales"."Email",
    qty public.posint,
    addr "Sales"."Addr",
    EXCLUDE USING gist (room WITH =, during WITH &&)
);
CREATE TABLE public.slots (
    id integer,
    span int4range,
    CONSTRAINT no_overlap EXCLUDE USING gist (span WITH &&) WHERE (id > 0)
);
CREATE UNLOGGED TABLE public.cache (k text PRIMARY KEY, v jsonb, hits integer DEFAULT 0);
CREATE UNLOGGED TABLE "Sales"."Hot Rows" (id serial, n integer);
CREATE TABLE public.measurements (
    id bigint NOT NULL,
    taken_at timestamp(3) without time zone NOT NULL,
    city text NOT NULL,
    v double precision CHECK (v >= 0),
    PRIMARY KEY (id, taken_at)
) PARTITION BY RANGE (taken_at);
CREATE TABLE public.measurements_2024 PARTITION OF public.measurements
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE public.measurements_2025 PARTITION OF public.measurements
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE public.measurements_rest PARTITION OF public.measurements DEFAULT;
CREATE INDEX measurements_city_idx ON public.measurements (city);
CREATE TABLE "Sales".orders (id integer NOT NULL, region text NOT NULL, total numeric)
    PARTITION BY LIST (region);
CREATE TABLE "Sales".orders_eu PARTITION OF "Sales".orders FOR VALUES IN ('eu', 'uk');
CREATE TABLE "Sales"."Orders US" PARTITION OF "Sales".orders FOR VALUES IN ('us')
    PARTITION BY HASH (id);
CREATE TABLE "Sales"."Orders US 0" PARTITION OF "Sales"."Orders US"
    FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE "Sales"."Orders US 1" PARTITION OF "Sales"."Orders US"
    FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE public.hashed (id integer, k text, d date) PARTITION BY HASH (id, lower(k));
CREATE TABLE public.hashed_0 PARTITION OF public.hashed FOR VALUES WITH (MODULUS 1, REMAINDER 0);
CREATE TABLE public.multi (a integer, b date) PARTITION BY RANGE (a, b);
CREATE TABLE public.multi_1 (b date, a integer);
ALTER TABLE public.multi ATTACH PARTITION public.multi_1 FOR VALUES FROM (0, '2024-01-01') TO (10, '2025-01-01');
CREATE TABLE public.typed OF public.pair (a PRIMARY KEY, "B" WITH OPTIONS DEFAULT 'x');
-- Edge cases: a domain over a domain, a NOT VALID domain check (pg_dump writes it apart, as
-- ALTER DOMAIN ... ADD CONSTRAINT), a function default, a collated composite attribute, a
-- DEFERRABLE exclusion, a partition's own extra index, a UNIQUE on a partitioned table and an
-- FK to it, and classic inheritance (pg_dump omits inherited columns from the child).
CREATE DOMAIN public.small_posint AS public.posint CHECK (VALUE < 100);
CREATE DOMAIN public.stamp AS timestamp(3) with time zone DEFAULT now();
ALTER DOMAIN public.stamp ADD CONSTRAINT stamp_recent CHECK (VALUE > '2000-01-01') NOT VALID;
CREATE TYPE public.named AS (label text COLLATE "C", at public.stamp);
CREATE TABLE public.shifts (
    who integer,
    span tstzrange,
    CONSTRAINT shifts_no_overlap EXCLUDE USING gist (who WITH =, span WITH &&)
        DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX measurements_2024_v_idx ON public.measurements_2024 (v);
CREATE TABLE public.codes (code text NOT NULL, y integer NOT NULL, UNIQUE (code, y))
    PARTITION BY LIST (y);
CREATE TABLE public.codes_2024 PARTITION OF public.codes FOR VALUES IN (2024);
CREATE TABLE public.code_uses (code text, y integer, FOREIGN KEY (code, y) REFERENCES public.codes (code, y));
CREATE TABLE public.base_log (id integer NOT NULL, msg text CHECK (msg <> ''));
CREATE TABLE public.child_log (extra text) INHERITS (public.base_log);
-- PostgreSQL 17+: identity and EXCLUDE on a partitioned table (the partitions get both from
-- their parent at ATTACH), a partition's own default, NOT VALID CHECK and FK, names that
-- look like keywords inside a domain, generated columns through inheritance.
CREATE TABLE public.ev (
    id bigint GENERATED ALWAYS AS IDENTITY,
    k integer NOT NULL,
    during tsrange,
    note text DEFAULT 'n',
    twice integer GENERATED ALWAYS AS (k * 2) STORED,
    CONSTRAINT ev_k_check CHECK (k >= 0) NOT VALID,
    CONSTRAINT ev_no_overlap EXCLUDE USING gist (k WITH =, during WITH &&)
) PARTITION BY LIST (k);
CREATE TABLE public.ev_1 PARTITION OF public.ev FOR VALUES IN (1);
CREATE TABLE public.ev_2 PARTITION OF public.ev (note DEFAULT 'two') FOR VALUES IN (2);
CREATE TABLE public.ref (id integer PRIMARY KEY);
CREATE TABLE public.uses (r integer, k integer) PARTITION BY RANGE (k);
CREATE TABLE public.uses_1 PARTITION OF public.uses FOR VALUES FROM (0) TO (5);
ALTER TABLE public.uses ADD CONSTRAINT uses_r_fkey FOREIGN KEY (r) REFERENCES public.ref (id);
CREATE TABLE public.plainref (r integer);
ALTER TABLE public.plainref ADD CONSTRAINT plainref_r_fkey FOREIGN KEY (r) REFERENCES public.ref (id) NOT VALID;
CREATE DOMAIN public."Odd Dom" AS text DEFAULT 'NULL' CHECK (VALUE IS NOT NULL AND VALUE <> 'CHECK');
CREATE TYPE public."Odd Type" AS ("select" integer, "Mixed" public."Odd Dom", arr integer[]);
CREATE TABLE public.gbase (a integer, b integer GENERATED ALWAYS AS (a + 1) STORED);
CREATE TABLE public.gchild (c text) INHERITS (public.gbase);
INSERT INTO public.rooms VALUES (1, 'blue'), (2, 'red');
INSERT INTO public.bookings (room, during, guest, qty) VALUES
    (1, '[2024-01-01 10:00, 2024-01-01 11:00)', 'a@b.c', 2),
    (1, '[2024-01-01 11:00, 2024-01-01 12:00)', NULL, 3);
INSERT INTO public.slots VALUES (1, '[1,5)'), (2, '[5,9)');
INSERT INTO public.cache VALUES ('a', '{"x": 1}', 3);
INSERT INTO "Sales"."Hot Rows" (n) VALUES (1), (2), (3);
INSERT INTO public.measurements VALUES
    (1, '2024-03-01', 'Oslo', 1.5), (2, '2025-03-01', 'Rome', 2), (3, '2030-01-01', 'Lima', 0);
INSERT INTO "Sales".orders VALUES (1, 'eu', 10), (2, 'us', 20), (3, 'us', 30), (4, 'uk', 5);
INSERT INTO public.hashed VALUES (1, 'A', '2024-01-01');
INSERT INTO public.multi VALUES (1, '2024-02-02');
INSERT INTO public.typed VALUES (1, 'x', 1.5, 'ok', now());
INSERT INTO public.codes VALUES ('a', 2024);
INSERT INTO public.code_uses VALUES ('a', 2024);
INSERT INTO public.child_log VALUES (1, 'm', 'e');
INSERT INTO public.base_log VALUES (2, 'n');
INSERT INTO public.ev (k, during) VALUES (1, '[2024-01-01,2024-01-02)'), (2, NULL);
INSERT INTO public.ref VALUES (1);
INSERT INTO public.uses VALUES (1, 1);
-- INCLUDE columns on a unique index, a plain index and a UNIQUE constraint: Prisma's describer
-- reads them as index columns (compare/indexes.py), so both readers must keep them.
CREATE TABLE public.covering (id integer NOT NULL, code text, note text,
    CONSTRAINT covering_code_inc UNIQUE (code) INCLUDE (note, id));
CREATE UNIQUE INDEX covering_id_inc ON public.covering (id) INCLUDE (code);
CREATE INDEX covering_note_inc ON public.covering (note DESC) INCLUDE (id) WHERE id > 0;
