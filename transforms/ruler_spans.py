"""The entity ruler's span type and the rules that fix one span's shape.

`Ent` (token start, end, label) and the label sets every rule uses; then the fixes that look only
at one span and the tokens around it, because the small model's spans often run past a name's
edge: split at line breaks, brackets, spaced dashes, commas and semicolons; trim articles,
possessives, punctuation, trailing numbers and lowercase words; pull initials into a person; tag a
parenthesised acronym after its long name. The capitals-line and article-level rules
(`transforms.recase`, `transforms.ruler_consistency`) build on these types, and `transforms.ruler`
runs them all in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NAMED_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
"""spaCy labels that name something countable; dates and numbers are used by events instead."""

NAME_LABELS = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC"})
"""Labels whose spans are proper names (capitalised, no trailing numbers or common words)."""

_BREAK = frozenset({"(", ")", "[", "]", "{", "}", ",", ";", ":", '"', "“", "”", "|", "/"})
_DASHES = frozenset({"-", "–", "—", "--"})
_DETS = frozenset({"the", "a", "an"})
_POSSESSIVE = frozenset({"'s", "’s", "'", "’"})
_INITIAL = re.compile(r"^(?:[A-Z]\.){1,3}$")
_ACRONYM = re.compile(r"^[A-Z][A-Z.&]{1,9}$")
_NAME_JOINERS = frozenset({"of", "the", "and", "for", "on", "in", "de", "&", "du", "la", "des", "der", "von"})


@dataclass(frozen=True)
class Ent:
    """A token span with a label (end exclusive)."""

    start: int
    end: int
    label: str


# ---------------------------------------------------------------- 2-4. span shape


def _is_break(doc, i: int, label: str = "") -> bool:
    tok = doc[i]
    if tok.is_space or tok.text in _BREAK:
        return True
    if label in NAME_LABELS and _no_letters(tok.text) and tok.whitespace_ and i > 0 and doc[i - 1].whitespace_:
        return True  # "Haitai 2 Samsung": a score between two names
    return tok.text in _DASHES and bool(tok.whitespace_) and i > 0 and bool(doc[i - 1].whitespace_)


def _split(doc, e: Ent) -> list[Ent]:
    if e.end - e.start == 1:
        return [e]
    pieces, start = [], e.start
    for i in range(e.start, e.end):
        if _is_break(doc, i, e.label):
            if i > start:
                pieces.append(Ent(start, i, e.label))
            start = i + 1
    if start < e.end:
        pieces.append(Ent(start, e.end, e.label))
    return pieces


def _no_letters(text: str) -> bool:
    return not any(c.isalpha() for c in text)


def _trim(doc, e: Ent) -> Ent | None:
    start, end = e.start, e.end
    name = e.label in NAME_LABELS
    while start < end and (doc[start].lower_ in _DETS or doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start:
        tok = doc[end - 1]
        if tok.text in _POSSESSIVE or tok.tag_ == "POS" or tok.is_punct and tok.text != "." or tok.is_space:
            end -= 1
        elif tok.text == "." and end - 1 > start and not _INITIAL.match(doc[end - 2].text + "."):
            end -= 1  # a sentence's full stop, not the dot of "U.S." (tokenised whole) or "Jr."
        elif name and _no_letters(tok.text):
            end -= 1  # scores, counts: "Durham 114", "Kent 108-3"
        elif name and tok.text.islower() and end - 1 > start and doc[end - 2].whitespace_:
            end -= 1  # "Interfax news agency"; keeps hyphenated parts ("Jong-un")
        else:
            break
    if name:
        while start < end and doc[start].text.islower() and doc[start].whitespace_ and doc[start].lower_ not in _NAME_JOINERS:
            start += 1
    if start >= end:
        return None
    text = doc[start:end].text
    if _no_letters(text) or name and not any(c.isupper() for c in text):
        return None
    return Ent(start, end, e.label)


def _initials(doc, e: Ent) -> Ent:
    start = e.start
    while e.label == "PERSON" and start > 0 and _INITIAL.match(doc[start - 1].text) and doc[start - 1].whitespace_:
        start -= 1
    return e if start == e.start else Ent(start, e.end, e.label)


# ---------------------------------------------------------------- 5. acronyms


def initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w[:1].isalpha() and w.lower() not in _NAME_JOINERS).upper()


def _acronyms(doc, ents: list[Ent]) -> list[Ent]:
    """"Long Name ( LN )": the acronym gets the long name's label; an untagged capitalised long
    name whose initials spell the acronym becomes an ORG."""
    by_end = {e.end: e for e in ents}
    taken = {i for e in ents for i in range(e.start, e.end)}
    out = list(ents)
    n = len(doc)
    for i in range(1, n - 2):
        if doc[i].text != "(" or doc[i + 2].text != ")":
            continue
        acr = doc[i + 1]
        if not _ACRONYM.match(acr.text) or acr.i in taken:
            continue
        letters = acr.text.replace(".", "").replace("&", "")
        long = by_end.get(i)
        if long is None:  # a capitalised run the model missed
            j = i
            while j > 0 and (doc[j - 1].text[:1].isupper() or doc[j - 1].lower_ in _NAME_JOINERS) and doc[j - 1].i not in taken:
                j -= 1
            while j < i and doc[j].lower_ in _NAME_JOINERS:
                j += 1
            for k in range(j, i):  # the shortest tail whose initials spell the acronym
                if initials([t.text for t in doc[k:i]]) == letters:
                    long = Ent(k, i, "ORG")
                    out.append(long)
                    break
            if long is None:
                continue
        elif initials([t.text for t in doc[long.start : long.end]]) != letters:
            continue
        out.append(Ent(acr.i, acr.i + 1, long.label))
    return out
