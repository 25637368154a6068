-- Full-text search over articles: the index the loader keeps and the BM25 query `dateline search`
-- runs. A word is a run of letters and digits, lower-cased, two characters or more; a title
-- counts three times. Each query starts with `-- name: <query>`.

-- name: index_articles
-- Index the articles of `_batch_ids` (their old rows were deleted with the batch's children).
insert into search_terms
select term, article_id, count(*) as tf
from (
    select article_id, unnest(regexp_split_to_array(
        lower(repeat(coalesce(title, '') || ' ', 3) || coalesce(text, '')), '[^[:alnum:]]+')) as term
    from articles
    where article_id in (select article_id from _batch_ids)
)
where length(term) > 1
group by all;

-- name: index_lengths
insert into search_docs
select article_id, sum(tf) from search_terms
where article_id in (select article_id from _batch_ids)
group by article_id;

-- name: query_terms
-- The query's words, made as the index makes them.
select distinct term
from (select unnest(regexp_split_to_array(lower($query), '[^[:alnum:]]+')) as term)
where length(term) > 1;

-- name: search
-- BM25 (k1 = 1.2, b = 0.75) over the query's words; optional filters: published on or after
-- $since, an event of type $type, a mention of an entity whose name contains $entity.
with stats as (
    select count(*) as n, avg(length) as avgdl from search_docs
),
df as (
    select term, count(*) as df from search_terms where list_contains($terms, term) group by term
),
candidates as (
    select a.article_id
    from articles a
    where ($since is null or a.published_at >= $since)
      and ($type is null or exists (select 1 from events e where e.article_id = a.article_id and e.event_type = $type))
      and ($entity is null or exists (select 1 from mentions m join entities en using (entity_id)
                                      where m.article_id = a.article_id and en.name ilike '%' || $entity || '%'))
),
scored as (
    select t.article_id,
           sum(ln(1 + (stats.n - df.df + 0.5) / (df.df + 0.5))
               * t.tf * 2.2 / (t.tf + 1.2 * (0.25 + 0.75 * d.length / stats.avgdl))) as score,
           count(*) as matched_terms
    from search_terms t
    join df using (term)
    join search_docs d using (article_id)
    cross join stats
    where list_contains($terms, t.term)
      and t.article_id in (select article_id from candidates)
    group by t.article_id
)
select s.article_id, s.score, s.matched_terms, a.title, a.url, cast(a.published_at as date) as published,
       a.text
from scored s join articles a using (article_id)
order by s.score desc, s.article_id
limit $limit;
