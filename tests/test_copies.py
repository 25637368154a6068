"""Syndicated copies annotated once: the rows a copy gets from its original's annotation are the
rows parsing the copy itself gives (ids included), within a batch and across batches in flight."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from flows.reuse import AnnotationReuse
from transforms.copies import annotation_key, as_copy, combined, per_article, split_copies
from transforms.nlp import Annotations, annotate

UTC = dt.timezone.utc
STORY = ("Protesters marched through Nairobi on Tuesday, and police in Kenya arrested twelve of them. "
         "The interior minister accused the opposition of organising the marches.")
OTHER = ("The French government signed a trade agreement with Brazil in Paris on Monday. "
         "President Lula praised the deal.")


def _articles(rows: list[tuple[str, str, dt.datetime | None, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"article_id": a, "text": t, "published_at": p, "language": lang} for a, t, p, lang in rows],
        schema={"article_id": pl.String, "text": pl.String, "published_at": pl.Datetime("us", "UTC"),
                "language": pl.String})


def _annotate(nlp, articles: pl.DataFrame) -> Annotations:
    return annotate(nlp, articles, run_id="r", pipeline_version="test")


def _same(a: Annotations, b: Annotations) -> None:
    a, b = a.for_run("run"), b.for_run("run")  # as the flow stamps both before loading
    def norm(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
        return frame.sort(keys)

    assert norm(a.mentions, ["article_id", "mention_idx"]).equals(norm(b.mentions, ["article_id", "mention_idx"]))
    assert norm(a.events, ["event_id"]).equals(norm(b.events, ["event_id"]))
    assert norm(a.entities, ["entity_id"]).equals(norm(b.entities, ["entity_id"]))
    assert sorted(a.failed) == sorted(b.failed)


def test_the_key_is_what_annotation_reads() -> None:
    day = dt.datetime(2024, 5, 7, 9, tzinfo=UTC)
    assert annotation_key(STORY, day, "en") == annotation_key(STORY, day.replace(hour=18), None)  # same day, English
    assert annotation_key(STORY, day, "en") != annotation_key(STORY, day + dt.timedelta(days=1), "en")
    assert annotation_key(STORY, day, "en") != annotation_key(STORY, day, "fr")
    assert annotation_key(STORY, day, "en") != annotation_key(STORY + " ", day, "en")
    assert annotation_key(STORY, None, "en") != annotation_key(STORY, day, "en")


def test_split_keeps_the_first_of_each_key_and_knows_earlier_ones() -> None:
    day = dt.datetime(2024, 5, 7, tzinfo=UTC)
    arts = _articles([("a", STORY, day, "en"), ("b", OTHER, day, "en"), ("c", STORY, day, None),
                      ("d", STORY, day + dt.timedelta(days=1), "en")])
    todo, copies, annotated = split_copies(arts)
    assert todo["article_id"].to_list() == ["a", "b", "d"] and list(annotated.values()) == ["a", "b", "d"]
    assert copies == {"c": annotation_key(STORY, day, "en")}
    todo, copies, _ = split_copies(arts, known={annotation_key(OTHER, day, "en")})
    assert todo["article_id"].to_list() == ["a", "d"] and set(copies) == {"b", "c"}


def test_a_copy_gets_exactly_the_rows_parsing_it_gives(nlp) -> None:
    day = dt.datetime(2024, 5, 7, tzinfo=UTC)
    arts = _articles([("orig", STORY, day, "en"), ("other", OTHER, day, "en"), ("copy", STORY, day, "en")])
    direct = _annotate(nlp, arts)
    assert direct.events.filter(pl.col("article_id") == "copy").height >= 2  # the story has events to copy
    todo, copies, _ = split_copies(arts)
    once = _annotate(nlp, todo)
    source = per_article(once, ["orig"])["orig"]
    reused = combined([once, *(as_copy(source, cid) for cid in copies)], arts["article_id"].to_list())
    _same(reused, direct)


def test_batches_in_flight_share_annotations_in_plan_order(nlp) -> None:
    day = dt.datetime(2024, 5, 7, tzinfo=UTC)
    first = _articles([("a", STORY, day, "en"), ("b", STORY, day, "en")])
    second = _articles([("c", STORY, day, "en"), ("d", OTHER, day, "en")])
    reuse = AnnotationReuse(batches_kept=3)
    plan1, plan2 = reuse.plan(first), reuse.plan(second)  # both planned before either is annotated
    assert plan1.to_annotate["article_id"].to_list() == ["a"] and set(plan1.copies) == {"b"}
    assert plan2.to_annotate["article_id"].to_list() == ["d"] and set(plan2.copies) == {"c"}
    got1 = reuse.fill(plan1, _annotate(nlp, plan1.to_annotate))
    got2 = reuse.fill(plan2, _annotate(nlp, plan2.to_annotate))
    _same(got1, _annotate(nlp, first))
    _same(got2, _annotate(nlp, second))
    assert reuse.copied == 2


def test_reuse_off_sends_every_article_to_nlp() -> None:
    day = dt.datetime(2024, 5, 7, tzinfo=UTC)
    plan = AnnotationReuse(enabled=False).plan(_articles([("a", STORY, day, "en"), ("b", STORY, day, "en")]))
    assert plan.to_annotate.height == 2 and plan.copies == {}


def test_a_copy_of_an_article_nlp_failed_on_fails_the_same_way() -> None:
    empty = Annotations.empty()
    failed = Annotations(empty.mentions, empty.entities, empty.events, (("orig", "nlp_failed: ValueError: x"),))
    copy = as_copy(per_article(failed, ["orig"])["orig"], "copy")
    assert copy.failed == (("copy", "nlp_failed: ValueError: x"),)


@pytest.mark.parametrize("kept", [1, 2])
def test_an_original_trimmed_too_early_is_an_error_not_a_silent_drop(nlp, kept: int) -> None:
    day = dt.datetime(2024, 5, 7, tzinfo=UTC)
    reuse = AnnotationReuse(batches_kept=kept)
    plan1 = reuse.plan(_articles([("a", STORY, day, "en")]))
    plan2 = reuse.plan(_articles([("b", OTHER, day, "en")]))
    plan3 = reuse.plan(_articles([("c", STORY, day, "en")]))
    for plan in (plan1, plan2):
        reuse.fill(plan, _annotate(nlp, plan.to_annotate))
    if kept == 1:
        with pytest.raises(RuntimeError, match="no annotation kept"):
            reuse.fill(plan3, Annotations.empty())
    else:
        assert reuse.fill(plan3, Annotations.empty()).events["article_id"].unique().to_list() == ["c"]


def test_entities_do_not_depend_on_how_a_batch_was_split() -> None:
    from flows.nlp_pool import merge
    from transforms.nlp import SIGHTING_SCHEMA, entities_from

    def part(rows):
        seen = pl.DataFrame(rows, schema=SIGHTING_SCHEMA, orient="row")
        empty = Annotations.empty()
        return Annotations(empty.mentions, entities_from(seen), empty.events, (), seen)

    first = part([("a1", "e1", "Foreign Ministry", "ORG", None), ("a1", "e2", "Lisa Murkowski", "PERSON", None)])
    second = part([("a2", "e1", "Foreign Ministry", "ORG", "JPN"), ("a3", "e1", "Foreign Ministry", "ORG", "RUS"),
                   ("a3", "e2", "Lisa Murkowski", "PERSON", "USA")])
    whole = part(first.sightings.rows() + second.sightings.rows())
    merged = merge([first, second])
    # the first country any article gave, in article order, as one process over the batch gives
    assert merged.entities.rows() == whole.entities.rows() == [
        ("e1", "Foreign Ministry", "ORG", "JPN", ""), ("e2", "Lisa Murkowski", "PERSON", "USA", "")]
