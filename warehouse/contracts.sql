-- Warehouse contracts: each query returns the rows that break one rule and must return none.
-- The loader runs them inside every batch's transaction over the batch's articles (the relation
-- `_scope(article_id)`), and rolls the batch back when any returns a row; `dateline check` runs
-- them over the whole warehouse. Each query starts with `-- name: <contract>`.

-- name: articles_key_unique
select article_id, count(*) as copies
from articles where article_id in (select article_id from _scope)
group by all having count(*) > 1;

-- name: mentions_key_unique
select article_id, mention_idx, count(*) as copies
from mentions where article_id in (select article_id from _scope)
group by all having count(*) > 1;

-- name: events_key_unique
select event_id, count(*) as copies
from events where article_id in (select article_id from _scope)
group by all having count(*) > 1;

-- name: entities_key_unique
select entity_id, count(*) as copies from entities group by all having count(*) > 1;

-- name: mentions_have_article
select m.article_id, m.mention_idx
from mentions m anti join articles a using (article_id)
where m.article_id in (select article_id from _scope);

-- name: events_have_article
select e.event_id, e.article_id
from events e anti join articles a using (article_id)
where e.article_id in (select article_id from _scope);

-- name: mentions_have_entity
select m.article_id, m.mention_idx, m.entity_id
from mentions m anti join entities en using (entity_id)
where m.article_id in (select article_id from _scope) and m.entity_id is not null;

-- name: event_actors_have_entity
select e.event_id, x.entity_id
from events e, unnest([e.actor1_entity_id, e.actor2_entity_id, e.location_entity_id]) as x(entity_id)
where e.article_id in (select article_id from _scope)
  and x.entity_id is not null
  and x.entity_id not in (select entity_id from entities);

-- name: mention_offsets_inside_article
-- A mention's offsets select exactly its text from the article's clean text.
select m.article_id, m.mention_idx, m.start_char, m.end_char, m.text
from mentions m join articles a using (article_id)
where m.article_id in (select article_id from _scope)
  and (m.start_char < 0 or m.end_char <= m.start_char or m.end_char > length(a.text)
       or substr(a.text, m.start_char + 1, m.end_char - m.start_char) <> m.text);

-- name: event_offsets_inside_article
-- The evidence sentence lies in the text; the trigger and the actors' spans lie in the text too.
select e.event_id, e.start_char, e.end_char, e.trigger_start, e.trigger_end
from events e join articles a using (article_id)
where e.article_id in (select article_id from _scope)
  and (e.start_char < 0 or e.end_char <= e.start_char or e.end_char > length(a.text)
       or (e.trigger_start is not null
           and (e.trigger_start < e.start_char or e.trigger_end > e.end_char or e.trigger_end <= e.trigger_start))
       or (e.actor1_start is not null and (e.actor1_start < 0 or e.actor1_end > length(a.text)))
       or (e.actor2_start is not null and (e.actor2_start < 0 or e.actor2_end > length(a.text))));

-- name: country_codes_valid
select 'entities' as table_name, entity_id as record_key, country_code as code
from entities
where country_code is not null and country_code not in (select code from country_codes)
union all
select 'events', e.event_id, x.code
from events e, unnest([e.actor1_country, e.actor2_country, e.location_country]) as x(code)
where e.article_id in (select article_id from _scope)
  and x.code is not null and x.code not in (select code from country_codes);

-- name: event_types_known
select event_id, event_type
from events
where article_id in (select article_id from _scope)
  and event_type not in (select event_type from event_types);
