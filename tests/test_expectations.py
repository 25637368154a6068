"""Behaviour of the data-quality gate: what gets loaded, what gets quarantined and why.

Frames are built by hand with schemas parsed from warehouse/schema.sql, so a column added or
retyped there is exercised here too. GX runs once per table per validate_batch call; the module
shares one ephemeral context (building it is the slow part).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from helpers import offline_dom

from expectations import checks
from expectations.gx_project import DOCS_INDEX_RESULTS, GxProject
from expectations.suites import TABLES, checks_for, expectation_names
from expectations.validate import BatchTables, ExpectationError, ValidationOutcome, validate_batch

ROOT = Path(__file__).resolve().parents[1]
UTC = dt.timezone.utc
NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

_SQL_TYPES: dict[str, pl.DataType] = {
    "varchar": pl.String,
    "integer": pl.Int32,
    "bigint": pl.Int64,
    "double": pl.Float64,
    "boolean": pl.Boolean,
    "date": pl.Date,
    "timestamptz": pl.Datetime("us", "UTC"),
    "json": pl.String,
    "varchar[]": pl.List(pl.String),
}


def _schema(table: str) -> dict[str, pl.DataType]:
    """Column → polars dtype for one table of warehouse/schema.sql."""
    sql = (ROOT / "warehouse" / "schema.sql").read_text()
    body = re.search(rf"create table if not exists {table} \((.*?)\n\);", sql, re.S)
    assert body, table
    out: dict[str, pl.DataType] = {}
    for line in body.group(1).splitlines():
        line = line.split("--")[0].strip().rstrip(",")
        if not line or line.startswith("primary key"):
            continue
        name, sql_type = line.split()[:2]
        out[name] = _SQL_TYPES[sql_type]
    return out


SCHEMAS = {t: _schema(t) for t in TABLES}


def frame(table: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows with only the interesting columns; the rest are null, all typed as in schema.sql."""
    schema = SCHEMAS[table]
    return pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema)


TEXTS = {
    "a1": "Russia accused Ukraine of shelling Kyiv.",
    "a2": "France and Germany agreed to cooperate on energy.",
    "a3": "The UN called for talks in Geneva.",
    "a4": "",
    "a5": "Protesters marched in Paris on Monday.",
}


def article(aid: str, **over: Any) -> dict[str, Any]:
    text = over.pop("text", TEXTS[aid])
    row = {
        "article_id": aid,
        "title": aid,
        "published_at": dt.datetime(2025, 5, 30, 8, 0, tzinfo=UTC),
        "published_precision": "time",
        "language": "en",
        "text": text,
        "word_count": len(text.split()),
        "content_hash": f"h-{aid}",
    }
    row.update(over)
    return row


def mention(aid: str, idx: int, surface: str, label: str = "GPE", **over: Any) -> dict[str, Any]:
    """A mention of `surface` at its true offsets in the article text."""
    start = TEXTS.get(aid, surface).find(surface)
    row = {
        "article_id": aid,
        "mention_idx": idx,
        "entity_id": f"e-{surface}",
        "text": surface,
        "label": label,
        "start_char": start,
        "end_char": start + len(surface),
        "sent_idx": 0,
    }
    row.update(over)
    return row


def event(eid: str, aid: str, **over: Any) -> dict[str, Any]:
    row = {
        "event_id": eid,
        "article_id": aid,
        "sent_idx": 0,
        "start_char": 0,
        "end_char": len(TEXTS[aid]),
        "trigger": "x",
        "event_type": "ACCUSE",
        "quad_class": 3,
        "intensity": -2.0,
        "actor1_country": "RUS",
        "actor2_country": "UKR",
        "event_date": dt.date(2025, 5, 29),
        "date_precision": "day",
        "modality": "asserted",
        "negated": False,
        "confidence": 0.8,
    }
    row.update(over)
    return row


