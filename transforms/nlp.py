"""One spaCy pass over a batch of articles → `mentions`, `entities` and `events` frames.

NER and the dependency parse come from the same `nlp.pipe` call, so every article is parsed
once; entity canonicalisation and event extraction then read the same Doc. Takes a loaded
pipeline (see `flows/model.py`), the `articles` frame, and returns frames shaped like
`warehouse/schema.sql`. Pure apart from spaCy's own worker processes when n_process > 1.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import polars as pl

from transforms.entities import doc_mentions, entity_rows, sentence_starts
from transforms.calibration import Calibration, calibrate_rows
from transforms.calibration import load_model as load_calibration
from transforms.events import doc_events

MENTION_SCHEMA: dict[str, pl.DataType] = {
    "article_id": pl.String,
    "mention_idx": pl.Int32,
    "entity_id": pl.String,
    "text": pl.String,
    "label": pl.String,
    "start_char": pl.Int32,
    "end_char": pl.Int32,
    "sent_idx": pl.Int32,
    "run_id": pl.String,
    "pipeline_version": pl.String,
}
ENTITY_SCHEMA: dict[str, pl.DataType] = {
    "entity_id": pl.String,
    "name": pl.String,
    "type": pl.String,
    "country_code": pl.String,
    "first_seen_run": pl.String,
}
EVENT_SCHEMA: dict[str, pl.DataType] = {
    "event_id": pl.String,
    "article_id": pl.String,
    "sent_idx": pl.Int32,
    "start_char": pl.Int32,
    "end_char": pl.Int32,
    "trigger": pl.String,
    "trigger_lemma": pl.String,
    "trigger_start": pl.Int32,
    "trigger_end": pl.Int32,
    "event_type": pl.String,
    "cameo_code": pl.String,
    "quad_class": pl.Int32,
    "intensity": pl.Float64,
    "actor1_text": pl.String,
    "actor1_entity_id": pl.String,
    "actor1_country": pl.String,
    "actor1_sector": pl.String,
    "actor1_start": pl.Int32,
    "actor1_end": pl.Int32,
    "actor2_text": pl.String,
    "actor2_entity_id": pl.String,
    "actor2_country": pl.String,
    "actor2_sector": pl.String,
    "actor2_start": pl.Int32,
    "actor2_end": pl.Int32,
    "location_text": pl.String,
    "location_entity_id": pl.String,
    "location_country": pl.String,
    "event_date": pl.Date,
    "date_precision": pl.String,
    "date_text": pl.String,
    "is_historical": pl.Boolean,
    "modality": pl.String,
    "negated": pl.Boolean,
    "claimed_by": pl.String,
    "confidence": pl.Float64,
    "run_id": pl.String,
    "pipeline_version": pl.String,
}

SIGHTING_SCHEMA: dict[str, pl.DataType] = {
    "article_id": pl.String,
    "entity_id": pl.String,
    "name": pl.String,
    "type": pl.String,
    "country_code": pl.String,
}
"""One article's reading of an entity: `entities` is made from these, so it does not depend on
how a batch was split between processes or which articles were copies."""

ENGLISH = frozenset({"en", None})


def entities_from(sightings: pl.DataFrame, run_id: str = "") -> pl.DataFrame:
    """One row per entity, in order of first sighting: the first sighting that gives a country
    (in article order), else the first sighting."""
    ranked = sightings.with_row_index("_at").with_columns(pl.col("_at").min().over("entity_id").alias("_first"))
    chosen = ranked.sort([pl.col("country_code").is_null(), "_at"]).unique("entity_id", keep="first")
    return chosen.sort("_first").select(
        "entity_id", "name", "type", "country_code", pl.lit(run_id, pl.String).alias("first_seen_run"))


@dataclass(frozen=True)
class Annotations:
    mentions: pl.DataFrame
    entities: pl.DataFrame
    events: pl.DataFrame
    failed: tuple[tuple[str, str], ...] = ()  # (article_id, reason) for articles NLP could not process
    sightings: pl.DataFrame = dataclasses.field(default_factory=lambda: pl.DataFrame(schema=SIGHTING_SCHEMA))

    @classmethod
    def empty(cls) -> "Annotations":
        """No articles to annotate (every one unchanged): no spaCy call, no task run."""
        return cls(pl.DataFrame(schema=MENTION_SCHEMA), pl.DataFrame(schema=ENTITY_SCHEMA),
                   pl.DataFrame(schema=EVENT_SCHEMA))

    def for_run(self, run_id: str) -> "Annotations":
        """The same annotations stamped with the run that loads them (they may come from a cache)."""
        return dataclasses.replace(
            self,
            mentions=self.mentions.with_columns(pl.lit(run_id, pl.String).alias("run_id")),
            events=self.events.with_columns(pl.lit(run_id, pl.String).alias("run_id")),
            entities=self.entities.with_columns(pl.lit(run_id, pl.String).alias("first_seen_run")),
        )


def _docs(nlp, texts: list[str], ids: list[str], batch_size: int, n_process: int, failed: list[tuple[str, str]]):
    """(index, Doc) for each text; a batch that raises is redone one text at a time so one bad
    article costs itself, not the batch (its reason goes to `failed`)."""
    done = 0
    try:
        for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
            yield done, doc
            done += 1
        return
    except Exception:  # noqa: BLE001 - any component error; isolated per document below
        pass
    for i in range(done, len(texts)):
        text = texts[i]
        try:
            yield i, nlp(text)
        except Exception as exc:  # noqa: BLE001
            failed.append((ids[i], f"nlp_failed: {type(exc).__name__}: {str(exc)[:300]}"))


def annotate(
    nlp,
    articles: pl.DataFrame,
    *,
    run_id: str,
    pipeline_version: str,
    batch_size: int = 16,
    n_process: int = 1,
    calibration: Calibration | None | str = "bundled",
) -> Annotations:
    """Parse each English article once and extract its mentions, entities and events.

    `confidence` is the probability from `calibration` ("bundled": the model fitted on the
    real-news gold; None: the rules' own score, which is what `benchmarks/calibrate.py` fits on).

    Articles in another language are kept (they load with their language set) but are not fed
    to the English model: its entities and events would be noise.
    """
    todo = articles.filter(pl.col("language").is_null() | pl.col("language").is_in(["en"]))
    ids = todo["article_id"].to_list()
    published = todo["published_at"].to_list()
    mention_rows: list[dict] = []
    event_rows: list[dict] = []
    sighting_rows: list[tuple[str, str, str, str, str | None]] = []
    failed: list[tuple[str, str]] = []
    texts = todo["text"].to_list()
    model = load_calibration() if calibration == "bundled" else calibration
    for i, doc in _docs(nlp, texts, ids, batch_size, n_process, failed):
        aid, pub = ids[i], published[i]
        try:
            starts = sentence_starts(doc)
            mentions = doc_mentions(doc, starts)
            doc_event_rows = [e.as_row() for e in doc_events(doc, aid, mentions, pub.date() if pub is not None else None,
                                                            text=texts[i])]
            if model is not None:
                calibrate_rows(doc_event_rows, texts[i], model)
        except Exception as exc:  # noqa: BLE001 - a rule bug costs one article, reported
            failed.append((aid, f"nlp_failed: {type(exc).__name__}: {str(exc)[:300]}"))
            continue
        sighting_rows.extend((aid, eid, *row) for eid, row in entity_rows(mentions).items())
        mention_rows.extend(
            {
                "article_id": aid,
                "mention_idx": m.mention_idx,
                "entity_id": m.entity_id,
                "text": m.text,
                "label": m.label,
                "start_char": m.start_char,
                "end_char": m.end_char,
                "sent_idx": m.sent_idx,
            }
            for m in mentions
        )
        event_rows.extend(doc_event_rows)
    bookkeeping = [pl.lit(run_id).alias("run_id"), pl.lit(pipeline_version).alias("pipeline_version")]
    mentions_df = pl.DataFrame(
        mention_rows, schema={k: v for k, v in MENTION_SCHEMA.items() if k not in {"run_id", "pipeline_version"}}
    ).with_columns(bookkeeping)
    events_df = pl.DataFrame(
        event_rows, schema={k: v for k, v in EVENT_SCHEMA.items() if k not in {"run_id", "pipeline_version"}}
    ).with_columns(bookkeeping)
    sightings = pl.DataFrame(sighting_rows, schema=SIGHTING_SCHEMA, orient="row")
    return Annotations(mentions_df.select(list(MENTION_SCHEMA)), entities_from(sightings, run_id),
                       events_df.select(list(EVENT_SCHEMA)), tuple(failed), sightings)
