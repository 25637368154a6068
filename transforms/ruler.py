"""Entity rules on top of the statistical NER: what the small model gets wrong on news, fixed by
rules that generalise.

`resolve(doc, ner)` takes the model's entities and returns corrected ones:

1. **ALL-CAPS lines** (headlines, datelines, results tables): the model reads case, so it misses or
   mislabels names in capitals. Each such line is truecased — a word takes the casing it has
   elsewhere in the article, else a gazetteer name keeps its casing, else a common English word is
   lowercased, else it is capitalised — and the line's entities come from the NER run again on the
   truecased words (same tokens, so offsets are unchanged).
2. **Split** spans that run across a line break, a bracket, a spaced dash, a comma or a semicolon
   ("Romania - Cosmin Contra", "Scott Draper ( Australia").
3. **Trim** leading articles and trailing possessives, punctuation, numbers ("Durham 114") and
   lowercase words ("Interfax news agency" → "Interfax"); drop spans with no capital letter.
4. **Initials** before a person ("G. Kersey").
5. **Acronym in parentheses** after a long name: "Korean Central News Agency (KCNA)" tags both.
6. **Gazetteer ruler**: countries, capitals, large cities, demonyms and international organisations
   (`transforms.gazetteer.surfaces`) tag names the model missed and fix labels it got wrong; a
   name inside a longer entity ("Bank of England") is left to the longer one.
7. **One article, one reading**: a surname of a person named in full is that person ("Jordan"
   after "Michael Jordan"); a name tagged somewhere in the article takes its majority label
   everywhere and is tagged where the model missed it.

Spans of other labels (DATE, CARDINAL, …) are kept unless a named span now covers them. The
`dateline_ruler` pipeline component (added after "ner" by `flows.model.load_pipeline`) writes the
result to `doc.ents`, so everything downstream (mentions, events' `ent_type_`) sees one reading.
Pure: reads only the package's data files.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from transforms import gazetteer

NAMED_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
"""spaCy labels that name something countable; dates and numbers are used by events instead."""

NAME_LABELS = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC"})
"""Labels whose spans are proper names (capitalised, no trailing numbers or common words)."""

DONE = "dateline_ruler"
"""`doc.user_data` key set once `apply` has rewritten a Doc's entities."""

_BREAK = frozenset({"(", ")", "[", "]", "{", "}", ",", ";", ":", '"', "“", "”", "|", "/"})
_DASHES = frozenset({"-", "–", "—", "--"})
_DETS = frozenset({"the", "a", "an"})
_POSSESSIVE = frozenset({"'s", "’s", "'", "’"})
_INITIAL = re.compile(r"^(?:[A-Z]\.){1,3}$")
_ACRONYM = re.compile(r"^[A-Z][A-Z.&]{1,9}$")
_NAME_JOINERS = frozenset({"of", "the", "and", "for", "on", "in", "de", "&", "du", "la", "des", "der", "von"})
_COUNTRY_KINDS = frozenset({"name", "short_name", "informal", "historical", "constituent", "territory", "abbreviation"})
_EXACT_KINDS = frozenset({"acronym", "abbreviation"})  # matched case-sensitively, never in capitals lines
_CAPS_MIN_LETTERS = 4


@dataclass(frozen=True)
class Ent:
    """A token span with a label (end exclusive)."""

    start: int
    end: int
    label: str


# ---------------------------------------------------------------- the pipeline component


def apply(doc, ner=None, recased=None, caps=None):
    """Rewrite `doc.ents` with the resolved entities; mark the Doc so it is not done twice."""
    from spacy.tokens import Span

    from spacy.util import filter_spans

    # Rules may propose overlapping spans (e.g. a gazetteer name inside a re-split span); keep
    # the longest of each overlap so set_ents never sees a token twice.
    named = filter_spans([Span(doc, e.start, e.end, label=e.label) for e in resolve(doc, ner, recased, caps)])
    taken = {i for e in named for i in range(e.start, e.end)}
    others = [e for e in doc.ents
              if e.label_ not in NAMED_LABELS and not any(i in taken for i in range(e.start, e.end))]
    doc.set_ents(sorted(named + others, key=lambda e: e.start), default="outside")
    doc.user_data[DONE] = True
    return doc


