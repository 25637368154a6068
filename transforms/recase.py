"""Truecasing of ALL-CAPS lines (headlines, datelines, results tables) for the entity ruler.

The small model reads case, so it misses or mislabels names written in capitals. Each capitals
line is truecased word by word — the casing the word has elsewhere in the article, else a
gazetteer name's casing, else lowercase for a common English word, else capitalised — and the
line's entities come from the NER run again on those words (same tokens, so offsets are
unchanged). The common-word list comes from the pipeline's lemmatizer tables, taken at load time
by `remember_lexicon`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import lru_cache

from transforms import gazetteer
from transforms.ruler_spans import Ent

_CAPS_MIN_LETTERS = 4


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
