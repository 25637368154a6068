"""What every article source shares: the record or problem it yields, and bounded file reads.

Every source yields raw records (dicts with the JSONL contract fields plus `source_key`) or
`SourceProblem`s; a problem costs one record or one file, never the run.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Protocol, Union

ARTICLE_KINDS = {".txt": "txt", ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".csv": "csv",
                 ".sgm": "sgml"}
FEED_SUFFIXES = (".xml", ".rss", ".atom", ".rdf")
"""Files and URL paths read as RSS/Atom feeds, alone or inside a folder."""
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



def is_url(spec: str) -> bool:
    return spec.strip().lower().startswith(("http://", "https://"))


def article_kind(path: Path) -> str | None:
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
