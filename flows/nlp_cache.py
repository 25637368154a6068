"""The NLP task's result cache on disk: its keys and their pruning.

Prefect persists each batch's annotations under the task's cache key and reuses them for the same
texts, pipeline version and model until the entry expires. Expired entries are never read again,
but Prefect leaves their files behind: about 14 kB an article here (29 MB for a 2,000-article
benchmark), so a scheduled pipeline would fill its disk. Dateline's keys carry a prefix, and each
completed run deletes Dateline's entries older than their lifetime, nothing else.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Any

from dateline.settings import Settings
from transforms.identity import stable_id

PREFIX = "dateline-nlp-"
LIFETIME = dt.timedelta(days=2)


def cache_key(_context: Any, parameters: dict[str, Any]) -> str:
    """Same texts, same pipeline version and model → same annotations (a retried run reuses them)."""
    settings: Settings = parameters["settings"]
    hashes = parameters["articles"]["content_hash"].to_list()
    return PREFIX + stable_id("nlp", settings.pipeline_version, settings.model, *hashes)


def local_storage() -> Path | None:
    """The folder Prefect writes persisted results to; None when its default result storage is a
    block that is not a local folder (set in Prefect's settings or on its server)."""
    from prefect.filesystems import LocalFileSystem
    from prefect.results import get_default_result_storage

    storage = get_default_result_storage(_sync=True)
    if not isinstance(storage, LocalFileSystem):
        return None
    return Path(storage.basepath or ".").expanduser().resolve()


def prune(storage: Path | None, lifetime: dt.timedelta = LIFETIME, now: float | None = None) -> int:
    """Delete Dateline's cache entries written more than `lifetime` ago; returns how many.

    Only files named with Dateline's prefix are touched: the folder is Prefect's, shared with
    any other flow. A file another process removes first is not an error.
    """
    if storage is None or not storage.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - lifetime.total_seconds()
    removed = 0
    with os.scandir(storage) as entries:
        for entry in entries:
            if not entry.name.startswith(PREFIX) or not entry.is_file(follow_symlinks=False):
                continue
            try:
                if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                    Path(entry.path).unlink()
                    removed += 1
            except FileNotFoundError:
                continue
    return removed