def entity(name: str, etype: str = "GPE", country: str | None = None, **over: Any) -> dict[str, Any]:
    row = {"entity_id": f"e-{name}", "name": name, "type": etype, "country_code": country}
    row.update(over)
    return row


ENTITIES = [
    entity("Russia", country="RUS"),
    entity("Ukraine", country="UKR"),
    entity("Kyiv", country="UKR"),
    entity("France", country="FRA"),
    entity("Germany", country="DEU"),
    entity("UN", "ORG"),
    entity("Geneva", country="CHE"),
    entity("Paris", country="FRA"),
]


def good_batch(**over: list[dict[str, Any]]) -> BatchTables:
    """3 clean articles (a1-a3) with mentions, events and entities; override any table's rows."""
    rows = {
        "articles": [article("a1"), article("a2"), article("a3")],
        "mentions": [
            mention("a1", 0, "Russia"),
            mention("a1", 1, "Ukraine"),
            mention("a1", 2, "Kyiv"),
            mention("a2", 0, "France"),
            mention("a2", 1, "Germany"),
            mention("a3", 0, "UN", "ORG"),
            mention("a3", 1, "Geneva"),
        ],
        "events": [
            event("ev1", "a1"),
            event("ev2", "a2", event_type="AGREE", quad_class=1, actor1_country="FRA", actor2_country="DEU"),
        ],
        "entities": ENTITIES,
    }
    rows.update(over)
    return BatchTables(**{t: frame(t, rows[t]) for t in TABLES})


def reasons_of(outcome: ValidationOutcome, table: str) -> dict[str, list[str]]:
    q = outcome.quarantine.filter(pl.col("table_name") == table)
    return dict(zip(q["record_key"].to_list(), q["reasons"].to_list()))


def result_row(outcome: ValidationOutcome, expectation: str) -> dict[str, Any]:
    rows = outcome.results.filter(pl.col("expectation") == expectation).to_dicts()
    assert len(rows) == 1, expectation
    return rows[0]


# ------------------------------------------------------------------------ the headline batch


@pytest.fixture(scope="module")
def five_articles() -> ValidationOutcome:
    """5 articles: a4 has empty text, a5 is dated 2999; both have a mention and an event."""
    batch = good_batch(
        articles=[
            article("a1"),
            article("a2"),
            article("a3"),
            article("a4"),
            article("a5", published_at=dt.datetime(2999, 1, 1, tzinfo=UTC)),
        ],
        mentions=good_batch().mentions.to_dicts()
        + [mention("a5", 0, "Paris"), mention("a4", 0, "", start_char=0, end_char=0, entity_id="e-Paris")],
        events=good_batch().events.to_dicts()
        + [
            event("ev5", "a5", event_type="PROTEST", quad_class=3, event_date=None),
            event("ev4", "a4", start_char=0, end_char=0),
        ],
    )
    return validate_batch(batch, now=NOW, known_entity_ids=frozenset())


def test_bad_articles_quarantined_with_exact_reasons(five_articles: ValidationOutcome) -> None:
    out = five_articles
    assert out.passed.articles["article_id"].to_list() == ["a1", "a2", "a3"]
    assert reasons_of(out, "articles") == {
        "a4": ["articles.text.non_empty", "articles.word_count.between"],
        "a5": ["articles.published_at.not_future"],
    }
    assert (out.articles_in, out.articles_quarantined) == (5, 2)
    assert out.quarantined_share == pytest.approx(0.4)


