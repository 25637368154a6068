-- 001: the first versioned schema. A warehouse made before Dateline recorded schema versions
-- gets every table and column added since the first release (all changes so far were additive).
-- Rows written before a column existed are re-derived on the next run over the same sources:
-- their articles are marked with a pipeline_version no code has, so they are re-processed.

alter table articles add column if not exists source_path varchar;
alter table quarantine add column if not exists source varchar;
alter table quarantine add column if not exists requeued_by varchar;

alter table events add column if not exists trigger_start integer;
alter table events add column if not exists trigger_end integer;
alter table events add column if not exists actor1_sector varchar;
alter table events add column if not exists actor1_start integer;
alter table events add column if not exists actor1_end integer;
alter table events add column if not exists actor2_sector varchar;
alter table events add column if not exists actor2_start integer;
alter table events add column if not exists actor2_end integer;
alter table events add column if not exists location_entity_id varchar;
alter table events add column if not exists is_historical boolean;

create table if not exists article_signatures (
    article_id          varchar primary key,
    signature           blob
);

create table if not exists raw_fingerprints (
    raw_hash            varchar primary key,
    article_id          varchar,
    pipeline_version    varchar
);

-- Every event the current pipeline writes has trigger offsets and every article a source_path:
-- rows without them were written by an older pipeline and lack the columns added since.
update articles
set pipeline_version = 'migrated:' || coalesce(pipeline_version, 'unknown')
where source_path is null
   or article_id in (select article_id from events where trigger_start is null);
