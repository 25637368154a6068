"""The Reuters-21578 SGML reader: every story becomes a record or a reported problem."""

from __future__ import annotations

import gzip
from pathlib import Path

from flows.sources.base import SourceProblem
from flows.sources.files import FileSource
from flows.sources.resolve import resolve_sources
from transforms.reuters import parse_date, parse_reuters_sgml, unwrap

SAMPLE = """<!DOCTYPE lewis SYSTEM "lewis.dtd">
<REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5544" NEWID="1">
<DATE>26-FEB-1987 15:01:01.79</DATE>
<TOPICS><D>cocoa</D></TOPICS>
<TEXT>&#2;
<TITLE>BAHIA COCOA REVIEW</TITLE>
<DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers continued throughout the week in
the Bahia cocoa zone, alleviating the drought &lt;since> early
January.
    Farmers said the crop would recover.
 Reuter
&#3;</BODY></TEXT>
</REUTERS>
<REUTERS TOPICS="NO" NEWID="2">
<DATE>26-FEB-1987 15:02:20.00</DATE>
<TEXT TYPE="BRIEF">&#2;
******<TITLE>SHEARSON SEES LOWER FIRST QUARTER
</TITLE>
&#3;
</TEXT>
</REUTERS>
<REUTERS NEWID="3"><DATE>not a date</DATE><TEXT TYPE="UNPROC">&#2;
Bare wire text with no title
and no body tags.
&#3;</TEXT></REUTERS>
<REUTERS NEWID="4"><DATE>26-FEB-1987 15:03:00.00</DATE><TEXT>&#2;&#3;</TEXT></REUTERS>
"""


def test_stories_become_records_with_title_date_and_unwrapped_text():
    records = dict(parse_reuters_sgml(SAMPLE))
    assert list(records) == ["1", "2", "3", "4"]
    first = records["1"]
    assert first["title"] == "BAHIA COCOA REVIEW"
    assert first["published_at"] == "1987-02-26T15:01:01"
    assert first["text"] == ("SALVADOR, Feb 26 - Showers continued throughout the week in the Bahia cocoa zone, "
                             "alleviating the drought <since> early January.\n\nFarmers said the crop would recover.")
    assert records["2"]["text"] == "SHEARSON SEES LOWER FIRST QUARTER"  # a brief: its title is its text
    assert records["3"]["text"] == "Bare wire text with no title and no body tags." and "published_at" not in records["3"]
    assert records["4"]["text"] == ""


def test_empty_story_is_a_problem_not_a_silent_drop(tmp_path):
    path = tmp_path / "reut2-000.sgm"
    path.write_text(SAMPLE, encoding="utf-8")
    items = list(FileSource(path).read())
    problems = [i for i in items if isinstance(i, SourceProblem)]
    assert len(items) == 4 and len(problems) == 1
    assert problems[0].record_key.endswith(":NEWID=4") and "neither title nor body" in problems[0].reason
    assert items[0]["source_key"].endswith(":NEWID=1") and items[0]["id"] == "1"


def test_a_file_without_records_is_reported(tmp_path):
    path = tmp_path / "empty.sgm"
    path.write_text("<html>not reuters</html>", encoding="utf-8")
    (problem,) = list(FileSource(path).read())
    assert isinstance(problem, SourceProblem) and "no <REUTERS> records" in problem.reason


def test_real_file_with_a_latin1_byte(corpora: Path):
    path = corpora / "articles" / "reuters21578" / "sgm" / "reut2-017.sgm.gz"
    assert b"\xfc" in gzip.decompress(path.read_bytes())
    (source,) = resolve_sources([str(path)])
    items = list(source.read())
    records = [i for i in items if not isinstance(i, SourceProblem)]
    assert len(items) == 1000 and len(records) >= 990
    assert len({r["id"] for r in records}) == len(records)
    assert any("ü" in r["text"] or "ü" in r.get("title", "") for r in records)
    assert all("\x03" not in r["text"] and "&lt;" not in r["text"] for r in records)
    assert sum(1 for r in records if r.get("published_at", "").startswith("1987-")) >= 990


def test_dates_and_unwrapping_edge_cases():
    assert parse_date(" 5-MAR-1987 09:10:11.00") == "1987-03-05T09:10:11"
    assert parse_date("31-FEB-1987 09:10:11.00") is None and parse_date(None) is None
    assert unwrap("one\ntwo\n    three\nfour") == "one two\n\nthree four"
