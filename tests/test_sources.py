import gzip
import json

import pytest

from flows.sources.base import SourceProblem
from flows.sources.files import FileSource, FolderSource
from flows.sources.resolve import SourceError, resolve_sources


def test_folder_reads_every_kind_and_reports_others(tmp_path):
    (tmp_path / "a.txt").write_text("Plain article text.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_text("<html><body><p>Hi</p></body></html>", encoding="utf-8")
    with gzip.open(tmp_path / "sub" / "c.html.gz", "wt", encoding="utf-8") as fh:
        fh.write("<html><body><p>Zipped</p></body></html>")
    (tmp_path / "d.jsonl").write_text(json.dumps({"text": "Row one", "url": "https://x.org/1"}) + "\n", encoding="utf-8")
    (tmp_path / "e.csv").write_text("text,title\nCSV body,CSV title\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    items = list(FolderSource(tmp_path).read())
    problems = [i for i in items if isinstance(i, SourceProblem)]
    assert [(p.record_key, p.reason) for p in problems] == [(str(tmp_path / "notes.md"), "not read: unsupported file type .md")]
    items = [i for i in items if not isinstance(i, SourceProblem)]
    bodies = sorted((i.get("text") or i.get("html")) for i in items)
    assert len(items) == 5
    assert "CSV body" in bodies and "Row one" in bodies
    assert any("Zipped" in b for b in bodies)


def test_bad_jsonl_line_quarantines_only_that_line(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"text": "good one"}\n{"text": "trunc\n{"title": "no body"}\n{"text": "good two"}\n', encoding="utf-8")
    items = list(FileSource(path).read())
    good = [i for i in items if not isinstance(i, SourceProblem)]
    bad = [i for i in items if isinstance(i, SourceProblem)]
    assert [g["text"] for g in good] == ["good one", "good two"]
    assert [b.record_key for b in bad] == [f"{path}:2", f"{path}:3"]
    assert "invalid JSON" in bad[0].reason and "neither" in bad[1].reason


def test_cp1252_text_file_decodes(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("Caf\u00e9 \u201cquoted\u201d".encode("cp1252"))
    (item,) = FileSource(path).read()
    assert item["text"] == "Caf\u00e9 \u201cquoted\u201d"


def test_binary_named_html_is_a_problem(tmp_path):
    path = tmp_path / "x.html"
    path.write_bytes(bytes(range(256)) * 10)
    (item,) = FileSource(path).read()
    assert isinstance(item, SourceProblem) and "binary" in item.reason


def test_symlink_out_of_folder_is_not_followed(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret", encoding="utf-8")
    root = tmp_path / "root"
    root.mkdir()
    (root / "in.txt").write_text("inside", encoding="utf-8")
    (root / "link.txt").symlink_to(outside)
    items = list(FolderSource(root).read())
    assert [i["text"] for i in items if not isinstance(i, SourceProblem)] == ["inside"]
    (problem,) = [i for i in items if isinstance(i, SourceProblem)]
    assert problem.record_key == str(root / "link.txt") and "symbolic link out of the folder" in problem.reason


def test_resolve_sources_names_the_bad_spec(tmp_path):
    with pytest.raises(SourceError, match="nope"):
        resolve_sources([str(tmp_path / "nope")])


def test_common_column_names_are_read_and_the_rest_reported(tmp_path):
    """dai2017's CSV header, and a scraper's JSONL: nothing is dropped without a word."""
    path = tmp_path / "news.csv"
    path.write_text("article_id,publish_date,article_source_link,title,subtitle,text\n"
                    "7,2017/2/7,http://example.com/a,Talks resume,A subtitle,Diplomats met in Geneva on Monday.\n",
                    encoding="utf-8")
    (row,) = FileSource(path).read()
    assert (row["id"], row["published_at"], row["url"], row["title"]) == ("7", "2017/2/7", "http://example.com/a", "Talks resume")
    assert row["text"] == "Diplomats met in Geneva on Monday." and row["unread_columns"] == ("subtitle",)
    jsonl = tmp_path / "scraped.jsonl"
    jsonl.write_text(json.dumps({"link": "https://x.org/1", "body": "Police arrested two men.", "author": "A. B.",
                                 "date": "2024-03-01", "views": 12}) + "\n", encoding="utf-8")
    (row,) = FileSource(jsonl).read()
    assert (row["url"], row["text"], row["byline"], row["published_at"]) == ("https://x.org/1", "Police arrested two men.",
                                                                             "A. B.", "2024-03-01")
    assert row["unread_columns"] == ("views",)


def test_an_explicit_column_mapping_wins_and_a_bad_one_is_refused(tmp_path):
    from transforms.columns import parse_mapping

    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"text": "Troops shelled the town.", "date": "2020-01-01", "when": "2024-05-06"}) + "\n",
                    encoding="utf-8")
    (row,) = FileSource(path, columns=parse_mapping("published_at=when")).read()
    assert row["published_at"] == "2024-05-06" and row["unread_columns"] == ("date",)
    for bad in ("published_at", "when=published_at", "=when"):
        with pytest.raises(ValueError, match="column mapping"):
            parse_mapping(bad)


def test_dates_written_other_ways_than_iso_are_read_and_nothing_relative_is():
    from transforms.articles import parse_published

    assert parse_published("2017/2/7")[0].date().isoformat() == "2017-02-07"
    assert parse_published("7 February 2017 10:30") [1] == "time"
    assert parse_published("yesterday") == (None, "invalid")
    assert parse_published("2023-02-30") == (None, "invalid")
