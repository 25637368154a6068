"""Countries and places of an event's actors.

- Stated nationality: an actor's own mention, a country in its modifiers or apposition ("Kim, North
  Korea's leader", "Miller, a spokesperson for the State Department"), a conjunct's country, or what
  it is "in"/"from"/"of" or attached to ("opposition groups in Zimbabwe"); a capital or country the
  model tagged as a person or organisation counts as the country ("Kiev has refused …").
- Unstated nationality (`_domestic_roles`): the event's place, else the sentence's single country,
  never the named counterpart's, else the article's country (×DOMESTIC_FACTOR, a guess; a named
  body or person takes the article's country first); "ethnic X in Y" is coded to Y. An act with no
  stated target is aimed at the article's country (`extract.doc_events`), as a coder codes it. A protest with no target, or a visit abroad, gets the place as actor2 (CAMEO
  convention). International organisations have no country of their own.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from transforms import gazetteer, lexicon
from transforms.entities import Mention
from transforms.events.grammar import OBJECT_DEPS, _phrase, _prep_object
from transforms.events.mentions import _MentionIndex
from transforms.events.model import Actor
from transforms.events.words import LOCATION_PREPS, TRIP_NOUNS

_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
DOMESTIC_FACTOR = 0.8
"""Confidence factor when an actor's country is inferred from the sentence rather than stated."""


def _named_place(mention: Mention) -> str | None:
    """A country or capital name the model tagged as a person or organisation ("Kiev has refused …")."""
    if mention.label not in {"PERSON", "ORG"}:
        return None
    place = gazetteer.lookup(mention.text)
    return place.iso3 if place is not None and place.kind in {"name", "short_name", "capital", "metonym"} else None


def _postmodifier_country(token, mentions: _MentionIndex) -> str | None:
    """Country of what the actor is "in"/"from"/"of" or attached to.

    "opposition groups in Zimbabwe", "inhabitants of the Syrian Golan Heights", "workers affiliated
    with the Serbian Workers' Union", "militants loyal to Iraq's Al-Qaeda frontman".
    """
    preps = [c for c in token.children if c.dep_ == "prep" and c.lower_ in {"in", "from", "of"}]
    for mod in token.children:  # "affiliated with …", "loyal to …", "based in …"
        if mod.dep_ in {"acl", "amod"} and mod.i > token.i:
            preps.extend(c for c in mod.children if c.dep_ == "prep" and c.lower_ in {"with", "to", "in", "from", "of"})
    for prep in preps:
        pobj = _prep_object(prep)
        if pobj is None:
            continue
        m = mentions.at(pobj)
        if m is not None and m.country_code and m.label in {"GPE", "LOC", "NORP", "FAC", "ORG"}:
            return m.country_code
        if pobj.pos_ in {"NOUN", "PROPN"}:
            start, end = _phrase(pobj)
            found = next((m.country_code for m in mentions.within(start, end) if m.country_code), None)
            if found:
                return found
    return None


def _conj_countries(token, mentions: _MentionIndex):
    for child in token.children:
        if child.dep_ == "conj":
            m = mentions.at(child)
            if m is not None and m.country_code:
                yield m.country_code


def _appos_country(token, mentions: _MentionIndex) -> str | None:
    """Country in an apposition's phrase ("Miller, a spokesperson for the State Department")."""
    for child in token.children:
        if child.dep_ == "appos":
            for m in mentions.within(child.left_edge.idx, child.right_edge.idx + len(child.right_edge.text)):
                if m.country_code:
                    return m.country_code
    return None


def _country_in(token, mentions: _MentionIndex, exclude: Mention, start: int, end: int) -> str | None:
    """Country named in an actor's modifiers ("North Korean leader Kim Jong-un" → PRK) or apposition."""
    for m in mentions.within(start, end):
        if m is not exclude and m.country_code:
            return m.country_code
    country = _appos_country(token, mentions)
    if country:
        return country
    head = token.head
    if token.dep_ == "appos" and head.i != token.i:  # "Kim, North Korea's leader"
        hs, he = _phrase(head)
        for m in mentions.within(hs, he):
            if m is not exclude and m.country_code:
                return m.country_code
    return None


def _is_international(actor: Actor, mentions: _MentionIndex) -> bool:
    """An international organisation (UN, NATO, EU …) has no country of its own."""
    if actor.sector == "igo" or gazetteer.is_international(actor.text):
        return True
    inside = mentions.within(actor.start, actor.end) if actor.start is not None else []
    return any(gazetteer.is_international(m.text) for m in inside)


def _context_country(
    place: Mention | None, sent_mentions: list[Mention], counterpart: Actor | None, mentions: _MentionIndex
) -> str | None:
    """The country an actor of unstated nationality most likely belongs to: where the event takes
    place, else the one country the sentence names — unless that country is the event's named
    counterpart ("President Mitterand welcomed South African leader de Klerk" stays unknown)."""
    if place is not None and place.country_code:
        return place.country_code
    countries = {m.country_code for m in sent_mentions if m.country_code}
    if counterpart is not None and counterpart.country and _is_party(counterpart, mentions):
        countries.discard(counterpart.country)
    return countries.pop() if len(countries) == 1 else None


