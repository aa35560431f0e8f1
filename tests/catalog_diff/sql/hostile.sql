-- Hostile names on every new object kind: quotes, dots, spaces, semicolons and keywords in
-- schema, domain, composite, attribute, partition, constraint and index names; nothing in public.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE SCHEMA "Odd.Schema";
CREATE SCHEMA "select";
CREATE DOMAIN "Odd.Schema"."Dom ""q""" AS numeric(5,2) CONSTRAINT "Check Me" CHECK (VALUE > 0::numeric) CONSTRAINT "NOT NULL" NOT NULL;
CREATE DOMAIN "select"."table" AS "Odd.Schema"."Dom ""q"""[] DEFAULT '{}';
CREATE TYPE "Odd.Schema"."T;ype" AS ("a b" integer, "C" "Odd.Schema"."Dom ""q""", "select" text);
CREATE TABLE "Odd.Schema"."Part.Root" ("Key" integer NOT NULL, "v;al" text) PARTITION BY RANGE ("Key");
CREATE TABLE "select"."Part 1" PARTITION OF "Odd.Schema"."Part.Root" FOR VALUES FROM (MINVALUE) TO (10);
CREATE TABLE "Odd.Schema"."Part 2" PARTITION OF "Odd.Schema"."Part.Root" FOR VALUES FROM (10) TO (MAXVALUE) PARTITION BY LIST ("v;al");
CREATE TABLE "Odd.Schema"."Part 2a" PARTITION OF "Odd.Schema"."Part 2" FOR VALUES IN ('a', NULL);
CREATE TABLE "Odd.Schema"."Ex" ("Room" integer, r int4range, CONSTRAINT "Ex Cl" EXCLUDE USING gist (r WITH &&, "Room" WITH <>) WHERE ("Room" IS NOT NULL));
CREATE UNLOGGED TABLE "select"."Unlogged ""T""" ("x" "select"."table", y "Odd.Schema"."T;ype");
CREATE TABLE "Odd.Schema"."Typed" OF "Odd.Schema"."T;ype" ("a b" WITH OPTIONS DEFAULT 3);
CREATE INDEX "Idx ""1""" ON "Odd.Schema"."Part.Root" ("v;al" DESC, lower("v;al"));
INSERT INTO "Odd.Schema"."Part.Root" VALUES (1, 'a'), (20, 'a'), (30, NULL);