def test_children_of_quarantined_articles_cascade(five_articles: ValidationOutcome) -> None:
    out = five_articles
    mentions = reasons_of(out, "mentions")
    assert mentions["a5:0"] == ["articles.parent_quarantined"]
    # a4's mention is broken itself (empty span) and also follows its article.
    assert mentions["a4:0"] == ["mentions.end_char.after_start", "articles.parent_quarantined"]
    events = reasons_of(out, "events")
    assert events["ev5"] == ["articles.parent_quarantined"]
    assert "articles.parent_quarantined" in events["ev4"]
    assert set(out.passed.mentions["article_id"]) == {"a1", "a2", "a3"}
    assert out.passed.events["event_id"].to_list() == ["ev1", "ev2"]
    # Nothing silently dropped: every input row is either passed or quarantined.
    for table, n_in in (("mentions", 9), ("events", 4), ("entities", len(ENTITIES))):
        n_q = out.quarantine.filter(pl.col("table_name") == table).height
        assert out.passed.get(table).height + n_q == n_in, table


def test_passed_frames_keep_input_schema(five_articles: ValidationOutcome) -> None:
    for table in TABLES:
        assert five_articles.passed.get(table).schema == pl.Schema(SCHEMAS[table]), table


def test_quarantine_record_is_the_row_as_json(five_articles: ValidationOutcome) -> None:
    q = five_articles.quarantine
    assert q.schema == pl.Schema(
        {"table_name": pl.String, "record_key": pl.String, "record": pl.String, "reasons": pl.List(pl.String)}
    )
    rec = json.loads(q.filter(pl.col("record_key") == "a5")["record"][0])
    assert rec["article_id"] == "a5"
    assert rec["published_at"].startswith("2999-01-01T00:00:00")
    assert set(rec) == set(SCHEMAS["articles"])
    assert not any(k.startswith("_") for k in json.loads(q.filter(pl.col("record_key") == "a5:0")["record"][0]))


def test_results_one_row_per_expectation_with_counts(five_articles: ValidationOutcome) -> None:
    res = five_articles.results
    assert res.schema == pl.Schema(
        {
            "suite": pl.String,
            "expectation": pl.String,
            "success": pl.Boolean,
            "element_count": pl.Int64,
            "unexpected_count": pl.Int64,
            "unexpected_percent": pl.Float64,
            "observed_value": pl.String,
        }
    )
    expected = [(t, n) for t in TABLES for n in expectation_names(t)]
    assert list(zip(res["suite"], res["expectation"])) == expected
    assert res["expectation"].n_unique() == res.height

    future = result_row(five_articles, "articles.published_at.not_future")
    assert (future["success"], future["element_count"], future["unexpected_count"]) == (False, 5, 1)
    assert future["unexpected_percent"] == pytest.approx(20.0)
    assert "2999" in future["observed_value"]
    assert result_row(five_articles, "articles.text.non_empty")["unexpected_count"] == 1
    assert result_row(five_articles, "mentions.end_char.after_start")["unexpected_count"] == 1
    ok = result_row(five_articles, "articles.article_id.unique")
    assert (ok["success"], ok["unexpected_count"], ok["observed_value"]) == (True, 0, None)


# ------------------------------------------------------------------------ single failures


def test_mention_text_not_matching_slice() -> None:
    batch = good_batch(
        mentions=[
            mention("a1", 0, "Russia"),
            mention("a1", 1, "Ukraine", text="Ukrain"),  # offsets fine, text wrong
            mention("a2", 0, "France", start_char=1, end_char=7),  # shifted by one
        ]
    )
    out = validate_batch(batch, now=NOW)
    assert reasons_of(out, "mentions") == {
        "a1:1": ["mentions.text.matches_slice"],
        "a2:0": ["mentions.text.matches_slice"],
    }
    assert out.quarantine.filter(pl.col("table_name") == "articles").is_empty()
    assert result_row(out, "mentions.text.matches_slice")["unexpected_count"] == 2


