-- PostGIS's own tables, which Prisma's differ leaves out on both sides (no CREATE, ALTER or
-- DROP, whatever their case): the database Prisma builds from schema.prisma has no
-- spatial_ref_sys (the postgis extension would make it). `none` is the no-false-positive twin.

-- case: none

-- case: as_postgis_makes_it
CREATE TABLE spatial_ref_sys (
    srid integer NOT NULL PRIMARY KEY CHECK (srid > 0 AND srid <= 998999),
    auth_name varchar(256), auth_srid integer, srtext varchar(2048), proj4text varchar(2048)
);

-- case: other_columns
CREATE TABLE spatial_ref_sys (srid bigint, extra text);

-- case: other_postgis_tables
CREATE TABLE "Geometry_Columns" (f_table_name text);
CREATE TABLE raster_overviews (o_table_name text);
