-- The source schema of test_generate.sh: every column type the mapping knows, a table keyed by a
-- unique key, a table without a key, and shards to merge (with and without colliding keys).
DROP DATABASE IF EXISTS cg_types; CREATE DATABASE cg_types CHARACTER SET utf8mb4;
CREATE TABLE cg_types.all_types (
  id BIGINT UNSIGNED NOT NULL COMMENT 'row "id"',
  t TINYINT, tu TINYINT UNSIGNED, b1 TINYINT(1) DEFAULT 0, s SMALLINT, su SMALLINT UNSIGNED,
  m MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
  bit1 BIT(1), bit10 BIT(10), f FLOAT, d DOUBLE,
  dec1 DECIMAL(10,2) NOT NULL DEFAULT 0 COMMENT 'money, \\ and "quotes"', dec2 DECIMAL(40,5),
  dt DATE, dtm DATETIME(6), ts TIMESTAMP(3) NULL, tm TIME, y YEAR,
  c CHAR(10), vc VARCHAR(100) CHARACTER SET utf8mb4, vl VARCHAR(50) CHARACTER SET latin1,
  tx TEXT, mtx MEDIUMTEXT, e ENUM('small','medium','large'), st SET('a','bb','ccc'), j JSON,
  bn BINARY(16), vb VARBINARY(200), bl BLOB, lb LONGBLOB, g GEOMETRY,
  PRIMARY KEY (id)) COMMENT 'every type';
CREATE TABLE cg_types.by_unique (code CHAR(8) NOT NULL, region VARCHAR(10) NOT NULL, qty INT,
  UNIQUE KEY u_code_region (code, region));
CREATE TABLE cg_types.composite (a INT NOT NULL, b DECIMAL(8,3) NOT NULL, v VARCHAR(5),
  PRIMARY KEY (b, a));
DROP DATABASE IF EXISTS cg_nokey; CREATE DATABASE cg_nokey;
CREATE TABLE cg_nokey.loose (a INT, b INT);
DROP DATABASE IF EXISTS cg_s0; CREATE DATABASE cg_s0 CHARACTER SET utf8mb4;
DROP DATABASE IF EXISTS cg_s1; CREATE DATABASE cg_s1 CHARACTER SET utf8mb4;
CREATE TABLE cg_s0.orders (id INT NOT NULL PRIMARY KEY, amount DECIMAL(10,2), note VARCHAR(20));
CREATE TABLE cg_s1.orders (id INT NOT NULL PRIMARY KEY, amount DECIMAL(12,2), extra INT);
INSERT INTO cg_s0.orders VALUES (1, 1.5, 'a'), (2, 2.5, 'b');
INSERT INTO cg_s1.orders VALUES (3, 1.5, 1), (2, 2.5, 2);
CREATE TABLE cg_s0.order_a (id INT NOT NULL PRIMARY KEY, qty INT);
CREATE TABLE cg_s1.order_b (id INT NOT NULL PRIMARY KEY, qty INT);
INSERT INTO cg_s0.order_a VALUES (1, 1), (2, 2);
INSERT INTO cg_s1.order_b VALUES (3, 3), (4, 4);
CREATE TABLE cg_s0.events (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, kind VARCHAR(10));
CREATE TABLE cg_s1.events (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, kind VARCHAR(10));
