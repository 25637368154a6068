"""PLOVER event types and the trigger lexicon, both kept as data files in transforms/data/.

The tables live in CSV so coders can review and extend them without touching code:
`event_types.csv` (one row per PLOVER type, with its representative CAMEO root, GDELT quad
class and Goldstein-style intensity) and `event_lexicon.csv` (trigger lemma → type, optionally
gated by a cue lemma among the trigger's objects / complements / prepositions / modifiers).
Pure: reads only this package's own data files.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # polars is only needed by event_types_frame
    import polars as pl

PLOVER_TYPES: tuple[str, ...] = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)

LEGACY_TYPE_NAMES: dict[str, str] = {
    "DEMAND": "REQUEST",
    "DISAPPROVE": "ACCUSE",
    "FIGHT": "ASSAULT",
    "INVESTIGATE": "ACCUSE",
}
"""PLOVER 2016 draft names (still used by the GSR dev set and the 2017 reference) → current names."""

POS_VALUES = frozenset({"VERB", "NOUN"})


@dataclass(frozen=True)
class EventType:
    """One PLOVER event type with the CAMEO/GDELT attributes downstream tables carry."""

    event_type: str
    cameo_root: str
    quad_class: int
    intensity: float
    description: str


@dataclass(frozen=True)
class LexiconEntry:
    """One reading of a trigger lemma; a non-empty `cue` restricts it to contexts containing a cue lemma."""

    lemma: str
    pos: str
    event_type: str
    cameo_code: str
    cue: frozenset[str]
    confidence: float


def canonical_event_type(name: str) -> str | None:
    """Current PLOVER name for `name` (accepts 2016 draft names); None for non-PLOVER labels such as CRIME."""
    key = name.strip().upper()
    key = LEGACY_TYPE_NAMES.get(key, key)
    return key if key in PLOVER_TYPES else None


def _read_data(filename: str) -> list[dict[str, str]]:
    """Rows of a package data file; importlib.resources so it works from a wheel too."""
    text = resources.files("transforms").joinpath("data", filename).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@lru_cache(maxsize=1)
def load_event_types() -> dict[str, EventType]:
    """All 16 PLOVER types keyed by name; cached because every event row needs one."""
    types: dict[str, EventType] = {}
    for row in _read_data("event_types.csv"):
        name = canonical_event_type(row["event_type"])
        if name is None:
            raise ValueError(f"event_types.csv: unknown event type {row['event_type']!r}")
        types[name] = EventType(
            event_type=name,
            cameo_root=row["cameo_root"].strip(),
            quad_class=int(row["quad_class"]),
            intensity=float(row["intensity"]),
            description=row["description"].strip(),
        )
    missing = set(PLOVER_TYPES) - set(types)
    if missing:
        raise ValueError(f"event_types.csv lacks {sorted(missing)}")
    return types


def _split_cue(raw: str) -> frozenset[str]:
    return frozenset(c.strip().lower() for c in raw.split("|") if c.strip())


@lru_cache(maxsize=1)
def load_lexicon() -> dict[str, list[LexiconEntry]]:
    """Entries by lemma, in file order; cached since lookup runs once per token."""
    lexicon: dict[str, list[LexiconEntry]] = {}
    for n, row in enumerate(_read_data("event_lexicon.csv"), start=2):
        name = canonical_event_type(row["event_type"])
        pos = row["pos"].strip().upper()
        if name is None or pos not in POS_VALUES:
            raise ValueError(f"event_lexicon.csv line {n}: bad event_type/pos {row['event_type']!r}/{row['pos']!r}")
        entry = LexiconEntry(
            lemma=row["lemma"].strip().lower(),
            pos=pos,
            event_type=name,
            cameo_code=row["cameo_code"].strip(),
            cue=_split_cue(row.get("cue") or ""),
            confidence=float(row["confidence"]),
        )
        lexicon.setdefault(entry.lemma, []).append(entry)
    return lexicon


def lookup(lemma: str, pos: str, cues: Iterable[str]) -> LexiconEntry | None:
    """The reading of `lemma` as `pos` in a context with these cue lemmas.

    A cued entry whose cue set meets `cues` wins (highest confidence, then file order, so a
    specific reading such as "launch missiles *at*" beats "launch *missiles*"); otherwise the
    cue-less entry; otherwise None — a lemma listed only with cues is not a trigger on its own.
    """
    entries = load_lexicon().get(lemma.strip().lower())
    if not entries:
        return None
    pos = pos.upper()
    context = {c.lower() for c in cues}
    best: LexiconEntry | None = None
    fallback: LexiconEntry | None = None
    for entry in entries:
        if entry.pos != pos:
            continue
        if not entry.cue:
            if fallback is None:
                fallback = entry
        elif entry.cue & context and (best is None or entry.confidence > best.confidence):
            best = entry
    return best if best is not None else fallback


def event_types_frame() -> "pl.DataFrame":
    """The event_types table as a polars frame (cameo_root stays a zero-padded string)."""
    import polars as pl

    rows = [asdict(t) for t in load_event_types().values()]
    return pl.DataFrame(
        rows,
        schema={
            "event_type": pl.Utf8,
            "cameo_root": pl.Utf8,
            "quad_class": pl.Int8,
            "intensity": pl.Float64,
            "description": pl.Utf8,
        },
    )


SECTOR_WORDS: dict[str, str] = {
    # government and diplomacy
    **dict.fromkeys(
        "government govt administration cabinet ministry minister premier president presidency prime chancellor "
        "official leader regime parliament lawmaker legislator congress senate senator mp diplomat embassy "
        "ambassador envoy spokesman spokeswoman spokesperson governor mayor king queen monarch emir sultan "
        "state-department secretary authority authorities delegation foreign-ministry council".split(),
        "government",
    ),
    **dict.fromkeys(
        "military army troop soldier navy naval marine airforce commander force forces battalion brigade "
        "regiment militaries warplane warship".split(),
        "military",
    ),
    **dict.fromkeys("police policeman policemen officer cop gendarme riot-police".split(), "police"),
    **dict.fromkeys("spy intelligence nis cia kgb fsb mossad".split(), "intelligence"),
    **dict.fromkeys(
        "rebel insurgent militant guerrilla guerilla separatist militia militiaman jihadist terrorist "
        "gunman gunmen fighter".split(),
        "rebels",
    ),
    **dict.fromkeys(
        "civilian resident villager protester protestor demonstrator student worker refugee citizen people "
        "crowd activist farmer".split(),
        "civilians",
    ),
    **dict.fromkeys("opposition dissident".split(), "opposition"),
    **dict.fromkeys("court judge prosecutor tribunal prosecution".split(), "judiciary"),
    **dict.fromkeys("media news newspaper broadcaster journalist reporter correspondent kcna xinhua".split(), "media"),
    **dict.fromkeys("company firm corporation business bank industry maker manufacturer".split(), "business"),
    **dict.fromkeys("un nato eu imf igo".split(), "igo"),
    **dict.fromkeys("ngo charity".split(), "ngo"),
}
"""Lemma → actor sector. Only words that say the sector; a bare country name has none."""

_SECTOR_PRIORITY = ("intelligence", "military", "police", "judiciary", "rebels", "opposition", "government", "igo", "ngo", "media", "business", "civilians")


def sector_of(words: Iterable[str]) -> str | None:
    """The sector an actor phrase's lemmas state ("spy agency" → intelligence, "officials" → government).

    The most specific sector in the phrase wins ("military officers" → military, "police officers"
    → police, "spy agency" → intelligence, "news agency" → media).
    """
    found = {SECTOR_WORDS[w] for w in (x.lower() for x in words) if w in SECTOR_WORDS}
    if not found:
        return None
    for sector in _SECTOR_PRIORITY:
        if sector in found:
            return sector
    return None
