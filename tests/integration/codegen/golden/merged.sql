-- StarRocks tables of job "mysql-to-starrocks", written by `sluice generate`.
-- note: orders.amount: shards disagree (DECIMAL(10,2), DECIMAL(12,2) in cg_s1.orders): DECIMAL(12,2) holds both
-- note: orders.note: missing in 1 of 2 shards: nullable
-- note: orders.extra: missing in 1 of 2 shards: nullable
-- note: orders merges 2 shards (cg_s0.orders, cg_s1.orders): --merge-key add-source: key extended with _source_db and _source_table
-- note: BUCKETS: one per GiB of source data (1..64); --buckets N sets it

CREATE DATABASE IF NOT EXISTS `cg_dw`;

CREATE TABLE IF NOT EXISTS `cg_dw`.`orders` (
    `id` INT NOT NULL,
    `_source_db` VARCHAR(64) NOT NULL COMMENT "source database of the row",
    `_source_table` VARCHAR(64) NOT NULL COMMENT "source table of the row",
    `amount` DECIMAL(12,2) NULL,
    `note` VARCHAR(80) NULL,
    `extra` INT NULL
)
ENGINE=OLAP
PRIMARY KEY (`id`, `_source_db`, `_source_table`)
DISTRIBUTED BY HASH(`id`, `_source_db`, `_source_table`) BUCKETS 1
PROPERTIES (
    "replication_num" = "1"
);
