"""Bad input, generated at test time, each with its expected outcome (nothing committed to the repo).

One flow run over a folder of hostile files checks what reaches the warehouse and what is
quarantined with which reason; pure checks cover the rest (limits, time zones, path escapes).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dateline.cli import main
from tests.conftest import ROOT
from transforms.articles import build_articles
from helpers import query as _q

NOW = dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)
FR = ("Le gouvernement français a annoncé mardi de nouvelles mesures pour soutenir les agriculteurs "
      "touchés par la sécheresse. Les syndicats ont salué une décision attendue depuis des mois, "
      "mais ils demandent davantage d'aides pour les exploitations les plus fragiles du pays.")
EN = "Officials in Kenya said the flood killed twelve people near Nairobi on {day}."


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    """One run over a folder holding every bad input; returns (db, folder)."""
    d = tmp_path_factory.mktemp("bad")
    src = d / "in"
    src.mkdir()
    (src / "empty.txt").write_bytes(b"")
    (src / "blank.txt").write_bytes(b"   \n\t \r\n   \n")
    with open(src / "huge.txt", "wb") as fh:  # 50 MB article
        line = b"The central bank raised interest rates again on Thursday in Frankfurt. " * 1000 + b"\n"
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            fh.write(line)
    (src / "binary.html").write_bytes(bytes(range(256)) * 64 + os.urandom(4096))
    (src / "deep.html").write_text("<html><body>" + "<div>" * 300 + "<p>Rebels attacked a convoy near Goma "
                                   "on Monday, officials said.</p>" + "</div>" * 300 + "</body></html>")
    (src / "bignode.html").write_text("<html><body><p>" + "word " * 2_200_000 + "</p></body></html>")
    (src / "cp1252.txt").write_bytes("The café owner in Lyon said prices rose by 5 € — “a shock” — on Monday, "
                                     "officials in France confirmed.".encode("cp1252"))
    (src / "latin1.txt").write_bytes("The naïve señor from Bogotá met officials in Colombia on Tuesday to "
                                     "discuss the harvest.".encode("latin-1"))
    (src / "bom.txt").write_bytes(b"\xef\xbb\xbf" + "Officials in Peru said the protest in Lima ended peacefully "
                                  "on Wednesday.".encode("utf-8"))
    (src / "invalid.txt").write_bytes(b"Protesters in Chile marched on Friday \xff\xfe\xc3 against the new law "
                                      b"in Santiago.")
    rows = [
        {"id": "dup", "url": "https://ex.example/dup", "text": EN.format(day="Monday"), "published_at": "2024-03-01"},
        {"id": "dup", "url": "https://ex.example/dup", "text": EN.format(day="Tuesday"), "published_at": "2024-03-02"},
        {"id": "future", "url": "https://ex.example/future", "text": EN.format(day="Sunday"), "published_at": "2999-01-01"},
        {"id": "impossible", "url": "https://ex.example/feb30", "text": EN.format(day="Friday"), "published_at": "2023-02-30"},
        {"id": "naive", "url": "https://ex.example/naive", "text": EN.format(day="Saturday"),
         "published_at": "2024-03-01T23:30:00"},
        {"id": "fr", "url": "https://ex.example/fr", "text": FR, "published_at": "2024-03-03"},
    ]
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    (src / "records.jsonl").write_text(text + '{"id": "cut", "text": "The line was trunc', encoding="utf-8")
    db = d / "wh.duckdb"
    assert main(["run", str(src), "--db", str(db), "--quarantine-threshold", "1.0"]) == 0
    return db, src


def _reasons(db: Path) -> dict[str, list[str]]:
    rows = _q(db, "select record_key, reasons from quarantine")
    return {Path(k.split(":")[0]).name + (":" + k.split(":")[1] if ":" in k else ""): r for k, r in rows}


def _by_name(db: Path, name: str):
    return _q(db, f"select text, language, published_at, published_precision from articles where source_path like '%/{name}'")


def test_empty_and_blank_articles_are_quarantined_not_loaded(bad_run):
    db, _ = bad_run
    assert _by_name(db, "empty.txt") == [] and _by_name(db, "blank.txt") == []
    reasons = _reasons(db)
    assert reasons["empty.txt"][0].startswith("empty_text") and reasons["blank.txt"][0].startswith("empty_text")


def test_50mb_article_is_quarantined_too_large_without_reaching_spacy(bad_run):
    db, _ = bad_run
    assert _by_name(db, "huge.txt") == []
    assert _reasons(db)["huge.txt"] == ["too_large"]


def test_binary_bytes_named_html_are_a_source_problem(bad_run):
    db, _ = bad_run
    assert _by_name(db, "binary.html") == []
    assert any("binary" in r for r in _reasons(db)["binary.html"])


def test_deep_html_and_giant_text_node_are_detected_not_silently_truncated(bad_run):
    db, _ = bad_run
    reasons = _reasons(db)
    assert _by_name(db, "deep.html") == [] and reasons["deep.html"][0].startswith("html_too_deep")
    # 11 MB is above max_chars×4 with default settings: too_large first ...
    assert _by_name(db, "bignode.html") == [] and reasons["bignode.html"] == ["too_large"]
    # ... and with a larger limit lxml's 10 MB text-node cut is still caught.
    big = {"html": "<html><body><p>" + "word " * 2_200_000 + "</p></body></html>", "source_key": "big"}
    out = build_articles([big], run_id="r", pipeline_version="t", now=NOW, max_chars=10**8)
    assert out.articles.height == 0 and out.rejects[0].reasons[0].startswith("html_text_node_too_large")


def test_encodings_decode_to_the_right_characters(bad_run):
    db, _ = bad_run
    assert "café" in _by_name(db, "cp1252.txt")[0][0] and "5 €" in _by_name(db, "cp1252.txt")[0][0]
    assert "“a shock”" in _by_name(db, "cp1252.txt")[0][0]
    assert "naïve señor from Bogotá" in _by_name(db, "latin1.txt")[0][0]
    bom = _by_name(db, "bom.txt")[0][0]
    assert bom.startswith("Officials in Peru") and "\ufeff" not in bom
    invalid = _by_name(db, "invalid.txt")[0][0]  # not UTF-8: decoded as windows-1252, never raises
    assert invalid.startswith("Protesters in Chile") and "Santiago" in invalid


def test_truncated_jsonl_line_costs_that_line_only(bad_run):
    db, src = bad_run
    reasons = _reasons(db)
    assert any("invalid JSON" in r for r in reasons["records.jsonl:7"])
    assert _q(db, "select count(*) from articles where source_path like '%records.jsonl'") == [(3,)]


def test_dates_future_impossible_and_naive(bad_run):
    db, _ = bad_run
    rows = dict(_q(db, "select external_id, published_at from articles where external_id is not null"))
    assert "future" not in rows and "impossible" not in rows
    reasons = _reasons(db)
    assert any("future" in r for r in reasons.get("records.jsonl:3", []) + [
        r for k, v in reasons.items() if "future" in "".join(v) for r in v]), reasons
    assert any("invalid published_at" in r and "2023-02-30" in r for r in reasons["records.jsonl:4"])
    # A naive time is read in settings.default_published_tz (UTC), stored as UTC.
    assert rows["naive"].astimezone(dt.timezone.utc) == dt.datetime(2024, 3, 1, 23, 30, tzinfo=dt.timezone.utc)


def test_duplicate_ids_in_one_batch_keep_one_row_the_latest(bad_run):
    db, _ = bad_run
    rows = _q(db, "select text, published_at from articles where external_id = 'dup'")
    assert len(rows) == 1 and "Tuesday" in rows[0][0]
    assert _q(db, "select articles_duplicate from runs") == [(1,)]


def test_non_english_article_is_kept_with_language_and_no_english_nlp(bad_run):
    db, _ = bad_run
    aid, lang = _q(db, "select article_id, language from articles where external_id = 'fr'")[0]
    assert lang == "fr"
    assert _q(db, f"select count(*) from mentions where article_id = '{aid}'") == [(0,)]
    assert _q(db, f"select count(*) from events where article_id = '{aid}'") == [(0,)]


TZ_PROBE = textwrap.dedent("""
    import datetime as dt, json, sys, time
    sys.path.insert(0, sys.argv[1])
    from transforms.articles import build_articles
    rows = [{"text": f"Officials met in Delhi on Thursday, report {i}.", "published_at": p, "source_key": str(i)}
            for i, p in enumerate(["2024-03-01", "2024-03-01T23:30:00", "2024-03-01T23:30:00+05:30",
                                   "2024-03-01T18:00:00Z", "2023-02-30", "2999-12-31T00:00:00"])]
    out = build_articles(rows, run_id="r", pipeline_version="t",
                         now=dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc))
    print(time.tzname, file=sys.stderr)
    print(json.dumps({"articles": out.articles.select("published_at", "published_precision").rows(),
                      "rejects": [r.reasons for r in out.rejects]}, default=str))
