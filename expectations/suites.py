"""The data-quality suites, one per warehouse table, as code.

Each check is plain data (`Check`: a readable unique name, a GX expectation class name, its
arguments) so the names can be listed without importing Great Expectations (~5 s); `build_suite`
turns them into a GX `ExpectationSuite` only when validation runs. The name travels in the
expectation's `meta["name"]` and is what a quarantined row's `reasons` say.

Cross-table facts are derived columns from `expectations.checks` (leading underscore). So are
memberships in big value sets (ISO3 codes, PLOVER types, spaCy labels; `_member`): GX's per-batch
cost grows with the size of every `value_set` in the suite (its pydantic configuration is copied
many times per expectation per run, whatever the number of rows), so polars tests the membership
and GX checks the non-null flag it leaves. Small sets stay plain GX `ExpectColumnValuesToBeInSet`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from great_expectations.core import ExpectationSuite

TABLES: tuple[str, ...] = ("articles", "mentions", "events", "entities")

ENTITY_LABELS: tuple[str, ...] = (
    "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
    "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL",
)  # fmt: skip
"""spaCy's OntoNotes NER labels."""

@lru_cache(maxsize=1)
def plover_types() -> tuple[str, ...]:
    """The 16 PLOVER types, from the event ontology the extractor codes with (event_types.csv)."""
    from transforms.lexicon import load_event_types

    return tuple(load_event_types())


MODALITIES: tuple[str, ...] = ("asserted", "predicted", "conditional", "negated", "claimed")
DATE_PRECISIONS: tuple[str, ...] = ("day", "month", "year", "none")
QUAD_CLASSES: tuple[int, ...] = (1, 2, 3, 4)

EARLIEST_PUBLISHED = dt.datetime(1900, 1, 1, tzinfo=dt.timezone.utc)
FUTURE_SLACK = dt.timedelta(days=1)
"""published_at may run this far past `now`: feeds stamp local midnight in time zones ahead of UTC."""

PARENT_QUARANTINED = "articles.parent_quarantined"
ENTITY_QUARANTINED = "entities.parent_quarantined"
"""Cascade reasons: the row may be fine itself, but what it points at was not loaded."""


@lru_cache(maxsize=1)
def iso3_codes() -> tuple[str, ...]:
    """ISO 3166-1 alpha-3 codes plus XKX: the same list the gazetteer may emit."""
    from transforms.gazetteer import valid_iso3

    return tuple(sorted(valid_iso3()))


@dataclass(frozen=True)
class Check:
    """One expectation: `kind` is a class name in `great_expectations.expectations`."""

    name: str
    kind: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    notes: str = ""
    source: str | None = None
    """Membership checks (`_member`) only: the column the derived flag `kwargs["column"]` judges;
    its offending values are what `observed_value` reports."""
    allowed: tuple[Any, ...] = ()
    """Membership checks only: the values `source` may take (null is allowed too)."""


def _not_null(table: str, column: str, notes: str = "") -> Check:
    return Check(f"{table}.{column}.not_null", "ExpectColumnValuesToNotBeNull", {"column": column}, notes)


def _unique(table: str, column: str) -> Check:
    return Check(f"{table}.{column}.unique", "ExpectColumnValuesToBeUnique", {"column": column}, "Primary key.")


def _in_set(name: str, column: str, values: tuple[Any, ...], notes: str = "") -> Check:
    """Nulls pass (GX skips them); pair with `_not_null` where a value is required."""
    return Check(name, "ExpectColumnValuesToBeInSet", {"column": column, "value_set": list(values)}, notes)


def _true(name: str, column: str, notes: str) -> Check:
    """A derived boolean from expectations.checks must be True."""
    return _in_set(name, column, (True,), notes)


