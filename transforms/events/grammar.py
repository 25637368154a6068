"""spaCy label sets the rules share (dependency relations, POS, entity types) and two syntax
helpers: the object of a preposition and the character span of a noun phrase."""

from __future__ import annotations

SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
PASSIVE_SUBJECT_DEPS = frozenset({"nsubjpass", "csubjpass"})
OBJECT_DEPS = frozenset({"dobj", "obj", "iobj", "dative"})
INHERIT_SUBJECT_DEPS = frozenset({"xcomp", "conj", "advcl", "pcomp"})
"""A trigger in these relations shares its governor's subject ("vowed to strike", "met and agreed")."""
NOT_ACTOR_ENTS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"})
_VERBAL = frozenset({"VERB", "AUX"})


def _prep_object(prep):
    return next((g for g in prep.children if g.dep_ in {"pobj", "pcomp"}), None)


def _phrase(token) -> tuple[int, int]:
    """Char span of a noun phrase head with its left modifiers (no relative clauses)."""
    doc = token.doc
    start = token.i
    for t in token.lefts:
        if t.dep_ in {"compound", "amod", "poss", "nmod", "det", "nummod", "case", "quantmod"}:
            start = min(start, t.left_edge.i)
            break
    # Trim a leading determiner: "the North Korean army" → "North Korean army".
    while start < token.i and doc[start].dep_ in {"det", "punct"}:
        start += 1
    end_tok = token
    for t in token.rights:
        if t.dep_ in {"compound", "flat"} and t.i == end_tok.i + 1:
            end_tok = t
    return doc[start].idx, end_tok.idx + len(end_tok.text)