""")


def test_results_identical_under_utc_and_asia_kolkata():
    outs = []
    for tz in ("UTC", "Asia/Kolkata"):
        done = subprocess.run([sys.executable, "-c", TZ_PROBE, str(ROOT)], env=dict(os.environ, TZ=tz),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        outs.append((done.stdout, done.stderr))
    assert outs[0][1] != outs[1][1]  # the zones really differed
    assert outs[0][0] == outs[1][0]
    result = json.loads(outs[0][0])
    assert ["2024-03-01 23:30:00+00:00", "time"] in result["articles"]


# --- file sources stay inside the given folder ------------------------------------------------

def test_folder_source_never_leaves_the_folder(tmp_path):
    from flows.sources.files import FolderSource
    from flows.sources.resolve import iter_records

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("SECRET outside the folder")
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "ok.txt").write_text("Inside article about Paris.")
    (root / "link.txt").symlink_to(outside / "secret.txt")
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    (root / "sub" / "up.txt").symlink_to(Path("..") / ".." / "outside" / "secret.txt")
    (root / "inside-link.txt").symlink_to(root / "ok.txt")
    texts = [r.get("text", "") for r in iter_records([FolderSource(root)]) if isinstance(r, dict)]
    assert not any("SECRET" in t for t in texts), texts
    assert "Inside article about Paris." in texts
    # A `../` spec is just a path the user named; the folder walk from it still never escapes it.
    dotted = FolderSource(root / "sub" / ".." / "sub")
    assert not [r for r in iter_records([dotted]) if isinstance(r, dict) and "SECRET" in r.get("text", "")]
