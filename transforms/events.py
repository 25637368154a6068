"""Events from one sentence's dependency parse: who did what to whom, when, where.

A trigger (a verb or an event nominal whose lemma is in the PLOVER lexicon, disambiguated by
the lemmas of its objects and prepositions) gives the event type; actor1 comes from the subject
side (or the "by" agent of a passive), actor2 from the object / "against" / "with" side; the
location is a place attached to the clause; the date comes from date words in the sentence,
resolved against the publication date. Every event keeps its sentence offsets as evidence.
Pure: takes a parsed Doc and the article's mentions, returns plain records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Sequence

from transforms import dates, lexicon
from transforms.entities import Mention
from transforms.identity import stable_id
from transforms.modality import modality as trigger_modality

SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
PASSIVE_SUBJECT_DEPS = frozenset({"nsubjpass", "csubjpass"})
OBJECT_DEPS = frozenset({"dobj", "obj", "iobj", "dative"})
TARGET_PREPS = frozenset({"against", "with", "on", "at", "to", "toward", "towards", "into", "upon", "over"})
LOCATION_PREPS = frozenset({"in", "at", "near", "across", "along", "outside", "inside", "off", "from"})
INHERIT_SUBJECT_DEPS = frozenset({"xcomp", "conj", "advcl", "pcomp"})
"""A trigger in these relations shares its governor's subject ("vowed to strike", "met and agreed")."""
PRONOUNS = frozenset({"it", "its", "he", "his", "him", "she", "her", "they", "their", "them", "we", "our", "i", "you", "me", "us"})
PERSONAL_PRONOUNS = frozenset({"he", "his", "him", "she", "her"})
THING_PRONOUNS = frozenset({"it", "its"})
NOT_ACTOR_ENTS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


@dataclass(frozen=True)
class Actor:
    """An event participant as written, resolved to an entity and a country where possible."""

    text: str
    entity_id: str | None
    country: str | None


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

    def as_row(self) -> dict:
        return asdict(self)


class _MentionIndex:
    """Finds the mention covering a token, by character offset."""

    def __init__(self, mentions: Sequence[Mention]):
        self._spans = sorted(((m.start_char, m.end_char, m) for m in mentions), key=lambda x: x[0])

    def at(self, token) -> Mention | None:
        for start, end, m in self._spans:
            if start <= token.idx < end:
                return m
            if start > token.idx:
                break
        return None

    def within(self, start_char: int, end_char: int) -> list[Mention]:
        return [m for s, e, m in self._spans if s >= start_char and e <= end_char]

    def antecedent(self, token, labels: frozenset[str], window: int = 400) -> Mention | None:
        """The nearest earlier mention of the given labels within `window` characters.

        A deliberately small coreference rule for "its launch" / "his visit": news prose
        usually refers back to the actor named just before.
        """
        best = None
        for start, end, m in self._spans:
            if end > token.idx:
                break
            if m.label in labels and token.idx - end <= window:
                best = m
        return best


def _cues(token) -> set[str]:
    """Lemmas that disambiguate a trigger: its objects, particles, prepositions and their objects."""
    cues: set[str] = set()
    for child in token.children:
        if child.dep_ in OBJECT_DEPS | {"prt", "prep", "xcomp", "attr", "compound", "amod", "acomp", "pobj", "nsubjpass"}:
            cues.add(child.lemma_.lower())
            for grand in child.children:
                if grand.dep_ in {"pobj", "compound", "amod", "dobj"}:
                    cues.add(grand.lemma_.lower())
    if token.pos_ == "NOUN":
        for left in token.lefts:
            cues.add(left.lemma_.lower())
    return cues


def _pos(token) -> str | None:
    if token.pos_ == "VERB":
        return "VERB"
    if token.pos_ in {"NOUN", "PROPN"} and token.ent_type_ == "":
        return "NOUN"
    return None


def _find_subject(token, depth: int = 0):
    """(subject token, passive?) for a verb, inheriting from the governor for xcomp/conj clauses."""
    for child in token.children:
        if child.dep_ in SUBJECT_DEPS:
            return child, False
    for child in token.children:
        if child.dep_ == "agent":
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    return pobj, True
    if depth < 3 and token.dep_ in INHERIT_SUBJECT_DEPS and token.head is not token:
        return _find_subject(token.head, depth + 1)
    return None, False


