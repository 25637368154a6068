"""Entity mentions from a spaCy Doc, tidied and resolved to canonical entities.

Takes the NER spans of one parsed article and gives mentions with exact character offsets into
the article text, each tied to a canonical entity (one id per canonical name and type) with an
ISO 3166 alpha-3 country code where the name says it. Pure: no I/O, no Prefect.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from transforms import gazetteer, lexicon, ruler
from transforms.identity import stable_id
from transforms.ruler import NAMED_LABELS

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})
_COUNTRY_NAME_KINDS = frozenset(
    {"name", "short_name", "abbreviation", "informal", "alt_spelling", "historical"}
)
_LEADING_DROP = frozenset({"the", "a", "an"})
_TRAILING_DROP = frozenset({"'s", "’s", "'", "’", ".", ",", ":", ";", "-", "–", "—"})
_ACRONYM = re.compile(r"^[A-Z][A-Z&.]{1,7}$")
_STOP_IN_NAMES = frozenset({"of", "the", "and", "for", "on", "in", "de", "&"})
_CALENDAR = re.compile(
    r"(?:(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:\s+\d{1,2}(?:st|nd|rd|th)?)?"
    r"|(?:jan|feb|mar|apr|aug|sept?|oct|nov|dec)\.\s+\d{1,2})(?:,?\s+\d{4})?",
    re.IGNORECASE,
)
"""A month or weekday, maybe with a day and year, that the model tagged ORG, GPE or NORP
("January", "Tuesday", "Sept. 11"): a date, never an organisation or place. PERSON is left alone
(Theresa May, April Ryan)."""
_MIDDLE_INITIAL = re.compile(r"(?<=\s)[A-Z]\.\s+")


@dataclass(frozen=True)
class Mention:
    """One entity mention in an article; offsets index the clean text."""

    mention_idx: int
    text: str
    label: str
    start_char: int
    end_char: int
    sent_idx: int
    entity_id: str
    name: str  # canonical name of the entity
    country_code: str | None


@dataclass(frozen=True)
class _Span:
    start: int  # token index
    end: int
    label: str


def _trim(doc, start: int, end: int) -> tuple[int, int]:
    """Drop a leading article and trailing possessive/punctuation tokens ("the North Korea's")."""
    while start < end and doc[start].lower_ in _LEADING_DROP:
        start += 1
    while end > start and (doc[end - 1].text in _TRAILING_DROP or doc[end - 1].tag_ == "POS"):
        end -= 1
    return start, end


def _compass_spans(doc, spans: list[_Span]) -> list[_Span]:
    """"the North"/"the South" as GPE mentions when the article names "North X" and "South X".

    In an article about the two Koreas (or Sudans), "the North" is North Korea; where only one
    or neither is named the phrase stays unlinked rather than guessed.
    """
    named = {doc[sp.start : sp.end].text.split()[0]: doc[sp.start : sp.end].text
             for sp in spans if sp.label in {"GPE", "NORP"} and len(doc[sp.start : sp.end].text.split()) == 2
             and _names_country(doc[sp.start : sp.end].text)}
    if not ({"North", "South"} <= named.keys()):
        return []
    for i, sp in enumerate(spans):  # the model often tags a bare "North" as LOC
        if doc[sp.start : sp.end].text in {"North", "South"}:
            spans[i] = _Span(sp.start, sp.end, "GPE")
    covered = {i for sp in spans for i in range(sp.start, sp.end)}
    extra = []
    for tok in doc:
        if tok.text in {"North", "South"} and tok.i not in covered and tok.i > 0 and doc[tok.i - 1].lower_ == "the":
            nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
            if nxt is None or nxt.tag_ == "POS" or nxt.pos_ not in {"PROPN", "NOUN", "ADJ"}:
                extra.append(_Span(tok.i, tok.i + 1, "GPE"))
    return extra


def _names_country(text: str) -> bool:
    """A gazetteer name in its own right ("North Korea"), not a compass region of one ("South Lebanon")."""
    place = gazetteer.lookup(text)
    return place is not None and place.kind != "region"


def _relabel(text: str, label: str) -> str:
    """Fix labels the gazetteer is sure of: a country name is a GPE, a demonym a NORP."""
    place = gazetteer.lookup(text)
    if place is None or label not in {"GPE", "NORP", "ORG", "LOC"}:
        return label  # a PERSON named like a country ("Jordan") is settled by transforms.ruler
    if place.kind == "demonym":
        return "NORP"
    if place.kind in _COUNTRY_NAME_KINDS:
        return "GPE"
    return label


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s\-]+", name) if w and w.lower() not in _STOP_IN_NAMES]
    return "".join(w[0] for w in words if w[0].isalpha()).upper()


def _display(name: str) -> str:
    """Headline capitals ("NORTH KOREA FIRES") become title case; acronyms stay."""
    if name.isupper() and " " in name and len(name) > 5:
        return name.title()
    return name


def _canonical_names(surfaces: Sequence[tuple[str, str]]) -> list[str]:
    """Resolve each (text, label) to a canonical name using the other mentions of the article.

    "Kim" after "Kim Jong-un" is the person; "KCNA" is the "Korean Central News Agency" whose
    initials it is; a country named any way ("U.S.", "United States") is the country.
    """
    persons = [_MIDDLE_INITIAL.sub("", t) for t, lab in surfaces if lab == "PERSON" and len(t.split()) > 1]
    orgs = [t for t, lab in surfaces if lab == "ORG" and len(t.split()) > 1]
    out: list[str] = []
    for text, label in surfaces:
        name = _display(text)
        if label == "PERSON":  # "Donald J. Trump" and "Donald Trump" are one person
            name = _MIDDLE_INITIAL.sub("", name)
        if label == "GPE" and text in {"North", "South"}:
            places = (gazetteer.lookup(t) for t, lab in surfaces if lab in {"GPE", "NORP"} and t.startswith(text + " "))
            place = next((p for p in places if p is not None), None)
            if place is not None:
                name = place.country
        elif label == "GPE":
            place = gazetteer.lookup(text)
            if place is not None and place.kind in _COUNTRY_NAME_KINDS:
                name = place.country
        elif label == "PERSON" and len(text.split()) == 1:
            # Prefer the longest full name whose first or last part is this token.
            matches = [p for p in persons if text in (p.split()[0], p.split()[-1]) or text in p.split("-")]
            if matches:
                name = max(matches, key=len)
        elif label == "ORG" and _ACRONYM.match(text.replace(" ", "")):
            acronym = text.replace(".", "").upper()
            matches = [o for o in orgs if _initials(o) == acronym]
            if matches:
                name = max(matches, key=len)
        out.append(name)
    return out


def _country_for(text: str, label: str, name: str) -> str | None:
    """ISO3 for places and nationalities; for organisations, a country named inside the name."""
    if label in PLACE_LABELS:
        place = gazetteer.lookup(text) or gazetteer.lookup(name)
        if place is not None:
            return place.iso3
        return gazetteer.org_country(text) or gazetteer.org_country(name) if label == "NORP" else None  # "Democrats"
    if label == "ORG":
        listed = gazetteer.org_country(text) or gazetteer.org_country(name)
        if listed:
            return listed
        place = gazetteer.lookup(text)
        if place is not None and place.kind == "metonym":  # "the Pentagon", "the Kremlin" tagged ORG
            return place.iso3
        words = name.split()
        for size in (3, 2, 1):
            for i in range(len(words) - size + 1):
                place = gazetteer.lookup(" ".join(words[i : i + size]))
                if place is not None and place.kind in _COUNTRY_NAME_KINDS | {"demonym", "constituent"}:
                    return place.iso3
    return None


def _affiliations(doc, spans: Sequence[_Span], names: Sequence[str], orgs: dict[int, str]) -> dict[str, str]:
    """Country of a person from a nationality or country just before the name in the article, or
    from the organisation an appositive role serves (`orgs`: token index → the country of the
    organisation that token is part of).

    "North Korean leader Kim Jong-un", "South Korea's President Yoon": the place sits at most a
    few title words before the person, in the same noun phrase. One such hit makes the person's
    country for the whole article (and so for "Kim" later on).
    """
    out: dict[str, str] = {}
    places = {t: sp for sp in spans if sp.label in {"NORP", "GPE"} for t in range(sp.start, sp.end)}
    for i, (sp, name) in enumerate(zip(spans, names)):
        if sp.label != "PERSON" or name in out:
            continue
        role = _appositive_role_country(doc, sp, places) or _role_org_country(doc, sp, orgs)
        if role is not None:
            out[name] = role
            continue
        for prev in reversed(spans[:i]):
            if prev.label not in {"NORP", "GPE"} or sp.start - prev.end > 5:  # = len(doc[prev.end:sp.start]) > 5
                continue
            if prev.start > 0 and doc[prev.start - 1].lower_ in {"to", "in", "at"}:
                continue  # "ambassador to Cyprus Stanislav Osadchy": where the post is, not whose it is
            gap = doc[prev.end : sp.start]
            if any(t.is_punct and t.tag_ != "POS" or t.pos_ in {"VERB", "AUX"} or t.pos_ == "ADP" and not _in_title(t)
                   for t in gap) or len(gap) > 3 and not all(_in_title(t) for t in gap):
                break
            place = gazetteer.lookup(doc[prev.start : prev.end].text)
            if place is not None:
                out[name] = place.iso3
            break
    return out


def _in_title(token) -> bool:
    """A word of a capitalised title between a country and a name: "US Secretary of State Antony
    Blinken", "Indian Minister for External Affairs S. Jaishankar" ("of"/"for" between capitals)."""
    if token.lower_ in {"of", "for"}:
        doc = token.doc
        return 0 < token.i < len(doc) - 1 and doc[token.i - 1].is_title and doc[token.i + 1].is_title
    return token.is_title or token.tag_ == "POS"