def test_mention_offsets_past_text_and_unknown_refs() -> None:
    n = len(TEXTS["a3"])
    batch = good_batch(
        mentions=[
            mention("a3", 0, "UN", "ORG"),
            mention("a3", 1, "Geneva", end_char=n + 5),
            mention("a3", 2, "UN", label="BOGUS"),
            mention("a3", 3, "UN", "ORG", entity_id="e-nowhere"),
            mention("zz", 0, "Kyiv", start_char=0, end_char=4),
            mention("old", 0, "Kyiv", start_char=0, end_char=4),  # article from an earlier run
            mention("a3", 4, "UN", "ORG", entity_id="e-old"),  # entity from an earlier run
        ]
    )
    out = validate_batch(
        batch, now=NOW, known_article_ids=frozenset({"old"}), known_entity_ids=frozenset({"e-old"})
    )
    assert reasons_of(out, "mentions") == {
        "a3:1": ["mentions.end_char.within_text"],
        "a3:2": ["mentions.label.in_set"],
        "a3:3": ["mentions.entity_id.exists"],
        "zz:0": ["mentions.article_id.exists"],
    }
    assert sorted(out.passed.mentions["article_id"] + ":" + out.passed.mentions["mention_idx"].cast(str)) == [
        "a3:0",
        "a3:4",
        "old:0",
    ]


def test_event_with_bad_type_and_confidence_has_both_reasons() -> None:
    batch = good_batch(events=[event("ev1", "a1"), event("bad", "a1", event_type="FOO", confidence=1.5)])
    out = validate_batch(batch, now=NOW)
    assert reasons_of(out, "events") == {"bad": ["events.event_type.plover", "events.confidence.between"]}
    assert out.passed.events["event_id"].to_list() == ["ev1"]


def test_invalid_country_codes_caught_and_kosovo_allowed() -> None:
    batch = good_batch(
        events=[
            event("ev1", "a1", actor1_country="ZZZ"),
            event("ev2", "a1", actor2_country="XKX", actor1_country=None),
        ],
        entities=ENTITIES + [entity("Atlantis", country="ZZZ"), entity("Kosovo", country="XKX")],
    )
    out = validate_batch(batch, now=NOW)
    assert reasons_of(out, "events") == {"ev1": ["events.actor1_country.iso3"]}
    assert reasons_of(out, "entities") == {"e-Atlantis": ["entities.country_code.iso3"]}
    assert '"ZZZ"' in result_row(out, "entities.country_code.iso3")["observed_value"]


def test_big_value_sets_checked_as_derived_flags_under_the_same_names() -> None:
    """ISO3 / PLOVER / label membership is computed in polars (`_<column>_<check>` flags), but a bad
    value still fails the same named expectation, a null still passes it, and dq_results still
    report the offending values and the share of non-null values, as when GX tested the column."""
    batch = good_batch(
        mentions=[mention("a1", 0, "Russia"), mention("a1", 1, "Ukraine", None)],
        events=[
            event("ev1", "a1", actor1_country="ZZZ"),
            event("ev2", "a1", location_country="fra"),  # lowercase is not an ISO3 code
            event("ev3", "a1", actor1_country=None, actor2_country=None, location_country=None),
            event("ev4", "a1", event_type=None),
            event("ev5", "a1", event_type="FOO"),
        ],
        entities=ENTITIES + [entity("Mystery", None, None)],
    )
    out = validate_batch(batch, now=NOW)
    assert reasons_of(out, "events") == {
        "ev1": ["events.actor1_country.iso3"],
        "ev2": ["events.location_country.iso3"],
        "ev4": ["events.event_type.not_null"],
        "ev5": ["events.event_type.plover"],
    }
    assert reasons_of(out, "entities") == {"e-Mystery": ["entities.type.not_null"]}
    assert reasons_of(out, "mentions") == {"a1:1": ["mentions.label.not_null"]}
    iso3 = result_row(out, "events.actor1_country.iso3")
    assert (iso3["success"], iso3["element_count"], iso3["unexpected_count"]) == (False, 5, 1)
    assert iso3["unexpected_percent"] == pytest.approx(25.0)  # 1 of the 4 non-null values
    assert json.loads(iso3["observed_value"]) == [{"value": "ZZZ", "count": 1}]
    assert json.loads(result_row(out, "events.event_type.plover")["observed_value"]) == [{"value": "FOO", "count": 1}]
    ok = result_row(out, "events.actor2_country.iso3")
    assert (ok["success"], ok["unexpected_count"], ok["observed_value"]) == (True, 0, None)
    for table in TABLES:  # flags never reach the warehouse
        assert not any(c.startswith("_") for c in out.passed.get(table).columns), table
    record = json.loads(out.quarantine.filter(pl.col("record_key") == "ev1")["record"][0])
    assert not any(k.startswith("_") for k in record)


