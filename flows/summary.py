"""What a finished run tells: the summary the CLI prints and the flow returns, and the Prefect
artifacts (run summary, report link, records per source) that tell the run's story in the UI."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)

from flows.run_record import RunCounts
from warehouse import loader


def summarize(db_path: Path, run_id: str, counts: RunCounts, top: int = 5) -> dict[str, Any]:
    """Counts, top entities and events of the warehouse after the run (for CLI and artifacts)."""
    con = loader.connect(db_path, read_only=True)
    try:
        totals = con.execute(
            "select (select count(*) from articles) articles, (select count(*) from entities) entities, "
            "(select count(*) from mentions) mentions, (select count(*) from events) events, "
            "(select count(*) from quarantine where run_id = $r) quarantined",
            {"r": run_id},
        ).fetchone()
        top_entities = con.execute(
            "select e.name, e.type, e.country_code, count(*) n from mentions m join entities e using (entity_id) "
            "group by all order by n desc, e.name limit $k",
            {"k": top},
        ).fetchall()
        top_events = con.execute(
            "select e.event_type, e.actor1_text, e.actor1_country, e.actor2_text, e.actor2_country, e.modality, "
            "e.event_date, substr(a.text, e.start_char + 1, e.end_char - e.start_char) evidence "
            "from events e join articles a using (article_id) order by e.confidence desc, e.event_id limit $k",
            {"k": top},
        ).fetchall()
        dq = con.execute(
            "select count(*), count(*) filter (where not success) from dq_results where run_id = $r", {"r": run_id}
        ).fetchone()
        quarantined = con.execute(
            "select table_name, record_key, reasons from quarantine where run_id = $r order by record_key limit 20",
            {"r": run_id},
        ).fetchall()
    finally:
        con.close()
    return {
        "run_id": run_id,
        "db_path": str(db_path),
        "run": {k: v for k, v in asdict(counts).items()},
        "warehouse": dict(zip(["articles", "entities", "mentions", "events", "quarantined"], totals)),
        "top_entities": [dict(zip(["name", "type", "country_code", "mentions"], r)) for r in top_entities],
        "top_events": [
            dict(zip(["event_type", "actor1", "actor1_country", "actor2", "actor2_country", "modality", "event_date", "evidence"], r))
            for r in top_events
        ],
        "quarantined": [dict(zip(["table", "record_key", "reasons"], r)) for r in quarantined],
        "dq": {"expectations": dq[0], "failed": dq[1]},
    }


def publish_artifacts(summary: dict[str, Any], counts: RunCounts) -> None:
    """A markdown summary and a per-source table, so the Prefect UI tells the run's story."""
    from dateline.report import summary_markdown

    create_markdown_artifact(key="dateline-run-summary", markdown=summary_markdown(summary), description="Dateline run summary")
    if summary.get("report"):
        create_link_artifact(key="dateline-report", link=f"file://{summary['report']}", link_text="Dateline report",
                             description="The warehouse's HTML report: charts, events with their evidence, data quality")
    rows = [{"source": s, **c} for s, c in counts.per_source.items()] or [{"source": "(none)", "records": 0, "problems": 0}]
    create_table_artifact(key="dateline-sources", table=rows, description="Records and problems per source")