class DatelineRuler:
    """spaCy component: `apply` with the pipeline's own NER for capitals lines."""

    def __init__(self, ner):
        self.ner = ner

    def __call__(self, doc):
        return apply(doc, self.ner)

    def pipe(self, docs, batch_size: int = 128):
        """Like __call__ over a stream, but the capitals lines of a whole batch of articles go to
        the NER in one call: many one-Doc NER calls are several times slower (thinc/BLAS set-up
        per call), badly so on a loaded machine."""
        from spacy.util import minibatch

        for batch in minibatch(docs, size=batch_size):
            subs, owners = [], []
            caps = [_caps_segments(doc) for doc in batch]
            for k, doc in enumerate(batch):
                if caps[k] and self.ner is not None:
                    sub, origin = _truecased_doc(doc, caps[k])
                    subs.append(sub)
                    owners.append((k, origin))
            recased: dict[int, tuple] = {}
            if subs:
                for (k, origin), sub in zip(owners, self.ner.pipe(subs, batch_size=len(subs))):
                    recased[k] = (sub, origin)
            for k, doc in enumerate(batch):
                yield apply(doc, None, recased.get(k), caps[k])


def register() -> None:
    """Register the `dateline_ruler` factory with spaCy (idempotent)."""
    from spacy.language import Language

    if Language.has_factory(DONE):
        return

    @Language.factory(DONE)
    def _make(nlp, name):  # noqa: ARG001 - spaCy's factory signature
        remember_lexicon(nlp)
        return DatelineRuler(nlp.get_pipe("ner") if "ner" in nlp.pipe_names else None)


# ---------------------------------------------------------------- resolve


def resolve(doc, ner=None, recased=None, caps=None) -> list[Ent]:
    """The article's named entities after all rules (see the module docstring).

    `ner` re-reads capitals lines; `recased` is that reading done beforehand (by
    `DatelineRuler.pipe`, one NER batch for many articles): (truecased Doc, origin indices);
    `caps` the capitals lines if already found.
    """
    ents = [Ent(e.start, e.end, e.label_) for e in doc.ents]
    caps = _caps_segments(doc) if caps is None else caps
    if caps and recased is None and ner is not None:
        sub, origin = _truecased_doc(doc, caps)
        recased = (ner(sub), origin)
    if caps and recased is not None:
        ents = _recase_caps(doc, ents, caps, recased)
    in_caps = _membership(caps)
    ents = [e for e in ents if e.label in NAMED_LABELS]
    ents = [piece for e in ents for piece in _split(doc, e)]
    ents = [t for t in (_trim(doc, e) for e in ents) if t is not None]
    ents = [_initials(doc, e) for e in ents]
    ents = _acronyms(doc, ents)
    ents = _gazetteer(doc, ents, in_caps)
    ents = _drop_initial_common_words(doc, ents, in_caps)
    teams = _teams(doc)
    ents = _consistency(doc, ents, in_caps, teams)
    return sorted(ents, key=lambda e: e.start)


def _membership(segments: list[tuple[int, int]]):
    starts = [s for s, _ in segments]
    import bisect

    def inside(i: int) -> bool:
        k = bisect.bisect_right(starts, i) - 1
        return k >= 0 and segments[k][0] <= i < segments[k][1]

    return inside


# ---------------------------------------------------------------- 1. capitals lines


