CREATE TABLE "categories" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    CONSTRAINT "categories_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "categories_name_key" ON "categories"("name");
-- legacy_sku: still in production, gone from the Prisma schema.
CREATE TABLE "products" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "categoryId" TEXT NOT NULL,
    "legacy_sku" TEXT,
    CONSTRAINT "products_pkey" PRIMARY KEY ("id")
);
ALTER TABLE "products" ADD CONSTRAINT "products_categoryId_fkey" FOREIGN KEY ("categoryId") REFERENCES "categories"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
CREATE TABLE "tags" (
    "id" SERIAL NOT NULL,
    "label" TEXT NOT NULL,
    CONSTRAINT "tags_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "tags_label_key" ON "tags"("label");
-- Not in the Prisma schema at all.
CREATE TABLE audit_log (id bigint PRIMARY KEY, action text NOT NULL);

INSERT INTO categories VALUES ('c1', 'Compute'), ('c2', 'Storage');
INSERT INTO products SELECT 'p' || i, 'Product ' || i, 'c' || (1 + i % 2), 'SKU-' || i
FROM generate_series(1, 7) AS i;
INSERT INTO tags (label) VALUES ('new'), ('sale'), ('eco');
INSERT INTO audit_log VALUES (1, 'login'), (2, 'logout');
