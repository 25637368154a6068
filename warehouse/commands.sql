-- Named queries the CLI, the run summary and the run lease read: `warehouse.queries.command_query(name)`.
-- Parameters are DuckDB's `$name` placeholders.

-- name: quarantine_rows
-- `dateline quarantine`: open rows (or all with $all), of one run or every run.
select run_id, table_name, record_key, array_to_string(reasons, '; ') as reasons,
       left(cast(record as varchar), 300) as record, source, quarantined_at, requeued_by
from quarantine
where ($run_id is null or run_id = $run_id) and ($all or requeued_by is null)
order by quarantined_at, table_name, record_key;

-- name: requeue_sources
-- `dateline requeue`: the sources behind open quarantine rows, of one run or every run.
select distinct source
from quarantine
where requeued_by is null and source is not null and ($run_id is null or run_id = $run_id)
order by source;

-- name: run_totals
-- The run summary: what the warehouse holds after run $run_id, and what that run quarantined.
select (select count(*) from articles) as articles,
       (select count(*) from entities) as entities,
       (select count(*) from mentions) as mentions,
       (select count(*) from events) as events,
       (select count(*) from quarantine where run_id = $run_id) as quarantined;

-- name: top_entities
-- The run summary: the $k most mentioned entities of the whole warehouse.
select e.name, e.type, e.country_code, count(*) as mentions
from mentions m join entities e using (entity_id)
group by all
order by mentions desc, e.name
limit $k;

-- name: top_events
-- The run summary: the $k most confident events, each with its evidence sentence.
select e.event_type, e.actor1_text as actor1, e.actor1_country, e.actor2_text as actor2, e.actor2_country,
       e.modality, e.event_date, substr(a.text, e.start_char + 1, e.end_char - e.start_char) as evidence
from events e join articles a using (article_id)
order by e.confidence desc, e.event_id
limit $k;

-- name: run_data_quality
-- The run summary: expectations checked in run $run_id, and how many had failing rows.
select count(*) as expectations, count(*) filter (where not success) as failed
from dq_results
where run_id = $run_id;

-- name: run_quarantine
-- The run summary: the first 20 rows run $run_id quarantined.
select table_name as "table", record_key, reasons
from quarantine
where run_id = $run_id
order by record_key
limit 20;

-- name: running_runs
-- Runs recorded as running: the next run checks each one's lease and marks a dead one interrupted.
select run_id from runs where status = 'running';

-- name: mark_interrupted
-- A run whose process is gone, or that was interrupted, unless it already finished.
update runs
set status = 'interrupted', finished_at = coalesce(finished_at, $now), message = $msg
where run_id = $run and status in ('running', 'staged');
