"""What a finished run tells: the summary the flow returns, the lines the CLI prints from it, and
the Prefect artifacts (run summary, report link, records per source) that tell the run's story in
the UI. Its queries are named in `warehouse/commands.sql`."""

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
from warehouse.queries import command_query


def summarize(db_path: Path, run_id: str, counts: RunCounts, top: int = 5) -> dict[str, Any]:
    """Counts, top entities and events of the warehouse after the run (for CLI and artifacts)."""
    con = loader.connect(db_path, read_only=True)
    try:
        def rows(name: str, **params: Any) -> list[dict[str, Any]]:
            result = con.execute(command_query(name), params)
            columns = [d[0] for d in result.description]
            return [dict(zip(columns, row)) for row in result.fetchall()]

        [totals] = rows("run_totals", run_id=run_id)
        top_entities = rows("top_entities", k=top)
        top_events = rows("top_events", k=top)
        [dq] = rows("run_data_quality", run_id=run_id)
        quarantined = rows("run_quarantine", run_id=run_id)
    finally:
        con.close()
    return {
        "run_id": run_id,
        "db_path": str(db_path),
        "run": {k: v for k, v in asdict(counts).items()},
        "warehouse": totals,
        "top_entities": top_entities,
        "top_events": top_events,
        "quarantined": quarantined,
        "dq": dq,
    }


def publish_artifacts(summary: dict[str, Any], counts: RunCounts) -> None:
    """A markdown summary and a per-source table, so the Prefect UI tells the run's story."""
    create_markdown_artifact(key="dateline-run-summary", markdown=summary_markdown(summary), description="Dateline run summary")
    if summary.get("report"):
        create_link_artifact(key="dateline-report", link=f"file://{summary['report']}", link_text="Dateline report",
                             description="The warehouse's HTML report: charts, events with their evidence, data quality")
    rows = [{"source": s, **c} for s, c in counts.per_source.items()] or [{"source": "(none)", "records": 0, "problems": 0}]
    create_table_artifact(key="dateline-sources", table=rows, description="Records and problems per source")


def _fmt(value: Any) -> str:
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def _actor(text: Any, country: Any) -> str:
    if not text:
        return "–"
    return f"{_fmt(text)} ({country})" if country else _fmt(text)


def _time_line(run: dict[str, Any]) -> list[str]:
    """Where the time went: start-up (checks and imports, Prefect) apart from the run's own stages."""
    if "total_seconds" not in run:
        return []
    startup = run.get("startup_seconds", {})
    stages = ", ".join(f"{name.replace('_', ' ')} {s:.1f}" for name, s in run.get("seconds", {}).items() if s >= 0.05)
    return [f"  time: {run['total_seconds']:.1f} s; start-up {sum(startup.values()):.1f} s (checks and imports "
            f"{startup.get('checks_and_imports', 0):.1f}, Prefect {startup.get('prefect', 0):.1f}); "
            f"stages {stages} (the model loads in the first NLP stage)"]


def summary_text(summary: dict[str, Any]) -> str:
    """A few lines for the terminal: counts, top entities and events."""
    run, wh = summary["run"], summary["warehouse"]
    lines = [
        f"run {summary['run_id']} → {summary['db_path']}",
        f"  articles: {run['articles_in']} read, {run['articles_new']} loaded, {run['articles_unchanged']} unchanged, "
        f"{run['articles_duplicate']} duplicate, {run['articles_quarantined']} quarantined",
        f"  loaded: {run['mentions_loaded']} mentions, {run['events_loaded']} events"
        + (f" ({run['copies_annotated_once']} exact copies took an earlier article's annotation)"
           if run.get("copies_annotated_once") else ""),
        *_time_line(run),
        f"  warehouse: {wh['articles']} articles, {wh['entities']} entities, {wh['mentions']} mentions, "
        f"{wh['events']} events; {wh['quarantined']} rows quarantined this run",
    ]
    if summary["top_entities"]:
        lines.append("  top entities: " + ", ".join(
            f"{e['name']} ({e['type']}{', ' + e['country_code'] if e['country_code'] else ''}) ×{e['mentions']}"
            for e in summary["top_entities"]))
    for ev in summary["top_events"]:
        lines.append(
            f"  event {ev['event_type']}: {ev['actor1'] or '?'} [{ev['actor1_country'] or '-'}] → "
            f"{ev['actor2'] or '?'} [{ev['actor2_country'] or '-'}] ({ev['modality']}, {ev['event_date'] or 'undated'})"
        )
    for q in summary["quarantined"][:5]:
        lines.append(f"  quarantined {q['table']} {q['record_key']}: {'; '.join(q['reasons'])}")
    if summary.get("dq"):
        lines.append(f"  data quality: {summary['dq']['expectations']} expectations checked, "
                     f"{summary['dq']['failed']} with failing rows (see `dateline quarantine`)")
    if summary.get("data_docs"):
        lines.append(f"  data docs: {summary['data_docs']}")
    if summary.get("report"):
        lines.append(f"  report: {summary['report']} (charts, events with evidence; `dateline report` for a period)")
    return "\n".join(lines)


def summary_markdown(summary: dict[str, Any]) -> str:
    """The run's story for the Prefect UI: counts, top entities, events with evidence, quarantine."""
    run, wh = summary["run"], summary["warehouse"]
    out = [
        f"# Dateline run `{summary['run_id']}`",
        "",
        "| read | loaded | unchanged | duplicate | quarantined | mentions | events |",
        "|---|---|---|---|---|---|---|",
        f"| {run['articles_in']} | {run['articles_new']} | {run['articles_unchanged']} | {run['articles_duplicate']} "
        f"| {run['articles_quarantined']} | {run['mentions_loaded']} | {run['events_loaded']} |",
        "",
        f"Warehouse `{summary['db_path']}`: {wh['articles']} articles, {wh['entities']} entities, "
        f"{wh['mentions']} mentions, {wh['events']} events.",
        "",
        f"**Report** (charts, who acts on whom, a world map, events with their evidence): "
        f"[{summary['report']}](file://{summary['report']})" if summary.get("report") else "",
        "",
        "## Top entities",
        "| entity | type | country | mentions |",
        "|---|---|---|---|",
        *[f"| {_fmt(e['name'])} | {e['type']} | {_fmt(e['country_code'])} | {e['mentions']} |" for e in summary["top_entities"]],
        "",
        "## Top events",
        "| type | actor1 | actor2 | modality | date | evidence |",
        "|---|---|---|---|---|---|",
        *[
            f"| {e['event_type']} | {_actor(e['actor1'], e['actor1_country'])} | {_actor(e['actor2'], e['actor2_country'])} "
            f"| {e['modality']} | {_fmt(e['event_date'])} | {_fmt(e['evidence'])[:300]} |"
            for e in summary["top_events"]
        ],
        "",
        "## Data quality",
        f"{summary['dq']['expectations']} expectations checked, {summary['dq']['failed']} with failing rows."
        if summary.get("dq") else "",
        f"Great Expectations Data Docs: [{summary.get('data_docs')}](file://{summary.get('data_docs')})"
        if summary.get("data_docs") else "Data Docs not built.",
        "",
        "## Quarantined",
    ]
    if summary["quarantined"]:
        out += ["| table | record | reasons |", "|---|---|---|"]
        out += [f"| {q['table']} | {_fmt(q['record_key'])} | {_fmt('; '.join(q['reasons']))} |" for q in summary["quarantined"]]
    else:
        out.append("Nothing quarantined.")
    return "\n".join(out)
