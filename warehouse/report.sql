-- What `dateline report` shows. Every query takes $since and $until (dates, or null) and $country
-- (an ISO3 code, or null: events with the country on either side, articles that mention it).
-- Event counts read `dated_events` (the day an act happened; historical mentions left out) and
-- keep asserted and claimed acts. Each query starts with `-- name: <query>`.

-- name: scoped_events
-- The events the report counts; registered as `report_events` for the queries below.
select *
from dated_events
where modality in ('asserted', 'claimed')
  and ($since is null or day >= $since)
  and ($until is null or day <= $until)
  and ($country is null or actor1_country = $country or actor2_country = $country);

-- name: totals
select (select count(*) from report_events) as events,
       (select count(distinct article_id) from report_events) as articles_with_events,
       (select count(*) from articles) as articles,
       (select count(*) from entities) as entities,
       (select min(day) from report_events) as first_day,
       (select max(day) from report_events) as last_day;

-- name: timeline
-- Events per day (per week past 120 days) and QuadClass.
with span as (select coalesce(max(day) - min(day), 0) > 120 as weekly from report_events)
select case when weekly then date_trunc('week', day) else day end as period,
       quad_class, count(*) as events
from report_events, span
group by all
order by period, quad_class;

-- name: dyads
-- Who acts on whom: the countries with most events, each pair's count and commonest type.
with top as (
    select country from (
        select actor1_country as country from report_events where actor1_country is not null
        union all
        select actor2_country from report_events where actor2_country is not null
    ) group by country order by count(*) desc, country limit 15
)
select actor1_country, actor2_country, count(*) as events, mode(event_type) as commonest_type
from report_events
where actor1_country in (select country from top) and actor2_country in (select country from top)
group by all;

-- name: countries
-- Events each country took part in, on either side (the map).
select country, count(*) as events from (
    select event_id, actor1_country as country from report_events where actor1_country is not null
    union
    select event_id, actor2_country from report_events where actor2_country is not null
) group by country;

-- name: top_entities
-- The most mentioned entities of the scoped articles.
with scope as (
    select article_id, cast(published_at as date) as day from articles
    where ($since is null or cast(published_at as date) >= $since)
      and ($until is null or cast(published_at as date) <= $until)
      and ($country is null or article_id in (select article_id from mentions m join entities e using (entity_id)
                                                where e.country_code = $country))
)
select e.entity_id, e.name, e.type, e.country_code, count(*) as mentions, count(distinct m.article_id) as articles
from mentions m join scope using (article_id) join entities e using (entity_id)
group by all
order by mentions desc, e.name
limit 20;

-- name: entity_trend
-- Mentions per publication day of the entities in $entities (the sparklines).
select e.name, cast(a.published_at as date) as day, count(*) as mentions
from mentions m join articles a using (article_id) join entities e using (entity_id)
where list_contains($entities, m.entity_id) and a.published_at is not null
  and ($since is null or cast(a.published_at as date) >= $since)
  and ($until is null or cast(a.published_at as date) <= $until)
group by all
order by day;

-- name: cooccurrence
-- Articles that mention two of the entities in $entities.
with pairs as (
    select distinct m1.article_id, m1.entity_id as a, m2.entity_id as b
    from mentions m1 join mentions m2 on m1.article_id = m2.article_id and m1.entity_id < m2.entity_id
    where list_contains($entities, m1.entity_id) and list_contains($entities, m2.entity_id)
)
select a, b, count(*) as articles from pairs group by all;

-- name: event_table
-- The most confident recent events with their evidence and where the trigger and actors sit in it.
select e.event_id, e.day, e.event_type, e.quad_class, e.modality, e.confidence,
       e.actor1_text, e.actor1_country, e.actor2_text, e.actor2_country,
       substr(a.text, e.start_char + 1, e.end_char - e.start_char) as evidence,
       e.trigger_start - e.start_char as trigger_from, e.trigger_end - e.start_char as trigger_to,
       e.actor1_start - e.start_char as actor1_from, e.actor1_end - e.start_char as actor1_to,
       e.actor2_start - e.start_char as actor2_from, e.actor2_end - e.start_char as actor2_to,
       a.title, a.url, e.article_id
from report_events e join articles a using (article_id)
order by e.day desc, e.confidence desc, e.event_id
limit 300;

-- name: quarantine_reasons
select table_name, reason, count(*) as records
from (select table_name, unnest(reasons) as reason from quarantine where requeued_by is null)
group by all
order by records desc
limit 20;

-- name: last_runs
select run_id, status, started_at, finished_at, articles_in, articles_new, articles_quarantined, events_loaded, message
from runs
order by started_at desc
limit 10;
