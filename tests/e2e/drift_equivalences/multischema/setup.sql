-- Run before Prisma's own SQL: the extension @db.Citext needs (Prisma creates none without
-- the postgresqlExtensions preview feature).
CREATE EXTENSION IF NOT EXISTS citext;
