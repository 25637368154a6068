"""Cross-table facts as plain polars columns, computed before Great Expectations runs.

GX validates one table at a time, so facts that need another table (the article's text, whether
a referenced row exists, the article's publication time) are joined in here as derived columns
(`_article_exists`, `_slice_ok`, ...). So are memberships in big value sets (`_<column>_iso3`, ...:
`with_membership_flags`), which are cheap in polars and costly in GX. The suites then check those
columns with ordinary expectations, so failing-row reasons are still GX expectation names. Pure:
no GX, no I/O.

Every derived boolean is non-null: GX skips nulls in `expect_column_values_to_be_in_set`, so a
null here would pass silently.
"""

from __future__ import annotations

from typing import Any, Collection, Iterable, Mapping

import polars as pl

ROW = "_row"
"""Row index added to every frame; GX reports failing rows by it."""

FORWARD_LOOKING_MODALITIES = frozenset({"predicted", "conditional"})
"""Events with these modalities may be dated after their article (they talk about the future)."""



def with_row_index(frame: pl.DataFrame) -> pl.DataFrame:
    """Number rows 0..n-1 as Int64 (not polars' UInt32) so pandas/GX see a plain integer column."""
    return frame.with_row_index(ROW).with_columns(pl.col(ROW).cast(pl.Int64))


def with_membership_flags(
    frame: pl.DataFrame, flags: Mapping[str, tuple[str, Collection[Any]]]
) -> pl.DataFrame:
    """Add each `flag`: True where its column is null or one of the allowed values, else False.

    The membership half of `expectations.suites._member`: GX then only checks the flag is True, so
    a failing row still fails under the same expectation name, and a null value still passes.
    """
    if not flags:
        return frame
    return frame.with_columns(
        (pl.col(column).is_null() | pl.col(column).is_in(sorted(set(allowed)))).fill_null(False).alias(flag)
        for flag, (column, allowed) in flags.items()
    )


def _ids(values: Iterable[str]) -> pl.Series:
    return pl.Series(values=sorted(set(values)), dtype=pl.String)


def _article_facts(articles: pl.DataFrame) -> pl.DataFrame:
    """One row per article_id (first wins): duplicates are quarantined anyway, and must not fan out the join."""
    return (
        articles.filter(pl.col("article_id").is_not_null())
        .unique(subset="article_id", keep="first", maintain_order=True)
        .select(
            pl.col("article_id"),
            pl.col("text").alias("_article_text"),
            pl.col("published_at").alias("_article_published_at"),
            pl.lit(True).alias("_in_batch"),
        )
    )


def _exists(column: str, batch_ids: pl.Series, known: frozenset[str]) -> pl.Expr:
    ids = pl.concat([batch_ids, _ids(known)]) if known else batch_ids
    return pl.col(column).is_in(ids.implode()).fill_null(False)


def _join_articles(frame: pl.DataFrame, articles: pl.DataFrame) -> pl.DataFrame:
    joined = frame.join(_article_facts(articles), on="article_id", how="left", maintain_order="left")
    if joined.height != frame.height:  # pragma: no cover - guarded by _article_facts' unique()
        raise AssertionError("article join changed the row count")
    return joined


def _offsets_valid() -> pl.Expr:
    """Offsets that can be sliced: both present, 0 <= start < end <= len(text)."""
    return (
        pl.col("start_char").is_not_null()
        & pl.col("end_char").is_not_null()
        & (pl.col("start_char") >= 0)
        & (pl.col("end_char") > pl.col("start_char"))
        & (pl.col("end_char") <= pl.col("_article_text_len"))
    )


def mention_checks(
    mentions: pl.DataFrame,
    articles: pl.DataFrame,
    entities: pl.DataFrame,
    *,
    known_article_ids: frozenset[str] = frozenset(),
    known_entity_ids: frozenset[str] = frozenset(),
) -> pl.DataFrame:
    """Mentions plus `_row`, `_article_exists`, `_entity_exists`, `_article_text_len`, `_slice_ok`.

    `_slice_ok` is True when it cannot be judged (article text not in this batch, or offsets broken,
    which have their own expectations), so each failure points at one root cause.
    """
    frame = _join_articles(with_row_index(mentions), articles)
    article_ids = articles.get_column("article_id").drop_nulls()
    entity_ids = entities.get_column("entity_id").drop_nulls()
    frame = frame.with_columns(
        _exists("article_id", article_ids, known_article_ids).alias("_article_exists"),
        _exists("entity_id", entity_ids, known_entity_ids).alias("_entity_exists"),
        pl.col("_article_text").str.len_chars().cast(pl.Int64).alias("_article_text_len"),
    )
    sliced = pl.col("_article_text").str.slice(
        pl.col("start_char"), pl.col("end_char") - pl.col("start_char")
    )
    slice_ok = (
        pl.when(pl.col("_article_text").is_null() | ~_offsets_valid().fill_null(False))
        .then(True)
        .otherwise((pl.col("text") == sliced).fill_null(False))
    )
    return frame.with_columns(slice_ok.alias("_slice_ok")).drop(
        "_article_text", "_article_published_at", "_in_batch"
    )


def event_checks(
    events: pl.DataFrame,
    articles: pl.DataFrame,
    *,
    known_article_ids: frozenset[str] = frozenset(),
) -> pl.DataFrame:
    """Events plus `_row`, `_article_exists`, `_article_text_len`, `_date_ok`.

    `_date_ok`: event_date <= the article's published_at + 1 day (UTC), unless the event is
    predicted/conditional; True when either date is unknown (article not in this batch, or nulls).
    """
    frame = _join_articles(with_row_index(events), articles)
    article_ids = articles.get_column("article_id").drop_nulls()
    latest = (pl.col("_article_published_at") + pl.duration(days=1)).dt.date()
    date_ok = (
        pl.col("event_date").is_null()
        | pl.col("_article_published_at").is_null()
        | pl.col("modality").is_in(sorted(FORWARD_LOOKING_MODALITIES)).fill_null(False)
        | (pl.col("event_date") <= latest)
    ).fill_null(True)
    return frame.with_columns(
        _exists("article_id", article_ids, known_article_ids).alias("_article_exists"),
        pl.col("_article_text").str.len_chars().cast(pl.Int64).alias("_article_text_len"),
        date_ok.alias("_date_ok"),
    ).drop("_article_text", "_article_published_at", "_in_batch")
