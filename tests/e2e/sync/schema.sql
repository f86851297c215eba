-- The source schema of the MySQL -> StarRocks end-to-end test (test_e2e_sync.sh): database shop
-- with three tables whose columns cover the MySQL types the sync maps, and four shards
-- shop_0..shop_3 of one orders table that merge into one target table.
CREATE DATABASE shop CHARACTER SET utf8mb4;
CREATE TABLE shop.customers (
    id BIGINT NOT NULL PRIMARY KEY,
    name VARCHAR(100) CHARACTER SET utf8mb4,
    email VARCHAR(255) CHARACTER SET utf8mb4 NOT NULL DEFAULT '',
    tier ENUM('bronze', 'silver', 'gold', 'platinum'),
    tags SET('new', 'vip', 'b2b', 'churn-risk'),
    born DATE,
    created DATETIME(6),
    last_seen TIMESTAMP(3) NULL DEFAULT NULL,
    pref_time TIME,
    signup_year YEAR,
    flags BIT(10),
    profile JSON,
    avatar BLOB,
    note TEXT CHARACTER SET utf8mb4
) ENGINE=InnoDB;
CREATE TABLE shop.products (
    id INT UNSIGNED NOT NULL PRIMARY KEY,
    sku CHAR(12) CHARACTER SET ascii,
    title VARCHAR(200) CHARACTER SET utf8mb4,
    price DECIMAL(12,2),
    big_amount DECIMAL(38,10),
    weight FLOAT,
    ratio DOUBLE,
    stock MEDIUMINT,
    stock_u MEDIUMINT UNSIGNED,
    small SMALLINT,
    small_u SMALLINT UNSIGNED,
    tiny TINYINT,
    tiny_u TINYINT UNSIGNED,
    digest BINARY(16),
    code VARBINARY(32),
    attrs JSON
) ENGINE=InnoDB;
CREATE TABLE shop.orders (
    id BIGINT NOT NULL PRIMARY KEY,
    customer_id BIGINT,
    product_id INT UNSIGNED,
    qty INT,
    qty_u INT UNSIGNED,
    total DECIMAL(12,2),
    big BIGINT,
    u64 BIGINT UNSIGNED,
    status ENUM('new', 'paid', 'shipped', 'cancelled'),
    placed DATETIME(6),
    shipped TIMESTAMP(3) NULL DEFAULT NULL,
    day DATE,
    memo VARCHAR(255) CHARACTER SET utf8mb4,
    payload BLOB
) ENGINE=InnoDB;
CREATE DATABASE shop_0 CHARACTER SET utf8mb4;
CREATE DATABASE shop_1 CHARACTER SET utf8mb4;
CREATE DATABASE shop_2 CHARACTER SET utf8mb4;
CREATE DATABASE shop_3 CHARACTER SET utf8mb4;
CREATE TABLE shop_0.orders (
    id INT NOT NULL PRIMARY KEY,
    customer_id BIGINT,
    amount DECIMAL(12,2),
    note VARCHAR(64) CHARACTER SET utf8mb4,
    created DATETIME(6)
) ENGINE=InnoDB;
CREATE TABLE shop_1.orders LIKE shop_0.orders;
CREATE TABLE shop_2.orders LIKE shop_0.orders;
CREATE TABLE shop_3.orders LIKE shop_0.orders;
