"""The records event extraction returns: `Event` (one row of the `events` table) and `Actor`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Actor:
    """An event participant as written, resolved to an entity and a country where possible."""

    text: str | None  # None: the doer is implied ("was arrested", "the investigation")
    entity_id: str | None
    country: str | None
    sector: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Event:
    """One row of the `events` table (minus run bookkeeping)."""

    event_id: str
    article_id: str
    sent_idx: int
    start_char: int
    end_char: int
    trigger: str
    trigger_lemma: str
    event_type: str
    cameo_code: str
    quad_class: int
    intensity: float
    actor1_text: str | None
    actor1_entity_id: str | None
    actor1_country: str | None
    actor2_text: str | None
    actor2_entity_id: str | None
    actor2_country: str | None
    location_text: str | None
    location_country: str | None
    event_date: dt.date | None
    date_precision: str
    date_text: str | None
    modality: str
    negated: bool
    claimed_by: str | None
    confidence: float
    # optional: offsets and sectors where the rule found them (the defaults keep older callers working)
    trigger_start: int | None = None
    trigger_end: int | None = None
    actor1_sector: str | None = None
    actor2_sector: str | None = None
    actor1_start: int | None = None
    actor1_end: int | None = None
    actor2_start: int | None = None
    actor2_end: int | None = None
    location_entity_id: str | None = None
    is_historical: bool = False

    def as_row(self) -> dict:
        """The event as a table row (a shallow copy: every field is a scalar, so no deep `asdict`)."""
        return {name: getattr(self, name) for name in _EVENT_FIELDS}


_EVENT_FIELDS = tuple(f.name for f in fields(Event))


def _actor_columns(role: str, actor: "Actor | None") -> dict:
    """The `actorN_*` columns of an event for one role (all null without an actor)."""
    fields = ("text", "entity_id", "country", "sector", "start", "end")
    return {f"{role}_{f}": (getattr(actor, f) if actor else None) for f in fields}
