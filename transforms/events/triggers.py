"""Which tokens are event triggers, and with which lexicon entry.

- A lemma in the PLOVER lexicon (or "re" + one: "reimposed"), disambiguated by the lemmas of its
  objects, particles, prepositions and modifiers (`_cues`).
- Hyphenated words split by the tokenizer ("co-operation", "cease-fire") are looked up whole.
- A trigger that is the object/complement/modifier of another trigger ("called for … readiness",
  "sanctions relief") is not a separate event: it is the governing event's content.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Sequence

from transforms import lexicon
from transforms.events.grammar import OBJECT_DEPS
from transforms.events.words import PERSON_ROLES

_CUE_DEPS = OBJECT_DEPS | {"prt", "prep", "xcomp", "attr", "compound", "amod", "acomp", "pobj", "nsubjpass", "advmod", "oprd", "ccomp"}


def _cues(tokens) -> set[str]:
    """Lemmas that disambiguate a trigger: its objects, particles, prepositions, modifiers and their objects."""
    cues: set[str] = set()
    for token in tokens:
        for child in token.children:
            if child.dep_ in _CUE_DEPS:
                cues.add(child.lemma_.lower())
                for grand in child.children:
                    if grand.dep_ in {"pobj", "compound", "amod", "dobj", "nsubj", "nsubjpass"}:
                        cues.add(grand.lemma_.lower())
                    elif grand.dep_ == "prep" and grand.lower_ == "of" and child.dep_ in OBJECT_DEPS:
                        # a measure or amount of the real object: "700 kg of medicine", "dollars of aid"
                        cues.update(g.lemma_.lower() for g in grand.children if g.dep_ == "pobj")
        if token.pos_ in {"NOUN", "PROPN"}:
            for left in token.lefts:
                cues.add(left.lemma_.lower())
    return cues


def _pos(token) -> str | None:
    if token.pos_ == "VERB":
        return "VERB"
    if token.pos_ in {"NOUN", "PROPN"} and token.ent_type_ in {"", "EVENT"}:
        return "NOUN"
    return None


def _governed_by_trigger(token, triggers: dict) -> bool:
    """True when a trigger is the object/complement/modifier of another trigger ("called for readiness")."""
    head = token.head
    if head.i == token.i:
        return False
    if head.i in triggers and token.dep_ in OBJECT_DEPS | {"xcomp", "attr", "compound", "amod", "nmod"}:
        return True
    if head.dep_ == "prep" and head.head.i in triggers and token.dep_ == "pobj" and head.lower_ in {"for", "of", "to", "against"}:
        return True
    return False


def _kind_of_person(token) -> bool:
    """A nominal that names what kind of person follows it ("strike organisers", "election
    monitors", "aid workers"): a description of people, not an act."""
    head = token.head
    if head.i <= token.i or head.pos_ != "NOUN" or token.dep_ not in {"compound", "amod", "nmod"}:
        return False
    return head.lemma_.lower() in PERSON_ROLES


_HYPHENS = frozenset({"-", "‐"})
_CLAUSE_DEPS = frozenset({"ccomp", "acl"})


@dataclass(frozen=True)
class _Scan:
    """Doc token indices worth a closer look, found from spaCy's arrays without making a Token
    per word (Token objects were the largest cost of event extraction):

    - `triggers`: a lemma in the event lexicon (or "re" + one), or right after a hyphen
      ("co-operation" split in three); `_candidates` decides;
    - `clauses`: ccomp/acl heads, the only tokens `_obligations` can use.
    """

    triggers: list[int]
    clauses: list[int]

    @staticmethod
    def of(doc, known) -> "_Scan":
        from spacy.attrs import DEP, LEMMA, ORTH

        if not len(doc):
            return _Scan([], [])
        strings = doc.vocab.strings
        lemma_ids, dep_ids, orth_ids = doc.to_array([LEMMA, DEP, ORTH]).T.tolist()

        def qualifies(lemma_id: int) -> bool:
            lemma = strings[lemma_id].lower()
            return lemma in known or (len(lemma) > 5 and lemma.startswith("re") and lemma[2:] in known)

        hits = {h: qualifies(h) for h in set(lemma_ids)}
        hyphen_ids = {strings[h] for h in _HYPHENS}
        triggers = [i for i, h in enumerate(lemma_ids) if hits[h] or (i >= 1 and orth_ids[i - 1] in hyphen_ids)]
        clause_ids = {strings[d] for d in _CLAUSE_DEPS}
        clauses = [i for i, d in enumerate(dep_ids) if d in clause_ids]
        return _Scan(triggers, clauses)

    def within(self, positions: list[int], sent) -> list[int]:
        return positions[bisect.bisect_left(positions, sent.start) : bisect.bisect_left(positions, sent.end)]


def _candidates(sent, positions: Sequence[int]) -> dict[int, tuple]:
    """token index → (trigger token, lexicon entry, trigger start char, end char, lemma).

    `positions` are the doc indices in `sent` that `_Scan` kept, in order; every other token would
    be skipped by the tests below anyway.
    """
    known = lexicon.load_lexicon()
    found = {}
    doc = sent.doc
    for i in positions:
        token = doc[i]
        k = i - sent.start
        group = None
        if k >= 2:
            prev, first = doc[i - 1], doc[i - 2]
            if prev.text in _HYPHENS and not first.whitespace_ and not prev.whitespace_:
                group = (i - 2, i)
        if group is not None:
            joined = f"{first.lower_}-{token.lemma_.lower()}"
            if joined in known:
                members = [first, prev, token]
                head = next((m for m in members if not (group[0] <= m.head.i <= group[1]) or m.head.i == m.i), token)
                head_pos = _pos(head) or ("VERB" if token.pos_ == "VERB" else "NOUN")
                cues = _cues(members)
                entry = lexicon.lookup(joined, head_pos, cues) or lexicon.lookup(
                    joined, "VERB" if head_pos == "NOUN" else "NOUN", cues
                )
                if entry is not None:
                    for m in members:
                        found.pop(m.i, None)
                    found[head.i] = (head, entry, first.idx, token.idx + len(token.text), joined)
                    continue
        lemma = token.lemma_.lower()
        if lemma not in known:
            if len(lemma) > 5 and lemma.startswith("re") and lemma[2:] in known:
                lemma = lemma[2:]  # "reimposed", "redeployed": the act again
            else:
                continue
        pos = _pos(token)
        if pos is None or pos == "NOUN" and _kind_of_person(token):
            continue
        entry = lexicon.lookup(lemma, pos, _cues([token]))
        if entry is not None:
            found[token.i] = (token, entry, token.idx, token.idx + len(token.text), lemma)
    return found
