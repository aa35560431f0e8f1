-- Prisma's bookkeeping table, exactly as the schema engine creates it before the first
-- migration (prisma-engines, schema-engine sql-schema-connector/src/flavour/postgres.rs,
-- create_migrations_table). expectation.migrations_table() models the same table.
CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
