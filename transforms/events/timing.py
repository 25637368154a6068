"""When an event happened.

Only date words whose syntactic clause is the trigger's (or, for a nominal, its support verb's) are
used — "refused … since … fell apart in 2019" does not date the refusal; none → precision "none",
never the publication date. `is_historical` flags events dated more than HISTORICAL_DAYS before
publication, or nominals marked "past/previous/former …" (a December article's mention of a
November launch is not a new December event).
"""

from __future__ import annotations

import datetime as dt

from transforms import dates
from transforms.events.grammar import _VERBAL
from transforms.events.words import HISTORICAL_MODIFIERS

HISTORICAL_DAYS = 7
"""An event dated (at the end of its date's period) more than this many days before publication is historical."""
FRONTED_CHARS = 6
"""A date expression starting this close to its sentence's start ("Also on Thursday, …") is fronted."""


def _clause_of(token, trigger_ids: frozenset[int]):
    """The first verb (or trigger) at or above `token`: the clause a date word belongs to."""
    t = token
    for _ in range(12):
        if t.i in trigger_ids or t.pos_ in _VERBAL and t.i != token.i:
            return t
        if t.head.i == t.i:
            return t
        t = t.head
    return t


def _sentence_dates(sent) -> list[tuple[object, str, int]]:
    """(root token, words, char offset) of each date expression in the sentence."""
    out = []
    for s, e, text in dates.find_date_expressions(sent.text):
        span = sent.doc.char_span(sent.start_char + s, sent.start_char + e, alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        out.append((span.root, text, sent.start_char + s))
    return out


def _tense(token, mod: str) -> str:
    if mod in {"predicted", "conditional"}:
        return "future"
    for t in [token] + [c for c in token.children if c.dep_ in {"aux", "auxpass"}]:
        if "Past" in t.morph.get("Tense"):
            return "past"
    return "past" if token.pos_ in _VERBAL else "nearest"


def _event_date(sent_dates, token, anchor, published, tense: str) -> dates.ResolvedDate:
    """Date words attached to the trigger's own clause, resolved against the publication date."""
    own = {token.i} | ({anchor.i} if anchor is not None else set())
    ids = frozenset(own)
    attached = [(root, text, off) for root, text, off in sent_dates if _clause_of(root, ids).i in own]
    if not attached and token.pos_ not in _VERBAL:  # "the agreement was reached last week"
        verb = _governing_verb(token)
        if verb is not None:
            attached = [(root, text, off) for root, text, off in sent_dates if _clause_of(root, ids | {verb.i}).i == verb.i]
            if attached and tense == "nearest":
                tense = "past"  # a dated verb reports the act: "went on strike on Monday" is last Monday
    if not attached and token.dep_ == "acl":  # "a March 3 statement calling for …": the noun's own date
        attached = [(root, text, off) for root, text, off in sent_dates if root.head.i == token.head.i and root.i < token.head.i]
    if not attached and not _in_noun_clause(token):  # a fronted date ("In 2011, …") sets the time of what follows
        start = token.sent.start_char
        attached = [(root, text, off) for root, text, off in sent_dates
                    if off - start <= FRONTED_CHARS and off < token.idx and root.sent.start == token.sent.start]
    if not attached:
        return dates.ResolvedDate(None, "none", "", "unknown")
    root, text, _ = min(attached, key=lambda a: abs(a[2] - token.idx))
    return dates.resolve_date(text, published, tense=tense)


def _governing_verb(noun):
    """The verb a nominal trigger is the subject, object or prepositional object of ("the
    agreement was reached", "quit in protest", "was arrested … on a request"): its date is the
    act's date. None when the noun sits deeper (a noun's modifier, a clause of its own) or is the
    subject of "be"."""
    head = noun
    if noun.dep_ == "pobj" and noun.head.dep_ == "prep":
        head = noun.head
    elif noun.dep_ not in {"nsubj", "nsubjpass", "dobj"}:
        return None
    verb = head.head
    if verb.pos_ not in _VERBAL or verb.i == head.i or noun.dep_ == "nsubj" and verb.lemma_ == "be":
        return None  # "the probe is into … a 2015 gala": the copula's dates describe the rest
    return verb


def _in_noun_clause(token) -> bool:
    """The trigger sits in a clause that describes a noun ("a missile designed to attack …", "the
    group that attacked …"): the sentence's fronted date is not its time."""
    t = token
    while t.head.i != t.i:
        if t.dep_ in {"acl", "relcl"}:
            return True
        t = t.head
    return False


def _historical(when: dates.ResolvedDate, token, published: dt.date | None) -> bool:
    if token.pos_ not in _VERBAL and any(
        c.dep_ == "amod" and c.lower_ in HISTORICAL_MODIFIERS and c.lower_ != "last" for c in token.children
    ):
        return True
    if when.value is None or published is None or when.relation != "past":
        return False
    if when.precision == "day":
        end = when.value
    elif when.precision == "month":
        end = dates._month_end(when.value)
    else:
        end = dt.date(when.value.year, 12, 31)
    return (published - end).days > HISTORICAL_DAYS