def _verb_roles(token):
    """actor1 and actor2 head tokens for a verb trigger, with passive voice handled."""
    actor1, _ = _find_subject(token)
    passive_subject = next((c for c in token.children if c.dep_ in PASSIVE_SUBJECT_DEPS), None)
    actor2 = passive_subject
    if actor2 is None:
        actor2 = next((c for c in token.children if c.dep_ in OBJECT_DEPS), None)
    if actor2 is None:
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ in TARGET_PREPS:
                actor2 = next((g for g in child.children if g.dep_ == "pobj"), None)
                if actor2 is not None:
                    break
    if passive_subject is not None and actor1 is passive_subject:
        actor1 = None
    return actor1, actor2


def _noun_roles(token):
    """actor1 and actor2 for an event nominal ("North Korea's launch of ...", "attack by X on Y")."""
    actor1 = next((c for c in token.children if c.dep_ == "poss"), None)
    actor2 = None
    for child in token.children:
        if child.dep_ != "prep":
            continue
        pobj = next((g for g in child.children if g.dep_ == "pobj"), None)
        if pobj is None:
            continue
        if child.lower_ == "by" and actor1 is None:
            actor1 = pobj
        elif child.lower_ in TARGET_PREPS and actor2 is None:
            actor2 = pobj
    if actor1 is None and token.dep_ in OBJECT_DEPS | {"attr"} and token.head.pos_ == "VERB":
        actor1, _ = _find_subject(token.head)  # light verb: "X launched an attack"
    return actor1, actor2


def _phrase(token) -> tuple[int, int]:
    """Char span of a noun phrase head with its left modifiers (no relative clauses)."""
    left = token
    for t in token.lefts:
        if t.dep_ in {"compound", "amod", "poss", "nmod", "det", "nummod", "case", "quantmod"}:
            left = t.left_edge if t.left_edge.i < left.i else t
            break
    start = min(left.i, token.i)
    # Trim a leading determiner: "the North Korean army" → "North Korean army".
    doc = token.doc
    while start < token.i and doc[start].dep_ == "det":
        start += 1
    end_tok = token
    for t in token.rights:
        if t.dep_ in {"compound", "flat", "appos"} and t.i == end_tok.i + 1:
            end_tok = t
    return doc[start].idx, end_tok.idx + len(end_tok.text)


def _target(token, mentions: _MentionIndex, depth: int = 0):
    """Follow an object that is not itself an actor to the one it points at.

    "vowed a stern retaliation against any provocations by the North": the thing vowed is not
    the target; the target is reached through "against" and then the "by" agent.
    """
    if token is None or mentions.at(token) is not None or depth >= 3:
        return token
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ in TARGET_PREPS | {"by"}:
            pobj = next((g for g in child.children if g.dep_ == "pobj"), None)
            if pobj is not None:
                found = _target(pobj, mentions, depth + 1)
                if found is not None and mentions.at(found) is not None:
                    return found
    return token


def _purpose_target(token, mentions: _MentionIndex):
    """Target reached through "for"/"of" ("called for retaliation against X" → X), else None."""
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ in {"for", "of"}:
            pobj = next((g for g in child.children if g.dep_ == "pobj"), None)
            found = _target(pobj, mentions)
            if found is not None and found is not pobj and mentions.at(found) is not None:
                return found
    return None


def _actor(token, mentions: _MentionIndex, doc) -> Actor | None:
    """Resolve an actor head token to text, entity and country."""
    if token is None:
        return None
    covering = mentions.at(token)
    if covering is not None:
        country = covering.country_code
        if country is None:
            country = _country_in(token, mentions, covering)
        return Actor(covering.text, covering.entity_id, country)
    if token.ent_type_ in NOT_ACTOR_ENTS:
        return None
    if token.lower_ in PRONOUNS:
        labels = {True: frozenset({"PERSON"}), False: frozenset({"GPE", "ORG", "NORP"})}
        if token.lower_ not in PERSONAL_PRONOUNS | THING_PRONOUNS:
            return None
        ref = mentions.antecedent(token, labels[token.lower_ in PERSONAL_PRONOUNS])
        if ref is None:
            return None
        return Actor(ref.text, ref.entity_id, ref.country_code)
    start, end = _phrase(token)
    inner = mentions.within(start, end)
    country = next((m.country_code for m in inner if m.country_code), None)
    return Actor(doc.text[start:end], None, country)


def _country_in(token, mentions: _MentionIndex, exclude: Mention) -> str | None:
    """Country named in an actor's modifiers ("North Korean leader Kim Jong-un" → PRK)."""
    start, end = _phrase(token)
    for m in mentions.within(min(start, exclude.start_char), max(end, exclude.end_char)):
        if m is not exclude and m.country_code:
            return m.country_code
    head = token.head
    if token.dep_ == "appos" and head is not token:  # "Kim, North Korea's leader"
        return _country_in(head, mentions, exclude) if head.i != token.i else None
    return None


