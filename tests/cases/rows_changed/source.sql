-- Production's own column types: more precision than the Prisma schema gives them.
CREATE TABLE "orders" (
    "id" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(6) NOT NULL,
    "total" NUMERIC(12,4) NOT NULL,
    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "customers" (
    "id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "joinedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "customers_pkey" PRIMARY KEY ("id")
);

INSERT INTO orders SELECT i, timestamp '2024-05-01 08:00:00.654321' + i * interval '1 day',
    1000 + i * 0.1234
FROM generate_series(1, 12) AS i;
INSERT INTO customers SELECT i, 'Customer ' || i, timestamp '2023-01-01 00:00:00.250' + i * interval '1 day'
FROM generate_series(1, 5) AS i;
