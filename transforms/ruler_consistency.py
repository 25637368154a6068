"""The entity ruler's article-level rules: gazetteer names, results-line teams, one reading per name.

Countries, capitals, large cities, demonyms and international organisations
(`transforms.gazetteer.surfaces`) tag names the model missed and fix labels it got wrong; a lone
common word capitalised only by its place at the start of a line or sentence is dropped; names
before scores in a results line are teams (organisations); a surname of a person named in full is
that person, and a name takes its majority label everywhere in the article. Unlike the span fixes
in `transforms.ruler_spans`, these rules read the whole Doc.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache

from transforms import gazetteer
from transforms.recase import _common_words
from transforms.ruler_spans import _BREAK, _DASHES, _NAME_JOINERS, NAME_LABELS, Ent

_COUNTRY_KINDS = frozenset({"name", "short_name", "informal", "historical", "constituent", "territory", "abbreviation"})
_EXACT_KINDS = frozenset({"acronym", "abbreviation"})  # matched case-sensitively, never in capitals lines


# ---------------------------------------------------------------- 6. gazetteer


@lru_cache(maxsize=4)
def _matchers(vocab):
    """(case-insensitive matcher for names, case-sensitive matcher for acronyms, key → Surface)."""
    from spacy.lang.en import English
    from spacy.matcher import PhraseMatcher

    tokenizer = English(vocab).tokenizer
    names = PhraseMatcher(vocab, attr="LOWER")
    exact = PhraseMatcher(vocab, attr="ORTH")
    info: dict[str, gazetteer.Surface] = {}
    for s in gazetteer.surfaces():
        key = f"{s.label}|{s.kind}|{s.iso3 or ''}|{s.text}"
        info[key] = s
        doc = tokenizer(s.text)
        if s.kind in _EXACT_KINDS:
            exact.add(key, [doc])
        else:
            names.add(key, [doc])
    return names, exact, info


def _gazetteer(doc, ents: list[Ent], in_caps) -> list[Ent]:
    names, exact, info = _matchers(doc.vocab)
    strings = doc.vocab.strings
    matches = [(strings[k], s, e) for k, s, e in names(doc)] + [(strings[k], s, e) for k, s, e in exact(doc)]
    if not matches:
        return ents
    # longest first, so "South Korea" beats "Korea"
    matches.sort(key=lambda m: (m[1] - m[2], m[1]))
    exact_ent = {(e.start, e.end): k for k, e in enumerate(ents)}
    owner = {i: k for k, e in enumerate(ents) for i in range(e.start, e.end)}
    out = list(ents)
    claimed: set[int] = set()
    for key, s, e in matches:
        surf = info[key]
        if any(i in claimed for i in range(s, e)):
            continue
        caps = in_caps(s)
        if surf.kind in _EXACT_KINDS and caps:
            continue
        toks = doc[s:e]
        if not all(t.text[:1].isupper() or t.lower_ in _NAME_JOINERS or not t.is_alpha for t in toks):
            continue
        if (s, e) in exact_ent:
            k = exact_ent[(s, e)]
            if out[k].label != surf.label and (_may_relabel(out[k].label, surf) or _after_place_preposition(doc, s, surf)):
                out[k] = Ent(s, e, surf.label)
            claimed.update(range(s, e))
            continue
        if any(i in owner for i in range(s, e)):
            continue  # inside or across a longer entity: the longer reading wins
        if not caps and not _stands_alone(doc, s, e, surf):
            continue
        out.append(Ent(s, e, surf.label))
        claimed.update(range(s, e))
    return out


def _may_relabel(label: str, surf: gazetteer.Surface) -> bool:
    if surf.label == "ORG":
        return label in {"GPE", "LOC", "NORP", "PERSON", "FAC", "PRODUCT", "WORK_OF_ART"}
    if surf.kind == "demonym":
        return label in {"GPE", "ORG", "PERSON", "LOC", "LANGUAGE"}
    if surf.kind in _COUNTRY_KINDS:  # a surname that is a country is restored by _consistency
        return label in {"ORG", "LOC", "NORP", "FAC", "PERSON"}
    return False  # cities and capitals: see _after_place_preposition


_PLACE_PREPOSITIONS = frozenset({"in", "to", "from", "through", "near", "outside", "across", "into", "around"})


def _after_place_preposition(doc, s: int, surf: gazetteer.Surface) -> bool:
    """"marched through Lyon": a known city after a place preposition is the place, whatever the
    model said (it often reads a lone city name as a person)."""
    return surf.kind in {"city", "capital"} and s > 0 and doc[s - 1].lower_ in _PLACE_PREPOSITIONS


def _is_demonym(word: str) -> bool:
    place = gazetteer.lookup(word)
    return place is not None and place.kind == "demonym"


def _stands_alone(doc, s: int, e: int, surf: gazetteer.Surface) -> bool:
    """Not part of a longer capitalised name the model missed; a proper noun by the tagger."""
    if s > 0 and doc[s - 1].is_alpha and doc[s - 1].text[:1].isupper() and not doc[s - 1].is_sent_start:
        if not (surf.label == "ORG" and _is_demonym(doc[s - 1].text)):
            return False  # but "Iranian Hezbollah", "Afghan Taliban": a nationality before a listed body
    if e < len(doc) and doc[e].is_alpha and doc[e].text[:1].isupper():
        return False
    if surf.kind == "demonym":
        return True
    return all(t.tag_ in {"NNP", "NNPS"} or not t.is_alpha for t in doc[s:e])


# ---------------------------------------------------------------- 7. one article, one reading


def _consistency(doc, ents: list[Ent], in_caps, teams: dict[str, str] | None = None) -> list[Ent]:
    if teams:  # a team's name is the team wherever the article uses it
        taken = {i for e in ents for i in range(e.start, e.end)}
        covered = {(e.start, e.end) for e in ents}
        for (start, end) in _team_spans(doc, teams):
            if (start, end) not in covered and not any(i in taken for i in range(start, end)):
                ents.append(Ent(start, end, "ORG"))
    texts = [doc[e.start : e.end].text for e in ents]
    surnames = {}
    for e, text in zip(ents, texts):
        if e.label == "PERSON" and len(text.split()) > 1 and text[:1].isupper():
            last = doc[e.end - 1]
            if last.is_alpha and last.text[:1].isupper() and len(last.text) > 1 and doc[e.end - 2].whitespace_:
                surnames[last.text] = "PERSON"
    votes: dict[str, Counter] = defaultdict(Counter)
    for e, text in zip(ents, texts):
        votes[text][e.label] += 1
    label_of = {}
    for text, counter in votes.items():
        (top, n), *rest = counter.most_common()
        if not rest or n > rest[0][1]:
            label_of[text] = top
    label_of.update(surnames)
    label_of.update(teams or {})
    out = [Ent(e.start, e.end, label_of.get(t, e.label)) if e.label in NAME_LABELS else e for e, t in zip(ents, texts)]

    # tag untagged occurrences of names found elsewhere in the article
    firsts: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for text, label in label_of.items():
        if label not in NAME_LABELS or len(text) < 2 or not text[:1].isupper():
            continue
        words = text.split()
        firsts[words[0]].append((len(words), label))
    if not firsts:
        return out
    taken = {i for e in out for i in range(e.start, e.end)}
    added = []
    import numpy

    orths = doc.to_array("ORTH")
    wanted = numpy.array([doc.vocab.strings.add(w) for w in firsts], dtype=orths.dtype)
    for i in numpy.flatnonzero(numpy.isin(orths, wanted)).tolist():
        tok = doc[i]
        cands = firsts.get(tok.text)
        if not cands or tok.i in taken:
            continue
        for n_words, label in sorted(cands, reverse=True):
            span = doc[tok.i : tok.i + n_words] if n_words == 1 else _span_of_words(doc, tok.i, n_words)
            if span is None or any(i in taken for i in range(span.start, span.end)):
                continue
            if span.text not in label_of:
                continue
            end = span.end
            if end < len(doc) and doc[end].is_alpha and doc[end].text[:1].isupper() and not in_caps(end):
                continue  # part of a longer name
            if span.start > 0 and doc[span.start - 1].is_alpha and doc[span.start - 1].text[:1].isupper() \
                    and not doc[span.start].is_sent_start and not in_caps(span.start):
                continue
            added.append(Ent(span.start, span.end, label))
            taken.update(range(span.start, span.end))
            break
    return out + added


def _drop_initial_common_words(doc, ents: list[Ent], in_caps) -> list[Ent]:
    """A lone common word capitalised only because it starts a sentence or line ("Men", "Extras",
    "Attendance") is not a name, unless the article also capitalises it mid-sentence."""
    common = _common_words()
    suspects = []
    for k, e in enumerate(ents):
        if e.end - e.start != 1 or e.label not in NAME_LABELS:
            continue
        tok = doc[e.start]
        if tok.lower_ not in common or not tok.text[:1].isupper() or tok.text.isupper() and len(tok.text) > 1:
            continue
        if tok.is_sent_start or tok.i == 0 or doc[tok.i - 1].is_space or doc[tok.i - 1].text in _BREAK | _DASHES:
            suspects.append(k)
    if not suspects:
        return ents
    text = doc.text

    def mid_sentence(word: str) -> bool:  # capitalised after a lowercase word or a comma
        return re.search(r"(?:[a-z]|,) " + re.escape(word) + r"\b", text) is not None

    drop = {k for k in suspects if not mid_sentence(doc[ents[k].start].text)}
    return [e for k, e in enumerate(ents) if k not in drop]


_SCORE = re.compile(r"^\d+(?:-\d+)?$")


def _teams(doc) -> dict[str, str]:
    """Names used as teams in results lines: a line with two or more "Name score" pairs
    ("Haitai 2 Samsung 0", "Essex 372 , Yorkshire 328") names teams, which are organisations.
    Countries are left alone (national sides read as the country)."""
    text = doc.text
    if not re.search(r"[A-Za-z] \d+(?:-\d+)?\b.*[A-Za-z] \d+(?:-\d+)?\b", text):
        return {}
    out: dict[str, str] = {}
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if len(re.findall(r"[A-Za-z] \d", line)) < 2:
            continue
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            continue
        names = []
        for tok in span[1:]:
            if not _SCORE.match(tok.text):
                continue
            j = tok.i
            while j > span.start and doc[j - 1].is_alpha and doc[j - 1].text[:1].isupper():
                j -= 1
            if j < tok.i:
                names.append(doc[j : tok.i].text)
        if len(names) < 2:
            continue
        for name in names:
            place = gazetteer.lookup(name)
            if place is None or place.kind not in _COUNTRY_KINDS | {"demonym"}:
                out[name] = "ORG"
    return out


def _team_spans(doc, teams: dict[str, str]) -> list[tuple[int, int]]:
    import numpy

    out = []
    orths = doc.to_array("ORTH")
    wanted = numpy.array([doc.vocab.strings.add(n.split()[0]) for n in teams], dtype=orths.dtype)
    for i in numpy.flatnonzero(numpy.isin(orths, wanted)).tolist():
        tok = doc[i]
        for name in teams:
            if tok.text == name.split()[0]:
                span = _span_of_words(doc, tok.i, len(name.split()))
                if span is not None and span.text == name:
                    out.append((span.start, span.end))
    return out


def _span_of_words(doc, start: int, n_words: int):
    """The span starting at `start` covering `n_words` whitespace-separated words."""
    words, i = 0, start
    while i < len(doc) and words < n_words:
        if doc[i].whitespace_ or i == len(doc) - 1:
            words += 1
        i += 1
    return doc[start:i] if words == n_words else None