def _appositive_role_country(doc, sp: _Span, places: dict[int, _Span]) -> str | None:
    """Country of the role a name is in apposition to: "the U.S. ambassador to China, Terry
    Branstad" → USA, "Britain's envoy to the UN, Karen Pierce" → GBR (the place the role is *to*
    is where it serves, not whose it is)."""
    root = doc[sp.start:sp.end].root
    if root.dep_ != "appos":
        return None
    head = root.head
    for child in head.children:
        if child.i < head.i and child.dep_ in {"poss", "compound", "amod", "nmod"} and child.i in places:
            place = places[child.i]
            found = gazetteer.lookup(doc[place.start:place.end].text)
            if found is not None:
                return found.iso3
    return None


def _role_org_country(doc, sp: _Span, orgs: dict[int, str]) -> str | None:
    """"Matthew Miller, a spokesperson for the State Department" → USA: a person's appositive role
    *for / at / of / with* an organisation whose country is known takes that country."""
    root = doc[sp.start:sp.end].root
    for role in (c for c in root.children if c.dep_ == "appos" and c.pos_ == "NOUN"):
        for prep in (c for c in role.children if c.dep_ == "prep" and c.lower_ in {"for", "at", "of", "with"}):
            for obj in (c for c in prep.children if c.dep_ == "pobj"):
                if obj.i in orgs:
                    return orgs[obj.i]
    return None


