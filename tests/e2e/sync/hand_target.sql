-- Development only (E2E_HAND_JOB=1 in test_e2e_sync.sh): the target tables `sluice generate
-- --create-tables` makes, written by hand, for a mysql_cdc -> starrocks job without the generator.
CREATE DATABASE shop_sr;
CREATE TABLE shop_sr.customers (id BIGINT NOT NULL, name VARCHAR(400), email VARCHAR(1020) NOT NULL,
  tier VARCHAR(32), tags VARCHAR(64), born DATE, created DATETIME, last_seen DATETIME,
  pref_time VARCHAR(17), signup_year SMALLINT, flags BIGINT, profile JSON, avatar VARBINARY(65535),
  note STRING) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES ("replication_num" = "1");
CREATE TABLE shop_sr.products (id BIGINT NOT NULL, sku VARCHAR(12), title VARCHAR(800),
  price DECIMAL(12,2), big_amount DECIMAL(38,10), weight FLOAT, ratio DOUBLE, stock INT, stock_u INT,
  small SMALLINT, small_u INT, tiny TINYINT, tiny_u SMALLINT, digest VARBINARY(16), code VARBINARY(32),
  attrs JSON) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES ("replication_num" = "1");
CREATE TABLE shop_sr.orders (id BIGINT NOT NULL, customer_id BIGINT, product_id BIGINT, qty INT,
  qty_u BIGINT, total DECIMAL(12,2), big BIGINT, u64 LARGEINT, status VARCHAR(36), placed DATETIME,
  shipped DATETIME, day DATE, memo VARCHAR(1020), payload VARBINARY(65535))
  PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES ("replication_num" = "1");