def _member(name: str, column: str, values: tuple[Any, ...], notes: str) -> Check:
    """`column` is null or one of `values`, as a derived flag `_<column>_<check>` (True/False, never
    null; computed by `expectations.checks.with_membership_flags`) that GX expects to be True."""
    flag = "_" + name.split(".", 1)[1].replace(".", "_")
    notes = f"{notes} Checked as the derived flag `{flag}` ({len(values)} values, tested in polars)."
    return replace(_true(name, flag, notes), source=column, allowed=tuple(values))


def _a_gt_b(name: str, a: str, b: str, *, or_equal: bool, notes: str) -> Check:
    # GX counts a row with one missing side as unexpected by default; nulls have their own checks.
    return Check(
        name,
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {"column_A": a, "column_B": b, "or_equal": or_equal, "ignore_row_if": "either_value_is_missing"},
        notes,
    )


def _iso3(table: str, column: str) -> Check:
    return _member(f"{table}.{column}.iso3", column, iso3_codes(), "ISO 3166 alpha-3 (or XKX); null allowed.")


def _offset_checks(table: str) -> list[Check]:
    return [
        _not_null(table, "start_char"),
        _not_null(table, "end_char"),
        Check(
            f"{table}.start_char.non_negative",
            "ExpectColumnValuesToBeBetween",
            {"column": "start_char", "min_value": 0},
        ),
        _a_gt_b(f"{table}.end_char.after_start", "end_char", "start_char", or_equal=False, notes="Non-empty span."),
        _a_gt_b(
            f"{table}.end_char.within_text",
            "_article_text_len",
            "end_char",
            or_equal=True,
            notes="Offsets index articles.text; unchecked when the article is not in this batch.",
        ),
        _true(
            f"{table}.article_id.exists",
            "_article_exists",
            "The article is in this batch or already in the warehouse.",
        ),
    ]


def article_checks() -> list[Check]:
    t = "articles"
    return [
        _not_null(t, "article_id"),
        _unique(t, "article_id"),
        _not_null(t, "text"),
        Check(
            "articles.text.non_empty",
            "ExpectColumnValueLengthsToBeBetween",
            {"column": "text", "min_value": 1},
            "Mentions and events need text to point into.",
        ),
        Check(
            "articles.word_count.between",
            "ExpectColumnValuesToBeBetween",
            {"column": "word_count", "min_value": 1, "max_value": 200_000},
            "Zero words is empty; more than 200k is a dump, not an article.",
        ),
        Check(
            "articles.published_at.not_future",
            "ExpectColumnValuesToBeBetween",
            {"column": "published_at", "max_value": {"$PARAMETER": "published_at_max"}},
            "At most the run's `now` + 1 day; null allowed.",
        ),
        Check(
            "articles.published_at.not_before_1900",
            "ExpectColumnValuesToBeBetween",
            {"column": "published_at", "min_value": {"$PARAMETER": "published_at_min"}},
            "Earlier dates are parse errors; null allowed.",
        ),
        Check(
            "articles.language.iso639_1",
            "ExpectColumnValuesToMatchRegex",
            {"column": "language", "regex": r"^[a-z]{2}$"},
            "Two lowercase letters; null allowed.",
        ),
        _not_null(t, "content_hash", "Change detection needs it."),
    ]


def mention_checks() -> list[Check]:
    t = "mentions"
    return [
        _not_null(t, "article_id"),
        _not_null(t, "mention_idx"),
        Check(
            "mentions.key.unique",
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["article_id", "mention_idx"]},
            "Primary key (article_id, mention_idx).",
        ),
        *_offset_checks(t),
        _true(
            "mentions.text.matches_slice",
            "_slice_ok",
            "text == articles.text[start_char:end_char]; unchecked when offsets are broken.",
        ),
        _not_null(t, "label"),
        _member("mentions.label.in_set", "label", ENTITY_LABELS, "A spaCy OntoNotes NER label."),
        _true(
            "mentions.entity_id.exists",
            "_entity_exists",
            "The entity is in this batch or already in the warehouse.",
        ),
    ]


