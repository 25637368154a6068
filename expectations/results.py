"""Read a GX suite validation result back as result rows and per-row reasons.

The runners (`expectations.gx_project`) ask GX to name failing rows by `_row`; this turns one
table's result into {row: [failed expectation names]} for quarantine and one row per expectation
for `dq_results`. Membership checks are reported on their source column, as if GX had tested that
column itself. An expectation GX could not evaluate raises `ExpectationError` instead of letting
rows pass.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl

from expectations.checks import ROW
from expectations.suites import Check, checks_for


class ExpectationError(RuntimeError):
    """An expectation could not be evaluated (a bug, not bad data): fail loudly rather than pass rows."""


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return str(value)


def _observed(result: dict[str, Any]) -> str | None:
    """observed_value if GX gives one, else the commonest unexpected values (map expectations)."""
    if result.get("observed_value") is not None:
        return json.dumps(result["observed_value"], default=_json_default, ensure_ascii=False)
    counts = result.get("partial_unexpected_counts")
    if counts:
        top = [{"value": c.get("value"), "count": c.get("count")} for c in counts[:5]]
        return json.dumps(top, default=_json_default, ensure_ascii=False)
    return None


def _exception_message(info: Any) -> str | None:
    """GX reports errors flat ({raised_exception, ...}) or per metric ({metric_id: {...}})."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _source_counts(frame: pl.DataFrame, check: Check, rows: set[int]) -> str | None:
    """observed_value of a membership check: the commonest offending values of its source column,
    as GX would report them had it tested the column itself (not the derived flag)."""
    if not rows:
        return None
    counts = (
        frame.filter(pl.col(ROW).is_in(sorted(rows)))
        .get_column(check.source)
        .value_counts(name="count")
        .sort(["count", check.source], descending=[True, False])
        .head(5)
    )
    top = [{"value": v, "count": n} for v, n in counts.iter_rows()]
    return json.dumps(top, default=_json_default, ensure_ascii=False)


def _parse(
    table: str, validation: Any, frame: pl.DataFrame
) -> tuple[list[dict[str, Any]], dict[int, list[str]]]:
    """Result rows and {row index: [failed expectation names]} from one suite validation result.

    `frame` is the derived frame GX validated (a superset of its columns): membership checks report
    their source column's non-null share and values, as when GX tested that column directly.
    """
    suite = checks_for(table)
    order = {c.name: i for i, c in enumerate(suite)}
    by_name = {c.name: c for c in suite}
    rows: list[dict[str, Any]] = []
    failed: dict[int, list[str]] = {}
    for er in validation.results:
        config = er.expectation_config
        name = (config.meta or {}).get("name") or f"{table}.{config.type}"
        error = _exception_message(er.exception_info)
        if error is not None:
            raise ExpectationError(f"{name}: {error}")
        result = dict(er.result or {})
        unexpected = int(result.get("unexpected_count") or 0)
        index_list = result.get("unexpected_index_list") or []
        bad_rows = {int(item[ROW]) for item in index_list}
        if not er.success and not bad_rows:
            raise ExpectationError(f"{name} failed but GX named no rows")
        if len(bad_rows) < unexpected:  # GX must not lose rows (e.g. to nulls)
            raise ExpectationError(f"{name}: {unexpected} unexpected but {len(bad_rows)} rows named")
        for r in bad_rows:
            failed.setdefault(r, []).append(name)
        percent = result.get("unexpected_percent")
        observed = _observed(result)
        check = by_name.get(name)
        if check is not None and check.source is not None:
            non_null = frame.height - frame.get_column(check.source).null_count()
            percent = 100.0 * unexpected / non_null if non_null else None
            observed = _source_counts(frame, check, bad_rows)
        rows.append(
            {
                "suite": table,
                "expectation": name,
                "success": bool(er.success),
                "element_count": int(result.get("element_count") or 0),
                "unexpected_count": unexpected,
                "unexpected_percent": float(percent) if percent is not None else 0.0,
                "observed_value": observed,
            }
        )
    rows.sort(key=lambda r: order.get(r["expectation"], len(order)))
    for reasons in failed.values():
        reasons.sort(key=lambda n: order.get(n, len(order)))
    return rows, failed
