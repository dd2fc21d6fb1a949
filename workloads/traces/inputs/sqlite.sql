-- Fixed workload for the recorder: a table of 20,000 generated rows, an index, joins and
-- aggregates, all in an in-memory database.
CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, size INTEGER, bucket INTEGER);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO item(name, size, bucket)
  SELECT printf('block-%05d-%s', i, substr('abcdefghijklmnopqrstuvwxyz', 1 + i % 26, 1 + i % 17)),
         (i * 7919) % 4096 + 1,
         i % 64
  FROM n;
CREATE INDEX item_bucket ON item(bucket, size);
CREATE TABLE bucket_stats AS
  SELECT bucket, count(*) AS n, sum(size) AS total, max(size) AS largest
  FROM item GROUP BY bucket;
SELECT b.bucket, b.n, b.total, group_concat(i.name, ',') IS NOT NULL
  FROM bucket_stats b JOIN item i ON i.bucket = b.bucket AND i.size = b.largest
  GROUP BY b.bucket ORDER BY b.total DESC LIMIT 5;
UPDATE item SET name = name || '-moved' WHERE size % 3 = 0;
DELETE FROM item WHERE size % 5 = 0;
SELECT count(*), sum(length(name)) FROM item;
