"""Article files and folders: .txt/.html (one article), .jsonl/.csv (one per row), Reuters SGML.

This module does the reading; decoding and cleaning are pure functions in `transforms/`. A folder's
feed files are read by `flows.sources.web.FeedSource`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from flows.sources.base import FEED_SUFFIXES, SourceItem, SourceProblem, article_kind, read_capped
from flows.sources.web import FeedSource
from transforms.columns import column_mapping
from transforms.decode import decode_bytes, looks_binary
from transforms.reuters import parse_reuters_sgml

if TYPE_CHECKING:
    from flows.fetch import FetchPolicy


def _row(obj: dict[str, Any], source: str, key: str, columns: Mapping[str, str] | None = None) -> SourceItem:
    """A JSONL/CSV row as a raw record, or a problem when it has neither text nor html or a field
    of the wrong type (every field is a string; `id` may be a number). Columns are read by
    `transforms.columns` (common names, then `columns`: field → column); the names of columns
    nothing reads travel with the record as `unread_columns` for the run to report."""
    mapping, unread = column_mapping(obj, columns)
    record = {field: obj[col] for col, field in mapping.items() if obj[col] not in (None, "")}
    wrong = [f"`{k}` must be a string, got {type(v).__name__}" for k, v in record.items()
             if not isinstance(v, str) and not (k == "id" and isinstance(v, int) and not isinstance(v, bool))]
    if wrong:
        return SourceProblem(source, key, "wrong field type: " + "; ".join(wrong), _printable(record))
    if not record.get("text") and not record.get("html"):
        return SourceProblem(source, key, "row has neither `text` nor `html`", record)
    record.setdefault("source", source)
    record["source_key"] = key
    record["source_path"] = source
    if unread:
        record["unread_columns"] = tuple(unread)
    return record


def _printable(record: dict[str, Any], limit: int = 2000) -> dict[str, Any]:
    """A record cut down for quarantine: long values shortened, anything else as its JSON."""
    return {k: (v[:limit] if isinstance(v, str) else json.dumps(v, default=str)[:limit]) for k, v in record.items()}


@dataclass(frozen=True)
class FileSource:
    """One file: .txt and .html are one article each; .jsonl and .csv one per row."""

    path: Path
    label: str | None = None
    columns: Mapping[str, str] | None = None  # field → column, over the common names (transforms.columns)

    @property
    def name(self) -> str:
        return self.label or str(self.path)

    def read(self) -> Iterator[SourceItem]:
        kind = article_kind(self.path)
        if kind is None:
            yield SourceProblem(self.name, self.name, f"unsupported file type: {self.path.name}")
            return
        try:
            data = read_capped(self.path)
        except (OSError, ValueError, EOFError, gzip.BadGzipFile) as exc:
            yield SourceProblem(self.name, self.name, f"cannot read file: {exc}")
            return
        if kind in {"txt", "html"} and looks_binary(data):
            yield SourceProblem(self.name, self.name, "binary content, not text or HTML")
            return
        if kind == "jsonl":
            yield from self._jsonl(data)
        elif kind == "sgml":
            yield from self._sgml(data)
        elif kind == "csv":
            yield from self._csv(data)
        else:
            text, encoding = decode_bytes(data)
            field_name = "html" if kind == "html" else "text"
            yield {field_name: text, "source": self.name, "source_key": self.name, "source_path": self.name,
                   "encoding": encoding}

    def _jsonl(self, data: bytes) -> Iterator[SourceItem]:
        for lineno, line in enumerate(data.splitlines(), start=1):
            if not line.strip():
                continue
            key = f"{self.name}:{lineno}"
            text, _ = decode_bytes(line)
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield SourceProblem(self.name, key, f"invalid JSON: {exc.msg} at column {exc.colno}", {"line": text[:2000]})
                continue
            if not isinstance(obj, dict):
                yield SourceProblem(self.name, key, "JSON line is not an object", {"line": text[:2000]})
                continue
            yield _row(obj, self.name, key, self.columns)

    def _sgml(self, data: bytes) -> Iterator[SourceItem]:
        """Reuters-21578 SGML: one record per <REUTERS> story, keyed by its NEWID."""
        text, _ = decode_bytes(data)
        found = False
        for newid, obj in parse_reuters_sgml(text):
            found = True
            key = f"{self.name}:NEWID={newid}"
            if not obj.get("text"):
                yield SourceProblem(self.name, key, "story has neither title nor body", obj)
                continue
            yield _row(obj, self.name, key)
        if not found:
            yield SourceProblem(self.name, self.name, "no <REUTERS> records in SGML file")

    def _csv(self, data: bytes) -> Iterator[SourceItem]:
        text, _ = decode_bytes(data)
        csv.field_size_limit(sys.maxsize)
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            for obj in reader:
                key = f"{self.name}:{reader.line_num}"
                if None in obj:  # more cells than header fields
                    yield SourceProblem(self.name, key, "row has more cells than the header", {})
                    continue
                yield _row(obj, self.name, key, self.columns)
        except csv.Error as exc:
            yield SourceProblem(self.name, f"{self.name}:{reader.line_num}", f"malformed CSV: {exc}")




@dataclass(frozen=True)
class FolderSource:
    """Every article and feed file under a folder, recursively, never leaving the folder.

    A file that cannot be read as either (an image, a symlink loop, a link out of the folder) is
    reported as a problem of its own, never skipped in silence; hidden files and folders are not
    part of the folder.
    """

    root: Path
    policy: FetchPolicy | None = None
    columns: Mapping[str, str] | None = None

    @property
    def name(self) -> str:
        return str(self.root)

    def entries(self) -> Iterator[Path | SourceProblem]:
        """Each readable file, or a problem naming a file that is not read and why."""
        root = self.root.resolve()
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for d in [d for d in dirnames if (Path(dirpath) / d).is_symlink()]:
                dirnames.remove(d)  # never followed: it could lead out of the folder or round in a loop
                link = str(Path(dirpath) / d)
                yield SourceProblem(link, link, "not read: symbolic link to a folder (links are not followed)")
            for filename in sorted(filenames):
                if filename.startswith("."):
                    continue
                path = Path(dirpath) / filename
                problem = self._unreadable(path, root)
                yield path if problem is None else SourceProblem(str(path), str(path), problem)

    @staticmethod
    def _unreadable(path: Path, root: Path) -> str | None:
        if path.is_symlink():
            try:
                target = path.resolve(strict=True)
            except (RuntimeError, OSError) as exc:  # a loop raises RuntimeError, a dangling link OSError
                return f"not read: broken symbolic link ({type(exc).__name__}: {exc})"
            if not target.is_relative_to(root):
                return f"not read: symbolic link out of the folder (to {target})"
        name = path.name.lower().removesuffix(".gz")
        if article_kind(path) is None and not name.endswith(FEED_SUFFIXES):
            return f"not read: unsupported file type {path.suffix or '(none)'}"
        return None

    def files(self) -> Iterator[Path]:
        return (e for e in self.entries() if isinstance(e, Path))

    def read(self) -> Iterator[SourceItem]:
        for entry in self.entries():
            if isinstance(entry, SourceProblem):
                yield entry
            elif entry.name.lower().removesuffix(".gz").endswith(FEED_SUFFIXES):
                yield from FeedSource(str(entry), self.policy).read()
            else:
                yield from FileSource(entry, columns=self.columns).read()
