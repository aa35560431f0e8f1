CREATE TABLE "categories" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    CONSTRAINT "categories_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "categories_name_key" ON "categories"("name");
CREATE TABLE "products" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "price" DOUBLE PRECISION NOT NULL,
    "cost" DOUBLE PRECISION NOT NULL,
    "categoryId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "unit" INTEGER NOT NULL DEFAULT 1,
    "profit" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "products_pkey" PRIMARY KEY ("id")
);
ALTER TABLE "products" ADD CONSTRAINT "products_categoryId_fkey" FOREIGN KEY ("categoryId") REFERENCES "categories"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

INSERT INTO categories VALUES ('c1', 'Compute'), ('c2', 'Storage');
INSERT INTO products (id, title, price, cost, "categoryId", code, unit, profit, "createdAt", "updatedAt")
SELECT 'p' || i, 'Product ' || i, i * 2.5, i, 'c' || (1 + i % 2), 'SKU-' || i, 1, NULL,
       timestamptz '2025-01-01 00:00:00+00', timestamptz '2025-01-02 00:00:00+00'
FROM generate_series(1, 7) AS i;
