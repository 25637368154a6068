-- Dateline warehouse schema (DuckDB). Column names are a contract: extend, never rename.
-- This file is the current schema, used as is for a new warehouse. An existing file is brought
-- to it by the numbered scripts in migrations/ (one transaction on open), so every change here
-- ships with a migration that makes the same change, and `schema_version` below is bumped.

-- Which migrations made this file what it is (the highest version is the schema version).
create table if not exists schema_migrations (
    version             integer primary key,
    name                varchar,
    applied_at          timestamptz
);

-- Facts about the file itself: `warehouse_id` (a uuid made with the file; staged batches carry
-- it) and `created_at`.
create table if not exists warehouse_meta (
    key                 varchar primary key,
    value               varchar
);

-- ISO 3166 alpha-3 codes (and XKX, Kosovo) with their names: every country column draws on it.
create table if not exists country_codes (
    code                varchar primary key,
    name                varchar
);

-- One row per flow run: what went in, what came out, with which code and model.
create table if not exists runs (
    run_id              varchar primary key,   -- Prefect flow-run id (or a uuid outside Prefect)
    flow_run_name       varchar,
    started_at          timestamptz,
    finished_at         timestamptz,
    status              varchar,               -- running | completed | failed | interrupted | staged (loaded later from staging)
    sources             varchar[],
    articles_in         integer,               -- rows read from sources (after in-batch de-duplication)
    articles_new        integer,               -- articles inserted or re-processed
    articles_unchanged  integer,               -- same content hash and pipeline_version: NLP skipped
    articles_duplicate  integer,               -- duplicates inside the run's input (same article_id)
    articles_quarantined integer,
    mentions_loaded     integer,
    events_loaded       integer,
    pipeline_version    varchar,
    model               varchar,
    message             varchar                -- failure reason, or null
);

-- One row per article (deterministic id: canonical URL, else normalised text).
create table if not exists articles (
    article_id          varchar primary key,
    external_id         varchar,               -- the input's own `id`, if it had one
    url                 varchar,
    canonical_url       varchar,
    source              varchar,               -- the row's own `source`, else the file path or feed URL
    source_path         varchar,               -- the file, feed or URL it was read from
    domain              varchar,
    title               varchar,
    byline              varchar,
    published_at        timestamptz,           -- UTC
    published_precision varchar,               -- day | time | none
    language            varchar,               -- ISO 639-1
    text                varchar,               -- clean text; mentions/events offsets point into it
    word_count          integer,
    content_hash        varchar,               -- sha256 of the clean text
    dup_of              varchar,               -- article_id of the earliest near-duplicate (syndicated copy), else null
    first_seen_run      varchar,
    run_id              varchar,               -- last run that wrote this row
    pipeline_version    varchar,
    ingested_at         timestamptz
);

-- MinHash signature of each article's text, to find syndicated copies across runs.
create table if not exists article_signatures (
    article_id          varchar primary key,
    signature           blob
);

-- Fingerprints of the raw input records behind each article: an identical record with the same
-- pipeline version is skipped before cleaning on the next run (re-runs nearly free).
create table if not exists raw_fingerprints (
    raw_hash            varchar primary key,   -- sha256 of the record's fields and the cleaning settings
    article_id          varchar,
    pipeline_version    varchar
);

-- Canonical entities: one id per canonical name and type.
create table if not exists entities (
    entity_id           varchar primary key,
    name                varchar not null,
    type                varchar not null,      -- PERSON, ORG, GPE, NORP, LOC, FAC, EVENT, PRODUCT, ...
    country_code        varchar,               -- ISO 3166 alpha-3 where known
    first_seen_run      varchar
);

-- Every entity mention, with exact offsets into articles.text.
create table if not exists mentions (
    article_id          varchar,
    mention_idx         integer,
    entity_id           varchar,
    text                varchar,               -- = substr(articles.text, start_char + 1, end_char - start_char)
    label               varchar,
    start_char          integer,
    end_char            integer,
    sent_idx            integer,
    run_id              varchar,
    pipeline_version    varchar,
    primary key (article_id, mention_idx)
);

-- The PLOVER event ontology with its CAMEO root, GDELT QuadClass and intensity.
create table if not exists event_types (
    event_type          varchar primary key,
    cameo_root          varchar,
    quad_class          integer,               -- 1 verbal coop, 2 material coop, 3 verbal conflict, 4 material conflict
    intensity           double,                -- Goldstein-like, -10 .. 10
    description         varchar
);

-- Who did what to whom, when, where; one row per event with its evidence sentence.
create table if not exists events (
    event_id            varchar primary key,
    article_id          varchar,
    sent_idx            integer,
    start_char          integer,               -- evidence sentence offsets into articles.text
    end_char            integer,
    trigger             varchar,               -- the trigger words as written
    trigger_lemma       varchar,
    trigger_start       integer,               -- trigger offsets into articles.text
    trigger_end         integer,
    event_type          varchar,               -- PLOVER
    cameo_code          varchar,
    quad_class          integer,
    intensity           double,
    actor1_text         varchar,               -- null when the doer is implied ("was arrested", "the probe")
    actor1_entity_id    varchar,
    actor1_country      varchar,               -- for an implied doer: where the act happens, else the article's country
    actor1_sector       varchar,               -- government, military, police, rebels, civilians, ... when the text says it
    actor1_start        integer,
    actor1_end          integer,
    actor2_text         varchar,
    actor2_entity_id    varchar,
    actor2_country      varchar,
    actor2_sector       varchar,
    actor2_start        integer,
    actor2_end          integer,
    location_text       varchar,
    location_entity_id  varchar,
    location_country    varchar,
    event_date          date,
    date_precision      varchar,               -- day | month | year | none
    date_text           varchar,               -- the words the date came from
    is_historical       boolean,               -- the text dates it well before publication: a report of a past event
    modality            varchar,               -- asserted | predicted | conditional | negated | claimed
    negated             boolean,
    claimed_by          varchar,
    confidence          double,
    run_id              varchar,
    pipeline_version    varchar
);

-- Text the cleaner removed, kept so every deletion can be audited.
create table if not exists removed_spans (
    article_id          varchar,
    span_idx            integer,
    kind                varchar,
    text                varchar,
    run_id              varchar,
    primary key (article_id, span_idx)
);

-- Rejected records with the reasons; nothing is dropped silently.
create table if not exists quarantine (
    run_id              varchar,
    table_name          varchar,               -- articles | mentions | events | entities | source
    record_key          varchar,
    record              json,
    reasons             varchar[],
    quarantined_at      timestamptz,
    source              varchar,               -- the file/feed the record came from (for requeue)
    requeued_by         varchar,               -- run_id that re-processed it, null while open
    primary key (run_id, table_name, record_key)
);

-- Each expectation's outcome per run and suite.
create table if not exists dq_results (
    run_id              varchar,
    suite               varchar,
    expectation         varchar,
    success             boolean,
    element_count       bigint,
    unexpected_count    bigint,
    unexpected_percent  double,
    observed_value      varchar,
    primary key (run_id, suite, expectation)
);

-- Full-text index for `dateline search` (BM25 in SQL, warehouse/search.sql): each word of an
-- article's title (counted three times) and text with its count, and the article's length in words.
create table if not exists search_terms (
    term                varchar,
    article_id          varchar,
    tf                  integer,
    primary key (term, article_id)
);

create table if not exists search_docs (
    article_id          varchar primary key,
    length              integer
);