def _without_name_pairs(doc, spans: list[_Span]) -> list[_Span]:
    """Drop "Kim-Trump" ("the collapsed Kim-Trump diplomacy"): two people named elsewhere in the
    article, joined as a modifier, are not a third person."""
    def pair(i: int, sp: _Span) -> bool:
        parts = doc[sp.start:sp.end].text.split("-")
        if sp.label != "PERSON" or len(parts) != 2 or not all(p.istitle() for p in parts):
            return False
        others = {t.text for j, o in enumerate(spans) if j != i and o.label == "PERSON" for t in doc[o.start:o.end]}
        return all(p in others for p in parts)
    return [sp for i, sp in enumerate(spans) if not pair(i, sp)]


def _possessor_country(doc, sp: _Span) -> str | None:
    """"South Korea's National Intelligence Service", "Seoul's Institute of …": the place that
    owns an organisation is its country (a capital names its state)."""
    for token in doc[sp.start:sp.end].root.children:
        if token.dep_ == "poss" and any(c.dep_ == "case" for c in token.children):
            place = _place_before(doc, token)
            if place is not None:
                return place.iso3
    return None


def _place_before(doc, token) -> "gazetteer.Place | None":
    """The place a modifier token and its contiguous compound words name ("South Korea's"), not the
    parse's whole left edge (which can reach back into the sentence before)."""
    first = token.i
    while first > 0 and doc[first - 1].head.i == token.i and doc[first - 1].dep_ == "compound":
        first -= 1
    return gazetteer.lookup(doc[first : token.i + 1].text)