def _location(token, mentions: _MentionIndex) -> Mention | None:
    """A place attached to the trigger's clause by a locative preposition."""
    for child in list(token.children) + ([] if token.head is token else list(token.head.children)):
        if child.dep_ == "prep" and child.lower_ in LOCATION_PREPS:
            for pobj in child.children:
                m = mentions.at(pobj)
                if m is not None and m.label in _PLACE_LABELS:
                    return m
    return None


def _event_date(sent, trigger, published: dt.date | None, tense: str) -> dates.ResolvedDate:
    """The date words nearest the trigger in its sentence, resolved against the publication date."""
    found = dates.find_date_expressions(sent.text)
    if not found:
        return dates.ResolvedDate(None, "none", "", "unknown")
    offset = trigger.idx - sent.start_char
    start, end, text = min(found, key=lambda f: min(abs(f[0] - offset), abs(f[1] - offset)))
    return dates.resolve_date(text, published, tense=tense)


def _governed_by_trigger(token, triggers: set[int]) -> bool:
    """True when a trigger is the object/complement of another trigger ("called for readiness")."""
    head = token.head
    if head is token:
        return False
    if head.i in triggers and token.dep_ in OBJECT_DEPS | {"xcomp", "attr"}:
        return True
    if head.dep_ == "prep" and head.head.i in triggers and token.dep_ == "pobj":
        return True
    return False


def _candidates(sent) -> dict[int, tuple[object, lexicon.LexiconEntry]]:
    found = {}
    for token in sent:
        pos = _pos(token)
        if pos is None:
            continue
        entry = lexicon.lookup(token.lemma_.lower(), pos, _cues(token))
        if entry is not None:
            found[token.i] = (token, entry)
    return found


def doc_events(
    doc,
    article_id: str,
    mentions: Sequence[Mention],
    published: dt.date | None,
) -> list[Event]:
    """All events in one parsed article; each needs a trigger and at least one actor."""
    types = lexicon.load_event_types()
    index = _MentionIndex(mentions)
    events: list[Event] = []
    for sent_idx, sent in enumerate(doc.sents):
        candidates = _candidates(sent)
        trigger_ids = set(candidates)
        for i, (token, entry) in candidates.items():
            if _governed_by_trigger(token, trigger_ids):
                continue
            if token.pos_ == "VERB":
                a1_tok, a2_tok = _verb_roles(token)
            else:
                a1_tok, a2_tok = _noun_roles(token)
            if a2_tok is None:
                a2_tok = _purpose_target(token, index)
            actor1 = _actor(a1_tok, index, doc)
            actor2 = _actor(_target(a2_tok, index), index, doc)
            if actor1 is None and actor2 is None:
                continue
            mod, negated, claimed_by = trigger_modality(token)
            tense = "future" if mod in {"predicted", "conditional"} else "past"
            when = _event_date(sent, token, published, tense)
            place = _location(token, index)
            etype = types[entry.event_type]
            confidence = entry.confidence * (1.0 if actor1 else 0.75) * (1.0 if actor2 else 0.85)
            events.append(
                Event(
                    event_id=stable_id("event", article_id, token.idx, entry.event_type),
                    article_id=article_id,
                    sent_idx=sent_idx,
                    start_char=sent.start_char,
                    end_char=sent.end_char,
                    trigger=token.text,
                    trigger_lemma=token.lemma_.lower(),
                    event_type=entry.event_type,
                    cameo_code=entry.cameo_code,
                    quad_class=etype.quad_class,
                    intensity=etype.intensity,
                    actor1_text=actor1.text if actor1 else None,
                    actor1_entity_id=actor1.entity_id if actor1 else None,
                    actor1_country=actor1.country if actor1 else None,
                    actor2_text=actor2.text if actor2 else None,
                    actor2_entity_id=actor2.entity_id if actor2 else None,
                    actor2_country=actor2.country if actor2 else None,
                    location_text=place.text if place else None,
                    location_country=place.country_code if place else None,
                    event_date=when.value,
                    date_precision=when.precision,
                    date_text=when.text or None,
                    modality=mod,
                    negated=negated,
                    claimed_by=claimed_by,
                    confidence=round(min(max(confidence, 0.0), 1.0), 3),
                )
            )
    return events
