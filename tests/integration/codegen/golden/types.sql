-- StarRocks tables of job "mysql-to-starrocks", written by `sluice generate`.
-- warning: cg_types.all_types.dec2: DECIMAL(40,5) is wider than StarRocks DECIMAL (38 digits): stored as its exact text in VARCHAR(42), no arithmetic
-- warning: cg_types.all_types.tx: TEXT holds up to 65535 bytes (more once converted to UTF-8), StarRocks STRING 65533: longer values are rejected
-- warning: cg_types.all_types.mtx: MEDIUMTEXT can exceed StarRocks VARCHAR's 1048576 bytes: longer values are rejected
-- warning: cg_types.all_types.lb: LONGBLOB can exceed StarRocks VARBINARY's 1048576 bytes: longer values are rejected
-- warning: cg_types.composite.b: key column DECIMAL(8,3) becomes VARCHAR(10), its text: StarRocks keys cannot be DECIMAL
-- note: cg_types.by_unique has no primary key: unique key u_code_region (all NOT NULL) is the StarRocks primary key
-- note: cg_types.all_types.b1: TINYINT(1) stays TINYINT, not BOOLEAN: values other than 0 and 1 survive
-- note: cg_types.all_types.b1: the DEFAULT is not carried over (StarRocks DEFAULT takes only quoted strings; the sync always sends the value)
-- note: cg_types.all_types.bit10: BIT(10) becomes BIGINT: the bits as an unsigned number
-- note: cg_types.all_types.dec1: the DEFAULT is not carried over (StarRocks DEFAULT takes only quoted strings; the sync always sends the value)
-- note: cg_types.all_types.ts: TIMESTAMP becomes DATETIME: the wall time in the source's server_time_zone (UTC unless the job sets it)
-- note: cg_types.all_types.tm: TIME becomes VARCHAR(17) ('-838:59:59.000000'): StarRocks cannot store TIME
-- note: cg_types.all_types.g: geometry becomes VARBINARY: standard WKB bytes (ST_AsBinary)
-- note: cg_types.by_unique.code: CHAR key becomes VARCHAR(32): StarRocks keys cannot be CHAR
-- note: BUCKETS: one per GiB of source data (1..64); --buckets N sets it
-- note: the sink loads CSV ("format": "csv"): binary columns such as all_types.bn cannot travel in JSON bodies

CREATE DATABASE IF NOT EXISTS `cg_dw`;

CREATE TABLE IF NOT EXISTS `cg_dw`.`all_types` (
    `id` LARGEINT NOT NULL COMMENT "row \"id\"",
    `t` TINYINT NULL,
    `tu` SMALLINT NULL,
    `b1` TINYINT NULL,
    `s` SMALLINT NULL,
    `su` INT NULL,
    `m` INT NULL,
    `mu` INT NULL,
    `i` INT NULL,
    `iu` BIGINT NULL,
    `bi` BIGINT NULL,
    `biu` LARGEINT NULL,
    `bit1` BOOLEAN NULL,
    `bit10` BIGINT NULL,
    `f` FLOAT NULL,
    `d` DOUBLE NULL,
    `dec1` DECIMAL(10,2) NOT NULL COMMENT "money, \\ and \"quotes\"",
    `dec2` VARCHAR(42) NULL,
    `dt` DATE NULL,
    `dtm` DATETIME NULL,
    `ts` DATETIME NULL,
    `tm` VARCHAR(17) NULL,
    `y` SMALLINT NULL,
    `c` CHAR(40) NULL,
    `vc` VARCHAR(400) NULL,
    `vl` VARCHAR(150) NULL,
    `tx` STRING NULL,
    `mtx` VARCHAR(1048576) NULL,
    `e` VARCHAR(6) NULL,
    `st` VARCHAR(8) NULL,
    `j` JSON NULL,
    `bn` VARBINARY(16) NULL,
    `vb` VARBINARY(200) NULL,
    `bl` VARBINARY(65535) NULL,
    `lb` VARBINARY(1048576) NULL,
    `g` VARBINARY(1048576) NULL
)
ENGINE=OLAP
PRIMARY KEY (`id`)
COMMENT "every type"
DISTRIBUTED BY HASH(`id`) BUCKETS 1
PROPERTIES (
    "replication_num" = "1"
);

CREATE TABLE IF NOT EXISTS `cg_dw`.`by_unique` (
    `code` VARCHAR(32) NOT NULL,
    `region` VARCHAR(40) NOT NULL,
    `qty` INT NULL
)
ENGINE=OLAP
PRIMARY KEY (`code`, `region`)
DISTRIBUTED BY HASH(`code`, `region`) BUCKETS 1
PROPERTIES (
    "replication_num" = "1"
);

CREATE TABLE IF NOT EXISTS `cg_dw`.`composite` (
    `b` VARCHAR(10) NOT NULL,
    `a` INT NOT NULL,
    `v` VARCHAR(20) NULL
)
ENGINE=OLAP
PRIMARY KEY (`b`, `a`)
DISTRIBUTED BY HASH(`b`, `a`) BUCKETS 1
PROPERTIES (
    "replication_num" = "1"
);
