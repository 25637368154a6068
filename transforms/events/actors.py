"""An actor head token resolved to an `Actor`: its words, entity, country and (where its words say
it) sector.

- A collective head stands for its members ("a group of Moroccan diplomats" → the diplomats).
- A pronoun is the reporting verb's subject ("the rebels said they will …") or the nearest earlier
  person / country / organisation.
- Compound actors ("Hungarian and Romanian officials") are one actor whose country is the first
  conjunct's (per-conjunct rows would multiply counts of one reported act).
- Sector (government, military, police, …, igo, ngo) only where the actor's words say it.
"""

from __future__ import annotations

from transforms import lexicon
from transforms.events.countries import (
    _appos_country,
    _conj_countries,
    _country_in,
    _named_place,
    _postmodifier_country,
)
from transforms.events.grammar import NOT_ACTOR_ENTS, _phrase, _prep_object
from transforms.events.mentions import _MentionIndex
from transforms.events.model import Actor
from transforms.events.words import (
    CLAIM_VERBS,
    COLLECTIVE_HEADS,
    NOT_ACTOR_LEMMAS,
    PERSONAL_PRONOUNS,
    PRONOUNS,
    THING_PRONOUNS,
)


def _sector(token, start: int, end: int) -> str | None:
    doc = token.doc
    words = [t.lemma_.lower() for t in doc.char_span(start, end, alignment_mode="expand") or []]
    if token.dep_ != "appos":
        for child in token.children:  # "Miller, a spokesperson for …"
            if child.dep_ == "appos":
                words.append(child.lemma_.lower())
                words.extend(g.lemma_.lower() for g in child.children if g.dep_ == "compound")
    return lexicon.sector_of(words)


def _reporter_subject(token):
    """For a pronoun subject of a reported clause ("X said they will …"), the reporting verb's subject."""
    if token.dep_ not in {"nsubj", "nsubjpass"}:
        return None
    verb = token.head
    for _ in range(4):
        if verb.dep_ in {"xcomp", "conj"} and verb.head.i != verb.i:
            verb = verb.head
            continue
        break
    if verb.dep_ == "ccomp" and verb.head.lemma_.lower() in CLAIM_VERBS:
        subj = next((c for c in verb.head.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        if subj is not None and subj.lower_ not in PRONOUNS:
            return subj
    return None


def _actor(token, mentions: _MentionIndex, text: str, strict: bool = False) -> Actor | None:
    """Resolve an actor head token to text, entity, country and (where stated) sector.

    `strict` (object side): a phrase with no entity, country or sector is not an actor ("details").
    """
    if token is None or token.idx < mentions.floor:
        return None
    if token.lemma_.lower() in COLLECTIVE_HEADS and mentions.at(token) is None:  # also "thousands" (CARDINAL)
        for child in token.children:  # "a group of Moroccan diplomats" → the diplomats
            if child.dep_ == "prep" and child.lower_ == "of":
                pobj = _prep_object(child)
                if pobj is not None:
                    inner = _actor(pobj, mentions, text, strict)
                    if inner is not None:
                        return inner
    if token.ent_type_ in NOT_ACTOR_ENTS:
        return None
    covering = mentions.at(token)
    if covering is not None:
        start, end = _phrase(token)
        start, end = max(min(start, covering.start_char), mentions.floor), max(end, covering.end_char)
        country = (
            covering.country_code or _named_place(covering) or _country_in(token, mentions, covering, start, end)
            or _postmodifier_country(token, mentions)
        )
        if any(c.lower_ == "ethnic" for c in token.children):  # "ethnic Albanians in south Serbia"
            country = _postmodifier_country(token, mentions) or country
        words = text[start:end] if end - start <= 2 * len(covering.text) + 40 else covering.text
        return Actor(words, covering.entity_id, country, _sector(token, start, end), start, end)
    if token.lower_ in PRONOUNS:
        reporter = _reporter_subject(token)
        if reporter is not None:  # "The rebels said they will release …" → the rebels
            return _actor(reporter, mentions, text, strict)
        if token.lower_ not in PERSONAL_PRONOUNS | THING_PRONOUNS:
            return None
        labels = frozenset({"PERSON"}) if token.lower_ in PERSONAL_PRONOUNS else frozenset({"GPE", "ORG", "NORP"})
        ref = mentions.antecedent(token, labels)
        if ref is None:
            return None
        return Actor(ref.text, ref.entity_id, ref.country_code, None, token.idx, token.idx + len(token.text))
    if token.lemma_.lower() in NOT_ACTOR_LEMMAS or token.pos_ in {"VERB", "AUX", "ADP", "NUM", "PRON"}:
        return None
    start, end = _phrase(token)
    start = max(start, mentions.floor)
    inner = mentions.within(start, end)
    country = next((m.country_code for m in inner if m.country_code), None)
    if country is None:
        country = _appos_country(token, mentions)
    conj_countries = [c for c in _conj_countries(token, mentions)]
    if country is None and conj_countries:
        country = conj_countries[0]
    if country is None:
        country = _postmodifier_country(token, mentions)
    entity = next((m.entity_id for m in inner if m.label not in {"NORP"}), None)
    sector = _sector(token, start, end)
    if country is None and sector is None and entity is None and (strict or token.pos_ not in {"NOUN", "PROPN"}):
        return None  # "details", "situation": not an actor
    return Actor(text[start:end], entity, country, sector, start, end)
