"""Syndicated copies annotated once: an article whose annotation inputs equal another's takes its rows.

Wire stories reach a warehouse many times over, under different URLs and ids. What `annotate`
produces for an article depends only on its clean text, its publication day (relative dates) and
whether it is English (other languages are not parsed); its id appears only in `article_id` and in
event ids (`stable_id("event", article_id, trigger_start, event_type)`). So a copy's annotation is
the first article's with those ids re-made, exactly what parsing the copy again would give, without
the cost of the parse. Entity ids are canonical names, the same for every article.
"""

from __future__ import annotations

import hashlib
from typing import Container

import polars as pl

from transforms.identity import stable_id
from transforms.nlp import ENGLISH, Annotations, entities_from


def annotation_key(text: str, published, language: str | None) -> str:
    """Everything `annotate` reads of an article, hashed: clean text, publication day, English or not."""
    day = published.date().isoformat() if published is not None else ""
    english = "en" if language in ENGLISH else "other"
    return hashlib.sha256("\x1f".join((english, day, text)).encode()).hexdigest()


def annotation_keys(articles: pl.DataFrame) -> list[str]:
    """`annotation_key` of each row of an `articles` frame, in order."""
    return [annotation_key(t, p, lang) for t, p, lang in
            zip(articles["text"], articles["published_at"], articles["language"])]


def split_copies(articles: pl.DataFrame, known: Container[str] = ()
                 ) -> tuple[pl.DataFrame, dict[str, str], dict[str, str]]:
    """The articles to annotate (the first of each key that is not `known`), each other article's
    id → its key (to be filled from the annotation made for that key), and the annotated
    articles' key → id."""
    first: dict[str, str] = {}
    keep: list[bool] = []
    copies: dict[str, str] = {}
    for article_id, key in zip(articles["article_id"], annotation_keys(articles)):
        if key in known or key in first:
            copies[article_id] = key
            keep.append(False)
        else:
            first[key] = article_id
            keep.append(True)
    return articles.filter(pl.Series(keep, dtype=pl.Boolean)), copies, first


def per_article(ann: Annotations, article_ids: list[str]) -> dict[str, Annotations]:
    """The annotation of each article, apart, with its own sightings of entities."""
    wanted = pl.col("article_id").is_in(article_ids)
    mentions = ann.mentions.filter(wanted).partition_by("article_id", as_dict=True, maintain_order=True)
    events = ann.events.filter(wanted).partition_by("article_id", as_dict=True, maintain_order=True)
    sightings = ann.sightings.filter(wanted).partition_by("article_id", as_dict=True, maintain_order=True)
    failed = dict(ann.failed)
    out = {}
    for aid in article_ids:
        seen = sightings.get((aid,), ann.sightings.clear())
        out[aid] = Annotations(mentions.get((aid,), ann.mentions.clear()), entities_from(seen),
                               events.get((aid,), ann.events.clear()),
                               ((aid, failed[aid]),) if aid in failed else (), seen)
    return out


def as_copy(source: Annotations, copy_id: str) -> Annotations:
    """One article's annotation re-made for its copy: the copy's article id and event ids."""
    events = source.events.with_columns(pl.lit(copy_id, pl.String).alias("article_id"))
    events = events.with_columns(pl.Series(
        "event_id", [stable_id("event", copy_id, start, etype)
                     for start, etype in zip(events["trigger_start"], events["event_type"])], dtype=pl.String))
    return Annotations(
        source.mentions.with_columns(pl.lit(copy_id, pl.String).alias("article_id")),
        source.entities,
        events,
        tuple((copy_id, reason) for _, reason in source.failed),
        source.sightings.with_columns(pl.lit(copy_id, pl.String).alias("article_id")),
    )


def combined(parts: list[Annotations], order: list[str]) -> Annotations:
    """Several annotations as one batch's: entities made from every article's sightings taken in
    the batch's article `order`, as one annotation of the whole batch would make them."""
    if not parts:
        return Annotations.empty()
    position = {aid: i for i, aid in enumerate(order)}
    sightings = pl.concat([p.sightings for p in parts], how="vertical")
    sightings = sightings.sort(pl.col("article_id").replace_strict(position, default=len(position),
                                                                   return_dtype=pl.Int64), maintain_order=True)
    return Annotations(
        pl.concat([p.mentions for p in parts], how="vertical"),
        entities_from(sightings),
        pl.concat([p.events for p in parts], how="vertical"),
        tuple(f for p in parts for f in p.failed),
        sightings,
    )