def event_checks() -> list[Check]:
    t = "events"
    return [
        _not_null(t, "event_id"),
        _unique(t, "event_id"),
        _not_null(t, "event_type"),
        _member("events.event_type.plover", "event_type", plover_types(), "One of the 16 PLOVER types."),
        _not_null(t, "quad_class"),
        _in_set("events.quad_class.in_set", "quad_class", QUAD_CLASSES),
        _not_null(t, "confidence"),
        Check(
            "events.confidence.between",
            "ExpectColumnValuesToBeBetween",
            {"column": "confidence", "min_value": 0, "max_value": 1},
        ),
        _not_null(t, "modality"),
        _in_set("events.modality.in_set", "modality", MODALITIES),
        _not_null(t, "date_precision"),
        _in_set("events.date_precision.in_set", "date_precision", DATE_PRECISIONS),
        *_offset_checks(t),
        _iso3(t, "actor1_country"),
        _iso3(t, "actor2_country"),
        _iso3(t, "location_country"),
        _true(
            "events.event_date.not_after_published",
            "_date_ok",
            "event_date <= article published_at + 1 day, unless predicted or conditional.",
        ),
    ]


def entity_checks() -> list[Check]:
    t = "entities"
    return [
        _not_null(t, "entity_id"),
        _unique(t, "entity_id"),
        _not_null(t, "name"),
        Check("entities.name.non_empty", "ExpectColumnValueLengthsToBeBetween", {"column": "name", "min_value": 1}),
        _not_null(t, "type"),
        _member("entities.type.in_set", "type", ENTITY_LABELS, "A spaCy OntoNotes NER label."),
        _iso3(t, "country_code"),
    ]


CHECKS = {
    "articles": article_checks,
    "mentions": mention_checks,
    "events": event_checks,
    "entities": entity_checks,
}


def checks_for(table: str) -> list[Check]:
    """The checks of one suite; names are unique across all suites."""
    return CHECKS[table]()


def expectation_names(table: str) -> list[str]:
    return [c.name for c in checks_for(table)]


def membership_flags(table: str) -> dict[str, tuple[str, tuple[Any, ...]]]:
    """{derived flag: (column it judges, allowed values)} for the table's membership checks."""
    return {c.kwargs["column"]: (c.source, c.allowed) for c in checks_for(table) if c.source is not None}


_COLUMN_ARGS = ("column", "column_A", "column_B")


def gx_columns(table: str) -> list[str]:
    """The columns the table's GX suite reads, in first-use order (GX gets only these and `_row`)."""
    out: dict[str, None] = {}
    for check in checks_for(table):
        for arg in _COLUMN_ARGS:
            if arg in check.kwargs:
                out[check.kwargs[arg]] = None
        for column in check.kwargs.get("column_list", ()):
            out[column] = None
    return list(out)


def suite_parameters(now: dt.datetime) -> dict[str, dt.datetime]:
    """Values for the suites' `$PARAMETER`s: the batch's `now` is not part of the saved suite."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    return {"published_at_max": now + FUTURE_SLACK, "published_at_min": EARLIEST_PUBLISHED}


def build_suite(table: str) -> "ExpectationSuite":
    """A GX ExpectationSuite named after the table (imports GX)."""
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=table)
    for check in checks_for(table):
        cls = getattr(gx.expectations, check.kind)
        suite.add_expectation(cls(**check.kwargs, meta={"name": check.name}, notes=check.notes or None,
                                  description=describe(check)))
    return suite


def describe(check: Check) -> str:
    """What Data Docs show for the check: its name, the one a quarantined row's `reasons` give,
    then what it asks (GX's own wording names only the expectation class)."""
    column = check.source or check.kwargs.get("column") or ", ".join(
        str(v) for k, v in check.kwargs.items() if k.startswith("column"))
    what = check.notes or f"{check.kind.removeprefix('Expect')} on {column}"
    return f"{check.name}: {what}".replace("$", "$$")