def _described_before(doc, sp: _Span, sentences_back: int = 2) -> str | None:
    """"South Korea's spy agency said … The National Intelligence Service said …": an organisation
    whose name only says what it is (its sector) takes the country of the nearest earlier phrase of
    the same sector that names one, in its sentence or the few before. A listed international body
    or newsroom ("UN Security Council", "the BBC") has no country to inherit."""
    name = doc[sp.start:sp.end].text
    if gazetteer.is_international(name) or gazetteer.names_news_organisation(name):
        return None
    sector = lexicon.sector_of(t.lemma_ for t in doc[sp.start:sp.end])
    if sector is None:
        return None
    sent = doc[sp.start].sent
    for _ in range(sentences_back):
        if sent.start == 0:
            break
        sent = doc[sent.start - 1].sent
    for t in reversed(doc[sent.start:sp.start]):
        if t.pos_ != "NOUN" or lexicon.sector_of([t.lemma_, *(c.lemma_ for c in t.children if c.dep_ == "compound")]) != sector:
            continue
        for c in t.children:
            if c.i < t.i and c.dep_ in {"poss", "amod", "compound", "nmod"}:
                place = _place_before(doc, c)
                if place is not None and place.kind not in {"city", "subdivision"}:
                    return place.iso3
    return None


def entity_id(name: str, label: str) -> str:
    """One id per canonical name and type, stable across runs and machines."""
    return stable_id("entity", label, name.casefold())


def sentence_starts(doc) -> list[int]:
    """Character offsets where each sentence starts (for sent_idx lookups)."""
    return [s.start_char for s in doc.sents] if doc.has_annotation("SENT_START") or doc.has_annotation("DEP") else [0]


def sent_index(starts: Sequence[int], char: int) -> int:
    """Index of the sentence containing a character offset."""
    return max(bisect.bisect_right(starts, char) - 1, 0)


def doc_mentions(doc, starts: Sequence[int] | None = None, people: Mapping[str, str] | None = None) -> list[Mention]:
    """Mentions of named entities in one Doc, trimmed, relabelled and canonicalised.

    A person's country is the one the article states (`_affiliations`), else the one other
    articles state (`people`: name or unique surname → ISO3; None reads the bundled
    `gazetteer.person_countries()`, {} uses none).
    """
    people = gazetteer.person_countries() if people is None else people
    starts = sentence_starts(doc) if starts is None else starts
    spans: list[_Span] = []
    if doc.user_data.get(ruler.DONE):  # the pipeline's dateline_ruler already fixed doc.ents
        ents = [ruler.Ent(e.start, e.end, e.label_) for e in doc.ents if e.label_ in NAMED_LABELS]
    else:  # a pipeline without it: the same rules, minus re-reading capitals lines
        ents = ruler.resolve(doc)
    for ent in ents:
        s, e = _trim(doc, ent.start, ent.end)
        if s >= e:
            continue
        text = doc[s:e].text
        if not any(ch.isalpha() for ch in text) or (ent.label != "PERSON" and _CALENDAR.fullmatch(text)):
            continue
        spans.append(_Span(s, e, _relabel(text, ent.label)))
    spans = _without_name_pairs(doc, sorted(spans + _compass_spans(doc, spans), key=lambda sp: sp.start))
    surfaces = [(doc[sp.start : sp.end].text, sp.label) for sp in spans]
    names = _canonical_names(surfaces)
    countries = [None if label == "PERSON" else _country_for(text, label, name) or
                 (_possessor_country(doc, sp) or _described_before(doc, sp) if label == "ORG" else None)
                 for sp, (text, label), name in zip(spans, surfaces, names)]
    orgs = {t: c for sp, c in zip(spans, countries) if sp.label == "ORG" and c for t in range(sp.start, sp.end)}
    affiliation = _affiliations(doc, spans, names, orgs)
    mentions: list[Mention] = []
    for idx, (sp, (text, label), name, country) in enumerate(zip(spans, surfaces, names, countries)):
        span = doc[sp.start : sp.end]
        mentions.append(
            Mention(
                mention_idx=idx,
                text=text,
                label=label,
                start_char=span.start_char,
                end_char=span.end_char,
                sent_idx=sent_index(starts, span.start_char),
                entity_id=entity_id(name, label),
                name=name,
                country_code=affiliation.get(name, people.get(name)) if label == "PERSON" else country,
            )
        )
    return mentions


def entity_rows(mentions: Iterable[Mention]) -> dict[str, tuple[str, str, str | None]]:
    """entity_id → (name, type, country_code), the first known country winning."""
    out: dict[str, tuple[str, str, str | None]] = {}
    for m in mentions:
        seen = out.get(m.entity_id)
        if seen is None or (seen[2] is None and m.country_code is not None):
            out[m.entity_id] = (m.name, m.label, m.country_code)
    return out