def _caps_segments(doc) -> list[tuple[int, int]]:
    """Token ranges of lines written in capitals (at least a few letters, almost none lowercase)."""
    text = doc.text
    out = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        upper = sum(map(str.isupper, line))
        if upper < _CAPS_MIN_LETTERS:
            continue
        lower = sum(map(str.islower, line))
        if lower > 0.1 * upper:
            continue
        span = doc.char_span(start, end, alignment_mode="expand") if end > start else None
        if span is not None and len(span):
            out.append((span.start, span.end))
    return out


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Lowercase English words: spaCy's stop words and its lemmatizer's word index, minus names
    the gazetteer knows (the index lists some places, e.g. "london")."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset((set(STOP_WORDS) | _LEMMA_WORDS) - set(_surface_casing()))


_LEMMA_WORDS: set[str] = set()


def remember_lexicon(nlp) -> None:
    """Take the common-word list from the pipeline's lemmatizer tables (called at load time)."""
    if _LEMMA_WORDS or "lemmatizer" not in nlp.component_names:  # disabled (cached attributes) is fine
        return
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return
    table = lookups.get_table("lemma_index")
    for key in table.keys():
        _LEMMA_WORDS.update(w for w in table[key] if w.isalpha())
    _common_words.cache_clear()


@lru_cache(maxsize=1)
def _surface_casing() -> dict[str, str]:
    """lowercased single-word gazetteer name → its casing ("nato" → "NATO", "bonn" → "Bonn")."""
    from spacy.lang.en.stop_words import STOP_WORDS

    out: dict[str, str] = {}
    for s in gazetteer.surfaces():
        for word in s.text.split():
            if word.lower() not in out and not word.islower() and word.lower() not in STOP_WORDS:
                out[word.lower()] = word
    return out


def _casing_evidence(doc, in_caps) -> dict[str, str]:
    """How each word is written outside capitals lines, not counting sentence-initial capitals."""
    seen: dict[str, Counter] = defaultdict(Counter)
    for tok in doc:
        if tok.is_alpha and not in_caps(tok.i) and not (tok.is_sent_start and tok.text[0].isupper()):
            seen[tok.lower_][tok.text] += 1
    return {low: forms.most_common(1)[0][0] for low, forms in seen.items()}


def _truecase(word: str, evidence: dict[str, str]) -> str:
    low = word.lower()
    if low == word or not any(c.isalpha() for c in word):
        return word
    if low in evidence:
        return evidence[low]
    cased = _surface_casing().get(low)
    if cased is not None:
        return cased
    if low in _common_words():
        return low
    if "." in word:  # initials and abbreviations ("U.S.", "J.J.")
        return word
    return word[0] + word[1:].lower()


def _truecased_doc(doc, caps: list[tuple[int, int]]):
    """All capitals lines of the article, truecased, as one Doc (lines joined by a newline token),
    with the original token index of each of its tokens (-1 for the separators)."""
    from spacy.tokens import Doc

    in_caps = _membership(caps)
    evidence = _casing_evidence(doc, in_caps)
    words: list[str] = []
    spaces: list[bool] = []
    origin: list[int] = []
    for start, end in caps:
        if words:
            words.append("\n")
            spaces.append(False)
            origin.append(-1)
        for tok in doc[start:end]:
            words.append(_truecase(tok.text, evidence))
            spaces.append(bool(tok.whitespace_))
            origin.append(tok.i)
    return Doc(doc.vocab, words=words, spaces=spaces), origin


def _recase_caps(doc, ents: list[Ent], caps: list[tuple[int, int]], recased) -> list[Ent]:
    """Replace the entities of capitals lines with the NER's reading of the truecased words."""
    sub, origin = recased
    in_caps = _membership(caps)
    kept = [e for e in ents if not any(in_caps(i) for i in range(e.start, e.end))]
    for e in sub.ents:
        first, last = origin[e.start], origin[e.end - 1]
        if first >= 0 and last >= 0 and last - first == e.end - e.start - 1:
            kept.append(Ent(first, last + 1, e.label_))
    return sorted(kept, key=lambda e: e.start)


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
