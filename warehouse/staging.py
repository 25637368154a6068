"""Batches that could not be loaded (the warehouse stayed locked) wait on disk for the next run.

A staged batch is a folder of Parquet files, one per `LoadBatch` field, plus `bound_to.json`
naming the warehouse it was made for (its resolved path, and its id when the file could be read).
`load_staged` loads only batches bound to the warehouse it is given and leaves any other alone,
so a batch can never land in another warehouse that shares the staging folder.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Iterator

import polars as pl

from warehouse.loader import LoadBatch, connect, load_batch
from warehouse.schema import warehouse_id

BINDING = "bound_to.json"


@dataclass(frozen=True)
class Binding:
    """The warehouse a staged batch belongs to."""

    db_path: str
    warehouse_id: str | None = None

    @classmethod
    def of(cls, db_path: Path, wid: str | None) -> "Binding":
        return cls(str(Path(db_path).resolve()), wid)

    def accepts(self, other: "Binding") -> bool:
        """Same file, and the same id when both sides know it (a file replaced by another is refused)."""
        if self.db_path != other.db_path:
            return False
        return self.warehouse_id is None or other.warehouse_id is None or self.warehouse_id == other.warehouse_id


def stage_batch(staging_dir: Path, batch: LoadBatch, name: str, binding: Binding) -> Path:
    """Write a batch as Parquet files; the folder appears atomically (rename at the end)."""
    final = staging_dir / name
    tmp = staging_dir / f".{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for f in fields(batch):
        frame = getattr(batch, f.name)
        if f.name == "run" and "status" in frame.columns:  # what the runs row says once loaded from staging
            frame = frame.with_columns(pl.lit("staged").alias("status"), pl.lit(
                "warehouse was locked: batch staged, loaded by a later run").alias("message"))
        frame.write_parquet(tmp / f"{f.name}.parquet")
    (tmp / BINDING).write_text(json.dumps(binding.__dict__))
    _fsync_tree(tmp)
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    _fsync_dir(staging_dir)
    return final


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    """Flush the staged files before the rename publishes them (a power cut must not publish empty files)."""
    for f in folder.iterdir():
        with open(f, "rb") as fh:
            os.fsync(fh.fileno())
    _fsync_dir(folder)


@dataclass
class StagedLoad:
    """What `load_staged` did: articles loaded, and staged folders left because they belong elsewhere."""

    articles: int = 0
    foreign: list[str] | None = None


def load_staged(db_path: Path, staging_dir: Path, *, timeout_s: float = 30.0) -> StagedLoad:
    """Load every batch staged for this warehouse, oldest first, one transaction each; a folder is
    removed only after its COMMIT. A crash between the two loads it again next time: articles are
    upserted and their child rows replaced, so a second load adds nothing."""
    result = StagedLoad(foreign=[])
    staged = list(staged_batches(staging_dir))
    if not staged:
        return result
    con = connect(db_path, timeout_s=timeout_s)
    try:
        here = Binding.of(db_path, warehouse_id(con))
        for folder, binding, batch in staged:
            if binding is None or not binding.accepts(here):
                result.foreign.append(f"{folder} (staged for {binding.db_path if binding else 'an unknown warehouse'})")
                continue
            load_batch(con, batch)
            shutil.rmtree(folder)
            result.articles += batch.articles.height
    finally:
        con.close()
    return result


def staged_batches(staging_dir: Path) -> Iterator[tuple[Path, Binding | None, LoadBatch]]:
    """Batches left by earlier runs, oldest first, with the warehouse each was staged for."""
    if not staging_dir.is_dir():
        return
    for folder in sorted(p for p in staging_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        frames = {f.name: pl.read_parquet(folder / f"{f.name}.parquet") for f in fields(LoadBatch)
                  if (folder / f"{f.name}.parquet").exists() or f.name != "fingerprints"}
        bound = folder / BINDING
        binding = Binding(**json.loads(bound.read_text())) if bound.exists() else None
        yield folder, binding, LoadBatch(**frames)