def test_membership_flags_are_never_null() -> None:
    frame = pl.DataFrame({"c": ["RUS", None, "ZZZ"], "n": pl.Series([None, None, None], dtype=pl.String)})
    out = checks.with_membership_flags(frame, {"_c_ok": ("c", ("RUS", "UKR")), "_n_ok": ("n", ("RUS",))})
    assert out["_c_ok"].to_list() == [True, True, False]
    assert out["_n_ok"].to_list() == [True, True, True]
    assert out.schema["_c_ok"] == pl.Boolean


def test_gx_suites_hold_no_big_value_sets() -> None:
    """GX's fixed cost per run grows with each value_set's size: big sets are derived flags."""
    from expectations.suites import ENTITY_LABELS, iso3_codes, plover_types

    members = {}
    for table in TABLES:
        for check in checks_for(table):
            assert len(check.kwargs.get("value_set", ())) <= 10, check.name
            if check.source is not None:
                flag = f"_{check.source}_{check.name.rsplit('.', 1)[1]}"
                assert check.kwargs == {"column": flag, "value_set": [True]}, check.name
                members[check.name] = set(check.allowed)
    assert members["events.actor1_country.iso3"] == set(iso3_codes()) >= {"XKX", "RUS", "FRA"}
    assert members["events.event_type.plover"] == set(plover_types()) and len(plover_types()) == 16
    assert members["entities.type.in_set"] == members["mentions.label.in_set"] == set(ENTITY_LABELS)


def test_missing_membership_column_fails_loudly() -> None:
    batch = good_batch()
    batch.events = batch.events.drop("actor1_country")
    with pytest.raises(ExpectationError, match="events.actor1_country.iso3"):
        validate_batch(batch, now=NOW)


def test_event_date_after_publication_unless_forward_looking() -> None:
    later = dt.date(2025, 6, 5)  # articles are published 2025-05-30
    batch = good_batch(
        events=[
            event("asserted", "a1", event_date=later),
            event("predicted", "a1", event_date=later, modality="predicted"),
            event("next_day", "a1", event_date=dt.date(2025, 5, 31)),  # within the 1-day slack
            event("bad_enums", "a2", modality="rumoured", date_precision="week", quad_class=5),
        ]
    )
    out = validate_batch(batch, now=NOW)
    assert reasons_of(out, "events") == {
        "asserted": ["events.event_date.not_after_published"],
        "bad_enums": ["events.quad_class.in_set", "events.modality.in_set", "events.date_precision.in_set"],
    }


