-- Source database for the archive reader tests: every shape of data a row counter can trip on.
CREATE SCHEMA "we;ird";
CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');

CREATE TABLE public.numbers (id integer PRIMARY KEY, label text, mood public.mood);
INSERT INTO public.numbers
SELECT g, 'n' || g, (ARRAY['sad', 'ok', 'happy']::public.mood[])[1 + g % 3]
FROM generate_series(1, 20000) AS g;

-- Five empty strings in a one-column table: five empty COPY lines, five rows.
CREATE TABLE public.blank_lines (v text);
INSERT INTO public.blank_lines VALUES (''), (''), (''), (''), ('');

CREATE TABLE public.empty_table (a integer, b text);

-- A table with no columns: COPY writes one empty line per row, INSERT writes DEFAULT VALUES.
CREATE TABLE public.no_columns ();
INSERT INTO public.no_columns DEFAULT VALUES;
INSERT INTO public.no_columns DEFAULT VALUES;
INSERT INTO public.no_columns DEFAULT VALUES;

-- Values COPY must escape: the end marker itself, backslashes, tabs, newlines, quotes, parens.
CREATE TABLE public.tricky (id integer GENERATED ALWAYS AS IDENTITY, v text);
INSERT INTO public.tricky (v) VALUES
    ('\.'), (E'\\.'), (E'a\nb'), (E'tab\there'), ('it''s; (not) "over"'), (E'back\\slash\\'),
    (''), (NULL), (E'\n'), ('VALUES (1), (2);'), (E'\\.\n\\.');

-- One 3 MB text value.
CREATE TABLE public.big_value (id integer, body text);
INSERT INTO public.big_value
SELECT 1, string_agg(md5(g::text), '') FROM generate_series(1, 100000) AS g;

CREATE UNLOGGED TABLE public.scratchpad (k text);
INSERT INTO public.scratchpad SELECT 'k' || g FROM generate_series(1, 7) AS g;

CREATE TABLE public.events (id integer, at date) PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE public.events_2025 PARTITION OF public.events
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO public.events SELECT g, DATE '2024-06-01' + (g % 400) FROM generate_series(1, 900) AS g;

-- Hostile names: schema and table with ';', columns with a quote, '$', a newline and a tab.
CREATE TABLE "we;ird"."a;b" ("col""q" text, "d$" integer, "nl
x" text, "t	ab" integer);
INSERT INTO "we;ird"."a;b" VALUES ('x', 1, E'line1\nline2', 2), ('y;', 2, '', 3);

SELECT lo_from_bytea(0, 'a large object');
SELECT lo_from_bytea(0, 'another large object');
