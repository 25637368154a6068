"""Re-runs: identical records are skipped before cleaning, changed ones are re-processed, and
"the last record wins" still holds for two records of one article in one batch."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import query as q
from helpers import write_jsonl

ROWS = [
    {"url": "https://news.example.org/a", "title": "Ministers meet in Paris",
     "published_at": "2024-03-01", "text": "Foreign ministers of France and Germany met in Paris on Tuesday. "
     "They agreed to expand cooperation on energy."},
    {"url": "https://news.example.org/b", "title": "Strike in Berlin",
     "published_at": "2024-03-02", "text": "Workers in Berlin went on strike on Monday over pay. "
     "The union said talks with the city had failed."},
    {"url": "https://news.example.org/c", "title": "Talks in Nairobi",
     "published_at": "2024-03-03", "text": "Kenya hosted talks in Nairobi between the two parties. "
     "Officials said the meeting would continue next week."},
]


def _run(src: Path, db: Path, **changes):
    from dateline.settings import Settings
    from flows.etl import etl

    settings = Settings(db_path=db, staging_dir=db.parent / "staging").replace(**changes)
    return etl([str(src)], settings)["run"]


def _last_run(db: Path) -> tuple:
    return q(db, "select articles_new, articles_unchanged, articles_duplicate from runs "
                 "order by started_at desc limit 1")[0]


@pytest.fixture()
def loaded(tmp_path) -> tuple[Path, Path]:
    src = write_jsonl(tmp_path / "in.jsonl", ROWS)
    db = tmp_path / "wh" / "dateline.duckdb"
    _run(src, db)
    return src, db


def test_identical_records_are_not_cleaned_again(loaded, monkeypatch):
    src, db = loaded
    assert q(db, "select count(*) from raw_fingerprints")[0][0] == 3
    import transforms.articles

    def broken(raw):  # a re-run that cleaned anything would quarantine it with this reason
        raise RuntimeError("cleaned again")

    monkeypatch.setattr(transforms.articles, "clean_record", broken)
    before = q(db, "select article_id, run_id, content_hash from articles order by 1")
    _run(src, db)
    assert _last_run(db) == (0, 3, 0)
    assert q(db, "select count(*) from quarantine")[0][0] == 0
    assert q(db, "select article_id, run_id, content_hash from articles order by 1") == before


def test_changed_text_at_the_same_url_is_reprocessed(loaded, tmp_path):
    src, db = loaded
    rows = [dict(r) for r in ROWS]
    rows[1]["text"] = "Workers in Hamburg went on strike on Friday. The union blamed the port authority."
    _run(write_jsonl(src, rows), db)
    assert _last_run(db) == (1, 2, 0)
    (text,) = q(db, "select text from articles where url = 'https://news.example.org/b'")[0]
    assert "Hamburg" in text
    mentions = {m for (m,) in q(db, "select m.text from mentions m join articles a using (article_id) "
                                    "where a.url = 'https://news.example.org/b'")}
    assert "Hamburg" in mentions and "Berlin" not in mentions


def test_changed_published_date_is_reprocessed(loaded):
    src, db = loaded
    rows = [dict(r) for r in ROWS]
    rows[0]["published_at"] = "2024-04-01"
    _run(write_jsonl(src, rows), db)
    assert _last_run(db) == (1, 2, 0)
    (day,) = q(db, "select cast(published_at as date)::varchar from articles "
                   "where url = 'https://news.example.org/a'")[0]
    assert day == "2024-04-01"


def test_the_last_of_two_records_for_one_article_wins_on_every_run(tmp_path):
    first = dict(ROWS[0])
    second = dict(ROWS[0], text="Foreign ministers of Spain and Italy met in Rome on Wednesday. "
                                "They signed a trade accord.")
    src = write_jsonl(tmp_path / "in.jsonl", [first, second])
    db = tmp_path / "wh" / "dateline.duckdb"
    for _ in range(2):
        _run(src, db)
        assert q(db, "select count(*) from articles")[0][0] == 1
        (text,) = q(db, "select text from articles")[0]
        assert "Rome" in text
    assert _last_run(db) == (0, 1, 1)
    # The earlier record alone changes the article back: it is not "known" any more.
    _run(write_jsonl(tmp_path / "first.jsonl", [first]), db)
    (text,) = q(db, "select text from articles")[0]
    assert "Paris" in text


def test_a_new_pipeline_version_reprocesses_everything(loaded):
    src, db = loaded
    _run(src, db, pipeline_version="test-next")
    assert _last_run(db)[:2] == (3, 0)
    assert {v for (v,) in q(db, "select distinct pipeline_version from raw_fingerprints")} == {"test-next"}