def test_null_and_duplicate_keys_are_failures_not_lost_rows() -> None:
    batch = good_batch(
        articles=[article("a1"), article("a2"), article("a3"), article("a3", title="dup"), article("a1", article_id=None)],
        mentions=[mention("a1", 0, "Russia"), mention("a1", 0, "Russia"), mention("a2", None, "France")],
        events=[event(None, "a2"), event("ev1", "a2")],
        entities=ENTITIES + [entity("Nobody", entity_id=None), entity("", "PERSON")],
    )
    out = validate_batch(batch, now=NOW)
    arts = reasons_of(out, "articles")
    assert arts == {
        "a3": ["articles.article_id.unique"],
        "a3@row3": ["articles.article_id.unique"],
        "<null>@row4": ["articles.article_id.not_null"],
    }
    assert out.passed.articles["article_id"].to_list() == ["a1", "a2"]
    assert reasons_of(out, "mentions") == {
        "a1:0": ["mentions.key.unique"],
        "a1:0@row1": ["mentions.key.unique"],
        "a2:<null>@row2": ["mentions.mention_idx.not_null"],
    }
    assert reasons_of(out, "events") == {"<null>@row0": ["events.event_id.not_null"]}
    assert reasons_of(out, "entities") == {
        "<null>@row8": ["entities.entity_id.not_null"],
        "e-": ["entities.name.non_empty"],
    }
    # a3 had two rows, both quarantined: its mentions and events follow.
    assert "a3" not in out.passed.mentions["article_id"].to_list()
    keys = out.quarantine.select("table_name", "record_key")
    assert keys.n_unique() == keys.height  # the warehouse primary key holds


def test_mentions_of_a_quarantined_entity_follow_it() -> None:
    bad = [e if e["name"] != "Kyiv" else entity("Kyiv", "SPACESHIP", "UKR") for e in ENTITIES]
    out = validate_batch(good_batch(entities=bad), now=NOW)
    assert reasons_of(out, "entities") == {"e-Kyiv": ["entities.type.in_set"]}
    assert reasons_of(out, "mentions") == {"a1:2": ["entities.parent_quarantined"]}


def test_clean_batch_passes_everything() -> None:
    batch = good_batch()
    out = validate_batch(batch, now=NOW)
    assert out.quarantine.is_empty()
    assert out.results["success"].all()
    for table in TABLES:
        assert out.passed.get(table).equals(batch.get(table)), table


def test_empty_batch() -> None:
    out = validate_batch(BatchTables(**{t: frame(t, []) for t in TABLES}), now=NOW)
    assert out.quarantine.is_empty() and out.quarantined_share == 0.0
    assert out.results.height == sum(len(checks_for(t)) for t in TABLES)
    assert (out.results["element_count"] == 0).all()


def test_unevaluable_expectation_fails_loudly() -> None:
    """A missing column is a code bug: raise instead of passing (or quarantining) every row."""
    batch = good_batch()
    batch.articles = batch.articles.drop("language")
    with pytest.raises(ExpectationError, match="articles.language.iso639_1"):
        validate_batch(batch, now=NOW)


# ------------------------------------------------------------------------ pieces


def test_expectation_names_unique_and_readable() -> None:
    names = [n for t in TABLES for n in expectation_names(t)]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z_]+\.[a-z0-9_]+\.[a-z0-9_]+", n) for n in names), names


def test_derived_columns_do_not_fan_out_on_duplicate_articles() -> None:
    arts = frame("articles", [article("a1"), article("a1", text="other")])
    ments = frame("mentions", [mention("a1", 0, "Russia")])
    out = checks.mention_checks(ments, arts, frame("entities", ENTITIES))
    assert out.height == 1
    assert out.select("_article_exists", "_entity_exists", "_slice_ok").row(0) == (True, True, True)


def test_gx_project_builds_data_docs(tmp_path: Path) -> None:
    project = GxProject(tmp_path / "gx_project")
    out = validate_batch(good_batch(), now=NOW, context=project)
    assert out.quarantine.is_empty()
    index = project.build_data_docs()
    assert index.name == "index.html" and index.exists()
    html = index.read_text()
    for table in TABLES:
        assert f'href="expectations/{table}.html"' in html, table
        assert (index.parent / "expectations" / f"{table}.html").exists()
        assert f"validations/{table}/" in html, table  # the stored run is linked
        assert (project.gx_dir / "expectations" / f"{table}.json").exists()
    saved = json.loads((project.gx_dir / "expectations" / "articles.json").read_text())
    assert {e["meta"]["name"] for e in saved["expectations"]} == set(expectation_names("articles"))
    assert list((project.gx_dir / "uncommitted" / "validations").rglob("*.json"))
    # Re-opening the same directory works (suites replaced from code, not duplicated).
    again = GxProject(tmp_path / "gx_project")
    assert validate_batch(good_batch(), now=NOW, context=again).results["success"].all()
    saved = json.loads((again.gx_dir / "expectations" / "articles.json").read_text())
    assert len(saved["expectations"]) == len(checks_for("articles"))


