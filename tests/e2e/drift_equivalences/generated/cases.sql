-- Generated columns in place of the columns Prisma's engine built from schema.prisma. `none`
-- is the no-false-positive twin.

-- case: none

-- case: generated_as_the_default
ALTER TABLE "Doc" DROP COLUMN kind;
ALTER TABLE "Doc" ADD COLUMN kind text GENERATED ALWAYS AS (md5('note'::text)) STORED;

-- case: generated_otherwise
ALTER TABLE "Doc" DROP COLUMN kind;
ALTER TABLE "Doc" ADD COLUMN kind text GENERATED ALWAYS AS (md5('memo'::text)) STORED;

-- case: generated_without_a_default_in_the_schema
ALTER TABLE "Doc" DROP COLUMN slug;
ALTER TABLE "Doc" ADD COLUMN slug text GENERATED ALWAYS AS (lower(title)) STORED;
