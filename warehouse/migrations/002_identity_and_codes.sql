-- 002: the warehouse knows who it is (batches staged for it carry its id and are refused by any
-- other file) and which country codes are valid (the contract checks read it). Run status
-- `interrupted` is new too (Ctrl-C, or a process that died while running); it needs no DDL.

create table if not exists warehouse_meta (
    key                 varchar primary key,
    value               varchar
);

create table if not exists country_codes (
    code                varchar primary key,
    name                varchar
);