@pytest.mark.server
def test_data_docs_open_offline_styled_with_their_tables_filled(tmp_path: Path) -> None:
    """GX's templates load Bootstrap, jQuery and bootstrap-table from CDNs (offline: an unstyled
    page and an empty results table) and put a tracking image on the index."""
    from expectations.docs_offline import remote_fetches

    project = GxProject(tmp_path / "gx_project")
    bad = good_batch(events=[event("ev1", "a1"), event("bad", "a1", event_type="FOO")])
    validate_batch(bad, now=NOW, context=project)
    site = project.build_data_docs().parent
    pages = list(site.rglob("*.html"))
    assert len(pages) == 1 + 2 * len(TABLES)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert remote_fetches(html) == [], page
        assert "dataContextId" not in html and "integrity=" not in html
    events_page = next((site / "validations" / "events").rglob("*.html"))
    dom, console = offline_dom(events_page, tmp_path)
    assert "Uncaught" not in console and "Failed to load" not in console, console
    assert 'class="bootstrap-table bootstrap4"' in dom  # jQuery and bootstrap-table ran
    assert "events.event_type.plover: One of the 16 PLOVER types" in dom  # named as the quarantine reason
    # a second build leaves the earlier pages as they were and localises the new ones
    validate_batch(good_batch(), now=NOW, context=project)
    project.build_data_docs()
    assert all(remote_fetches(p.read_text(encoding="utf-8")) == [] for p in site.rglob("*.html"))


def test_import_does_not_load_great_expectations() -> None:
    code = (
        "import sys, expectations.validate, expectations.gx_project, expectations.results, "
        "expectations.suites, expectations.checks; "
        "print(any(m == 'great_expectations' or m.startswith('great_expectations.') for m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_data_docs_builds_render_only_new_results_and_a_bounded_index(tmp_path: Path) -> None:
    project = GxProject(tmp_path / "gx_project")
    validate_batch(good_batch(), now=NOW, context=project)
    index = project.build_data_docs()
    site = index.parent
    first_pages = {p: p.stat().st_mtime_ns for p in (site / "validations").rglob("*.html")}
    suite_pages = {p: p.stat().st_mtime_ns for p in (site / "expectations").glob("*.html")}
    assert len(suite_pages) == len(TABLES)
    assert len(first_pages) == len(TABLES) and project.results_without_pages() == []

    validate_batch(good_batch(), now=NOW, context=project)
    assert len(project.results_without_pages()) == len(TABLES)
    project._limit_docs_index(len(TABLES) + 1)
    project.build_data_docs()
    pages = list((site / "validations").rglob("*.html"))
    assert len(pages) == 2 * len(TABLES) and project.results_without_pages() == []
    assert all(p.stat().st_mtime_ns == mtime for p, mtime in first_pages.items())  # not rendered again
    linked = set(re.findall(r"validations/[^'\"\s]+\.html", index.read_text()))
    assert len(linked) == len(TABLES) + 1  # the newest results only
    assert all((site / link).exists() for link in linked)
    assert all(p.stat().st_mtime_ns != mtime for p, mtime in suite_pages.items())  # suites rendered again
    for table in TABLES:
        assert f'href="expectations/{table}.html"' in index.read_text()


def test_gx_project_saves_the_index_limit(tmp_path: Path) -> None:
    GxProject(tmp_path / "gx_project")
    saved = (tmp_path / "gx_project" / "gx" / "great_expectations.yml").read_text()
    assert f"validation_results_limit: {DOCS_INDEX_RESULTS}" in saved