def _is_party(actor: Actor, mentions: _MentionIndex) -> bool:
    """True when an actor is itself a national party ("Russia", "Croat forces", "Kenyan leader
    Jones", a pronoun for "Iran"), False for a thing located in a country ("Algeria's elections",
    "a curfew in Algiers"), whose country tells where the event happens rather than who the other side is."""
    if actor.sector is not None:
        return True
    inside = mentions.within(actor.start, actor.end) if actor.start is not None else []
    if not inside:
        return actor.entity_id is not None and actor.start is not None  # a resolved pronoun
    doc_text_after = [m for m in inside if not actor.text[m.end_char - actor.start:].startswith(("'", "’"))]
    return bool(doc_text_after)


def _nationality_evidence(sent, sent_mentions: list[Mention]) -> list[Mention]:
    """The sentence's country mentions that can say where its actors are from.

    Left out: people (a named person's nationality is their own, not the sentence's), towns that
    only a gazetteer of small cities knows, a trip's destination ("on a visit to Japan"), and a
    country that only names the topic of a thing ("his committee's Russia investigation").
    """
    out = []
    for m in sent_mentions:
        if m.label == "PERSON" or not m.country_code:
            continue
        place = gazetteer.lookup(m.text)
        if m.label in {"GPE", "LOC", "FAC"} and (place is None or place.kind in {"city", "subdivision"}):
            continue
        span = sent.doc.char_span(m.start_char, m.end_char, alignment_mode="expand")
        root = span.root if span is not None and len(span) else None
        if root is None:
            out.append(m)
            continue
        destination = root.dep_ == "pobj" and root.head.lower_ in {"to", "for"} and root.head.head.lemma_.lower() in TRIP_NOUNS
        topic = (
            root.dep_ == "compound" and m.label in {"GPE", "LOC"} and root.head.pos_ == "NOUN"
            and lexicon.sector_of([root.head.lemma_]) is None
        )
        if destination or topic:
            continue
        out.append(m)
    return out


def _ethnic(actor: Actor) -> bool:
    return "ethnic" in actor.text.lower().split()


def _location(token, anchor, mentions: _MentionIndex, exclude: set[str]) -> Mention | None:
    """A place attached to the trigger's clause by a locative preposition (not an actor)."""
    heads = [token] + ([anchor] if anchor is not None and anchor.i != token.i else [])
    heads += [c for h in list(heads) for c in h.children if c.dep_ in OBJECT_DEPS]  # "blocked streets in Hong Kong"
    for h in heads:
        for child in h.children:
            if child.dep_ == "prep" and child.lower_ in LOCATION_PREPS:
                for pobj in child.children:
                    m = mentions.at(pobj)
                    if m is not None and m.label in _PLACE_LABELS and m.entity_id not in exclude:
                        return m
    return None


HOME_MARGIN = 1.25
"""How far the article's most named country must lead the next to be its home country."""


def article_country(mentions: Sequence[Mention]) -> str | None:
    """The country an article is about: the one its mentions name most (places, nationalities,
    and the countries of the people and organisations it names), when it leads the next by
    HOME_MARGIN (a coder's default for actors whose nationality the text leaves implied:
    "police", "the opposition", a minister named without a country)."""
    counts: dict[str, int] = {}
    for m in mentions:
        if m.country_code:
            counts[m.country_code] = counts.get(m.country_code, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[0][1] < HOME_MARGIN * ranked[1][1]):
        return None
    return ranked[0][0]


def _domestic_roles(actor1, actor2, event_type: str, place, sent_mentions, index: _MentionIndex, factor: float,
                    home: str | None = None):
    """Fill countries the actors' own words leave open, from where the event happens.

    - An actor of unstated nationality (a titled person, an unlisted party or group) is taken to be
      domestic: the event's location, else the sentence's one country (`_context_country`), else
      the article's; a named body or person takes the article's country before the venue's (an
      opposition committee at talks in Geneva is not Swiss)
      (×DOMESTIC_FACTOR: a guess, right for all 9 dev records it decides but for only about two
      in three actors on general news, so consumers can filter on confidence).
    - "Ethnic Albanians … in Serbia": an ethnic group acting in a country is coded to that country.
    - A protest with no stated target is aimed at the authorities where it happens (CAMEO 14
      convention), and a visit or meeting abroad is hosted by the place's country (CAMEO 042/043):
      the location becomes actor2.
    """
    if actor1 is not None and not _is_international(actor1, index):
        if actor1.country is None:
            named = actor1.entity_id is not None  # a named body or person: the article's country before the venue's
            country = None if named else _context_country(place, sent_mentions, actor2, index)
            if country is None and home is not None and not (actor2 is not None and actor2.country == home):
                country = home
            if country is None and named:
                country = _context_country(place, sent_mentions, actor2, index)
            if country is not None:
                actor1, factor = replace(actor1, country=country), factor * DOMESTIC_FACTOR
        elif _ethnic(actor1) and place is not None and place.country_code:
            actor1 = replace(actor1, country=place.country_code)
    if actor2 is not None and actor2.country is None and home is not None and not _is_international(actor2, index) \
            and (actor2.sector is not None or actor2.entity_id):
        actor2, factor = replace(actor2, country=home), factor * DOMESTIC_FACTOR
    hosted = event_type == "CONSULT" and actor1 is not None and place is not None and place.country_code != actor1.country
    if actor2 is None and (event_type == "PROTEST" or hosted) and place is not None and place.country_code:
        actor2 = Actor(place.text, place.entity_id, place.country_code, None, place.start_char, place.end_char)
    return actor1, actor2, factor
