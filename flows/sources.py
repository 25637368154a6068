"""Article sources: files and folders today, feeds and URLs behind the same interface later.

Every source yields raw records (dicts with the JSONL contract fields plus `source_key`) or
`SourceProblem`s; a problem costs one record or one file, never the run. This module does the
reading; decoding and cleaning are pure functions in `transforms/`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Protocol, Union

from transforms.columns import column_mapping
from transforms.decode import decode_bytes, looks_binary

if TYPE_CHECKING:
    from flows.fetch import FetchPolicy

ARTICLE_KINDS = {".txt": "txt", ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".csv": "csv",
                 ".sgm": "sgml"}
MAX_FILE_BYTES = 256 * 1024 * 1024  # decompressed; beyond this a file is refused, not read


@dataclass(frozen=True)
class SourceProblem:
    """A file or record that could not be read, with what was wrong (goes to `quarantine`)."""

    source: str
    record_key: str
    reason: str
    record: dict[str, Any] = field(default_factory=dict)


RawRecord = dict[str, Any]
SourceItem = Union[RawRecord, SourceProblem]


class ArticleSource(Protocol):
    """Anything that yields raw article records."""

    name: str

    def read(self) -> Iterator[SourceItem]: ...


def _kind(path: Path) -> str | None:
    """Reader kind from the file name (a trailing .gz is unwrapped first)."""
    name = path.name.lower().removesuffix(".gz")
    return next((kind for suffix, kind in ARTICLE_KINDS.items() if name.endswith(suffix)), None)


def read_capped(path: Path, cap: int = MAX_FILE_BYTES) -> bytes:
    """File bytes, gunzipped when named .gz, refusing anything over `cap` (also after gunzip)."""
    if path.stat().st_size > cap:
        raise ValueError(f"file larger than {cap} bytes")
    if path.name.lower().endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            data = fh.read(cap + 1)
        if len(data) > cap:
            raise ValueError(f"decompressed size over {cap} bytes")
        return data
    return path.read_bytes()


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
        kind = _kind(self.path)
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
        from transforms.reuters import parse_reuters_sgml

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


FEED_FILE_SUFFIXES = (".xml", ".rss", ".atom", ".rdf")
"""Files read as RSS/Atom feeds, alone or inside a folder (flows.feeds.FEED_SUFFIXES)."""


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
        if _kind(path) is None and not name.endswith(FEED_FILE_SUFFIXES):
            return f"not read: unsupported file type {path.suffix or '(none)'}"
        return None

    def files(self) -> Iterator[Path]:
        return (e for e in self.entries() if isinstance(e, Path))

    def read(self) -> Iterator[SourceItem]:
        from flows.feeds import FeedSource

        for entry in self.entries():
            if isinstance(entry, SourceProblem):
                yield entry
            elif entry.name.lower().removesuffix(".gz").endswith(FEED_FILE_SUFFIXES):
                yield from FeedSource(str(entry), self.policy).read()
            else:
                yield from FileSource(entry, columns=self.columns).read()


class SourceError(ValueError):
    """A source spec that names nothing readable."""


def resolve_sources(specs: list[str], policy: FetchPolicy | None = None,
                    columns: Mapping[str, str] | None = None) -> list[ArticleSource]:
    """Turn CLI/flow source specs into sources; a bad spec is an error naming it.

    `http(s)://` specs are feeds (path ending .xml/.rss/.atom/.rdf) or pages (anything else; a page
    that turns out to be RSS/Atom is read as a feed); `.xml/.rss/.atom/.rdf` files are feeds; a
    `.txt` file whose non-comment lines are all http(s) URLs is a URL list; other files and folders
    are read as articles. `policy` governs every fetch (default: refuse non-global addresses);
    `columns` maps contract fields to JSONL/CSV column names (`transforms.columns`).
    """
    from flows.feeds import FEED_SUFFIXES, FeedSource, UrlListSource, UrlSource, is_url, is_url_list

    sources: list[ArticleSource] = []
    for spec in specs:
        if is_url(spec):
            spec = spec.strip()
            url_path = spec.split("#", 1)[0].split("?", 1)[0].lower()
            if url_path.endswith(FEED_SUFFIXES):
                sources.append(FeedSource(spec, policy))
            else:
                sources.append(UrlSource(spec, policy))
            continue
        if "://" in spec:
            raise SourceError(f"{spec}: only http:// and https:// URLs can be fetched")
        path = Path(spec)
        name = path.name.lower().removesuffix(".gz")
        if path.is_dir():
            sources.append(FolderSource(path, policy, columns))
        elif path.is_file() and name.endswith(FEED_SUFFIXES):
            sources.append(FeedSource(spec, policy))
        elif path.is_file() and name.endswith(".txt") and not path.name.lower().endswith(".gz") and is_url_list(path):
            sources.append(UrlListSource(path, policy))
        elif path.is_file():
            sources.append(FileSource(path, columns=columns))
        else:
            raise SourceError(f"{spec}: no such file or folder")
    return sources


def estimate_records(sources: list[ArticleSource]) -> int | None:
    """How many records the sources will yield, counted cheaply, or None when unknown (feeds, URLs).

    Used only for progress: .txt/.html files are one record, .jsonl/.csv one per line.
    """
    total = 0
    for source in sources:
        paths = list(source.files()) if isinstance(source, FolderSource) else (
            [source.path] if isinstance(source, FileSource) else None)
        if paths is None:
            return None
        for path in paths:
            if _kind(path) in {"jsonl", "csv"} and not path.name.lower().endswith(".gz"):
                with open(path, "rb") as fh:
                    total += sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
            elif _kind(path) == "sgml":
                total += 1000  # a Reuters-21578 file holds 1,000 stories (the last 578); progress only
            else:
                total += 1
    return total


def iter_records(sources: list[ArticleSource]) -> Iterator[SourceItem]:
    """All records of all sources in order; each source fails alone."""
    for source in sources:
        try:
            yield from source.read()
        except Exception as exc:  # one broken source must not sink the run
            yield SourceProblem(source.name, source.name, f"cannot read source: {type(exc).__name__}: {exc}")


def read_one(spec: str, policy: FetchPolicy | None = None) -> SourceItem:
    """The first record of one spec (a file, URL or feed) for `dateline extract`, or a problem."""
    try:
        sources = resolve_sources([spec], policy)
    except SourceError as exc:
        return SourceProblem(spec, spec, str(exc))
    for source in sources:
        items = source.read()
        try:
            for item in items:
                return item
        except OSError as exc:
            return SourceProblem(source.name, source.name, f"cannot read source: {exc}")
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()
    return SourceProblem(spec, spec, "no article found")
