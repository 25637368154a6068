-- 003: a full-text index for `dateline search` (DuckDB's FTS extension cannot be installed
-- offline): one row per word and article with its count, and each article's length in words,
-- kept by the loader in the batch's transaction. Articles loaded before are indexed here.

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

-- the same words as warehouse/search.sql's `index_articles` (title counted three times)
insert into search_terms
select term, article_id, count(*) as tf
from (
    select article_id, unnest(regexp_split_to_array(
        lower(repeat(coalesce(title, '') || ' ', 3) || coalesce(text, '')), '[^[:alnum:]]+')) as term
    from articles
)
where length(term) > 1
group by all
on conflict do nothing;

insert into search_docs
select article_id, sum(tf) from search_terms group by article_id
on conflict do nothing;
