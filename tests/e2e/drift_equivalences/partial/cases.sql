-- Changes a hand-written migration, a DBA or a restore may make to the database Prisma's
-- engine built from schema.prisma (with the partialIndexes preview feature). Each case runs on a fresh copy of that database; the
-- tables dumpcheck calls drift must be the tables `prisma migrate diff` would change
-- (tests/e2e/test_drift_equivalences.py). `none` is the no-false-positive twin of them all.

-- case: none

-- case: partial_extra
CREATE INDEX users_active ON users (id) WHERE active;

-- case: partial_renamed
ALTER INDEX "Post_body_idx" RENAME TO pb;

-- case: partial_unique_for_plain
DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_email_key ON users(email) WHERE active;

-- case: predicate_changed
DROP INDEX "Post_body_idx";
CREATE INDEX "Post_body_idx" ON "Post"(body) WHERE length(body) > 4;

-- case: predicate_dropped
DROP INDEX "Post_body_idx";
CREATE INDEX "Post_body_idx" ON "Post"(body);

-- case: predicate_spelled
DROP INDEX "Post_body_idx";
CREATE INDEX "Post_body_idx" ON "Post"(body) WHERE (length(body) > 3);

-- case: unique_where_changed
DROP INDEX "users_uid_key";
CREATE UNIQUE INDEX "users_uid_key" ON users(uid) WHERE NOT active;

-- case: unique_where_dropped
DROP INDEX "users_uid_key";
CREATE UNIQUE INDEX "users_uid_key" ON users(uid);

-- case: field_unique_where_dropped
DROP INDEX profile_handle;
CREATE UNIQUE INDEX profile_handle ON "Profile"(handle);

-- case: field_unique_where_respelled
DROP INDEX profile_handle;
CREATE UNIQUE INDEX profile_handle ON "Profile"(handle) WHERE handle IS NOT NULL;

-- case: field_unique_where_changed
DROP INDEX profile_handle;
CREATE UNIQUE INDEX profile_handle ON "Profile"(handle) WHERE handle <> '';
