"""From the specs a user gives (paths, URLs) to sources, and from sources to one stream of records."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Mapping

from flows.sources.base import FEED_SUFFIXES, ArticleSource, SourceItem, SourceProblem, article_kind, is_url
from flows.sources.files import FileSource, FolderSource
from flows.sources.web import FeedSource, UrlListSource, UrlSource, is_url_list

if TYPE_CHECKING:
    from flows.fetch import FetchPolicy


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
            if article_kind(path) in {"jsonl", "csv"} and not path.name.lower().endswith(".gz"):
                with open(path, "rb") as fh:
                    total += sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
            elif article_kind(path) == "sgml":
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
