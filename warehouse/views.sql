-- Dateline analysis views: one view per question, re-created from this file each time a run opens
-- the warehouse (edit here, not in the file). Staging views first, then the views that read them.

-- Every surface form of each entity and how often it was written so (derived, never stale).
create or replace view entity_aliases as
select m.entity_id, m.text as alias, count(*) as count
from mentions m
group by all;

-- Events a careful coder would accept at least 9 times in 10: `confidence` is the calibrated
-- probability that the row is a real event of its type (transforms/calibration.py), and this
-- threshold is `confident_at` in transforms/data/calibration.json, the lowest probability whose rows
-- were right >= 90 % of the time on real news the model was not fitted on (a test keeps the two equal).
create or replace view events_confident as
select * from events where confidence >= 0.886;

-- Staging: which day each event happened, owned here and nowhere else. The event's own date when
-- the text gives a day; otherwise the article's publication day for a fresh act; never that day
-- for a historical mention (`is_historical`: "since 2022", "in 1950"), which has no day and is
-- left out. Every view that counts events reads this one.
create or replace view dated_events as
with sourced as (
    select e.*, a.url, a.domain, a.dup_of, a.published_at, a.ingested_at,
           case when e.date_precision = 'day' then 'event_date'
                when not coalesce(e.is_historical, false) then 'published_at'
           end as dated_by
    from events e join articles a using (article_id)
),
days as (
    select *, case dated_by when 'event_date' then event_date
                            when 'published_at' then cast(published_at as date) end as day
    from sourced
)
select * from days where day is not null;

-- Events per day, type and actor country (asserted and claimed acts; see `dated_events` for the
-- day, and `dated_by` for where it came from).
create or replace view daily_event_counts as
select day, dated_by, event_type, actor1_country,
       count(*) as events,
       count(distinct coalesce(dup_of, article_id)) as independent_reports
from dated_events
where modality not in ('predicted', 'conditional', 'negated')
group by all;

-- Actor dyads: who acts on whom, by GDELT QuadClass (1 verbal coop … 4 material conflict).
create or replace view dyads as
select actor1_country, actor2_country, quad_class,
       count(*) as events,
       count(distinct coalesce(dup_of, article_id)) as independent_reports
from dated_events
where actor1_country is not null and actor2_country is not null
group by all;

-- Entities mentioned together in the same article (each unordered pair once per article).
create or replace view entity_cooccurrence as
with pairs as (
    select distinct m1.article_id, m1.entity_id as entity1_id, m2.entity_id as entity2_id
    from mentions m1 join mentions m2
      on m1.article_id = m2.article_id and m1.entity_id < m2.entity_id
)
select p.entity1_id, e1.name as entity1, p.entity2_id, e2.name as entity2, count(*) as articles
from pairs p
join entities e1 on e1.entity_id = p.entity1_id
join entities e2 on e2.entity_id = p.entity2_id
group by all;

-- Most mentioned entities per publication day.
create or replace view top_entities_daily as
select cast(a.published_at as date) as day, e.entity_id, e.name, e.type, e.country_code,
       count(*) as mentions, count(distinct m.article_id) as articles
from mentions m
join articles a using (article_id)
join entities e using (entity_id)
group by all;

-- GDELT 2.0 event-table column names over Dateline's events, so existing GDELT SQL runs here.
-- NumMentions/NumSources/NumArticles count reports of the same event (same day, type and dyad),
-- with syndicated copies (dup_of) counted once in NumArticles; NumSources counts distinct domains.
create or replace view gdelt_events as
with counted as (
    select *,
           count(*) over w as num_mentions,
           count(distinct coalesce(dup_of, article_id)) over w as num_articles,
           count(distinct coalesce(domain, article_id)) over w as num_sources
    from dated_events
    window w as (partition by day, event_type, actor1_country, actor2_country)
)
select
    event_id                                         as GLOBALEVENTID,
    cast(strftime(day, '%Y%m%d') as integer)         as SQLDATE,
    cast(strftime(day, '%Y%m') as integer)           as MonthYear,
    year(day)                                        as "Year",
    actor1_text                                      as Actor1Name,
    actor1_country                                   as Actor1CountryCode,
    actor2_text                                      as Actor2Name,
    actor2_country                                   as Actor2CountryCode,
    case when modality in ('asserted', 'claimed') then 1 else 0 end as IsRootEvent,
    coalesce(cameo_code, t.cameo_root)               as EventCode,
    coalesce(left(cameo_code, 3), t.cameo_root)      as EventBaseCode,
    t.cameo_root                                     as EventRootCode,
    counted.quad_class                               as QuadClass,
    counted.intensity                                as GoldsteinScale,
    num_mentions                                     as NumMentions,
    num_sources                                      as NumSources,
    num_articles                                     as NumArticles,
    location_text                                    as ActionGeo_FullName,
    location_country                                 as ActionGeo_CountryCode,
    cast(strftime(coalesce(ingested_at, published_at), '%Y%m%d%H%M%S') as bigint) as DATEADDED,
    url                                              as SOURCEURL,
    event_type                                       as PloverType,
    modality                                         as Modality
from counted left join event_types t using (event_type);
