"""Great Expectations gates through the real CLI: quarantine with reasons, thresholds, Data Docs."""

from __future__ import annotations

import json


from dateline.cli import main
from helpers import query as _q, write_jsonl as _jsonl

GOOD = [
    "Protesters marched through Paris on Monday to denounce the new pension law.",
    "The German government announced new sanctions against Russia on Tuesday.",
    "Officials in Kenya said the flood killed twelve people near Nairobi.",
]


def test_two_bad_of_five_load_three_and_quarantine_two_with_reasons(tmp_path, capsys):
    rows = [{"text": t, "published_at": "2024-03-0%d" % (i + 1)} for i, t in enumerate(GOOD)]
    rows.append({"text": "   \n  ", "published_at": "2024-03-05"})  # nothing left after cleaning
    rows.append({"text": "A court in Lagos jailed the former governor.", "published_at": "2999-01-01"})
    src = _jsonl(tmp_path / "batch.jsonl", rows)
    db = tmp_path / "wh.duckdb"
    assert main(["run", str(src), "--db", str(db)]) == 0
    assert _q(db, "select count(*) from articles") == [(3,)]
    reasons = dict(_q(db, "select record_key, reasons from quarantine where table_name = 'articles'").__iter__())
    assert len(reasons) == 2
    flat = sorted(r for rs in reasons.values() for r in rs)
    assert any("text" in r and ("empty" in r or "length" in r or "not_null" in r) for r in flat), flat
    assert any("published_at" in r and "future" in r for r in flat), flat
    listed = capsys.readouterr().out
    assert main(["quarantine", "--db", str(db), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {o["table_name"] for o in out} >= {"articles"} and len([o for o in out if o["table_name"] == "articles"]) == 2
    assert all(o["source"] == str(src) for o in out if o["table_name"] == "articles")
    assert "quarantined" in listed


def test_batch_over_threshold_loads_nothing_and_exits_non_zero(tmp_path, capsys):
    rows = [{"text": GOOD[0], "published_at": "2024-03-01"}]
    rows += [{"text": f"Story {i} about Chile.", "published_at": "2999-01-0%d" % (i + 1)} for i in range(3)]
    src = _jsonl(tmp_path / "bad.jsonl", rows)
    db = tmp_path / "wh.duckdb"
    code = main(["run", str(src), "--db", str(db)])
    err = capsys.readouterr().err
    assert code != 0
    assert "QualityGateFailed" in err and "3 of 4" in err and "published_at" in err
    assert _q(db, "select count(*) from articles") == [(0,)]
    assert _q(db, "select status, message like '%threshold%' from runs") == [("failed", True)]


def test_requeue_after_fix_loads_the_record(tmp_path, capsys):
    src = _jsonl(tmp_path / "fix.jsonl", [
        {"text": GOOD[1], "published_at": "2024-03-01"},
        {"text": GOOD[2], "published_at": "2024-03-02"},
        {"text": "Rebels attacked a convoy near Goma.", "published_at": "2999-12-31"},
    ])
    db = tmp_path / "wh.duckdb"
    assert main(["run", str(src), "--db", str(db)]) == 0
    assert _q(db, "select count(*) from articles") == [(2,)]
    # The publisher fixes the date; requeue re-reads the source and closes the quarantine row.
    _jsonl(src, [
        {"text": GOOD[1], "published_at": "2024-03-01"},
        {"text": GOOD[2], "published_at": "2024-03-02"},
        {"text": "Rebels attacked a convoy near Goma.", "published_at": "2023-12-31"},
    ])
    assert main(["requeue", "--db", str(db)]) == 0
    assert _q(db, "select count(*) from articles") == [(3,)]
    assert _q(db, "select count(*) from quarantine where table_name = 'articles' and requeued_by is null") == [(0,)]
    capsys.readouterr()


def test_data_docs_index_names_every_suite(tmp_path, capsys):
    src = _jsonl(tmp_path / "ok.jsonl", [{"text": GOOD[0], "published_at": "2024-03-01"}])
    db = tmp_path / "wh.duckdb"
    assert main(["run", str(src), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    index = tmp_path / "wh.duckdb.gx" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert index.exists() and str(index) in out
    html = index.read_text(encoding="utf-8")
    for suite in ("articles", "mentions", "events", "entities"):
        assert suite in html
