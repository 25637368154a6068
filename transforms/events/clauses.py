"""What the trigger's clause says about the act: intended, refused, obliged, or only background.

- Intentions: a future/conditional act announced by the actor, the other party or an unnamed
  official source (not an analyst's forecast) is AGREE (cooperative) or THREATEN (force) (×0.9);
  an unconditional announced reduction of relations stays SANCTION.
- Refusals: a negated intention to cooperate or concede ("would not meet demands") is REJECT (×0.9).
- Obligations: "X said Y must/should …" is X's REQUEST to Y.
- Clause position: a background adverbial clause ("…, a day after X shelled …") ×0.7, a purpose
  infinitive ("began a strike to demand …") ×0.75 — the reported act is the main clause's.
"""

from __future__ import annotations

from typing import Sequence

from transforms import gazetteer, lexicon
from transforms.entities import Mention
from transforms.events.grammar import OBJECT_DEPS, _VERBAL
from transforms.events.model import Actor
from transforms.events.words import (
    ANALYST_CLAIMANTS,
    BACKGROUND_MARKS,
    CONDITIONAL_AUX,
    HEDGE_GOVERNORS,
    INTENT_AUX,
    INTENT_GOVERNORS,
    OBLIGATION_AUX,
    REPORT_NOUNS,
    SUPPORT_VERBS,
)
from transforms.modality import PREDICT_ADVERBS, REPORTING_VERBS

BACKGROUND_FACTOR = 0.7
PURPOSE_FACTOR = 0.75
"""A purpose infinitive ("began a hunger strike to demand …") is the goal of the reported act."""


def _intent(token, anchor, mod: str, negated: bool) -> bool:
    """True when a predicted/conditional act is announced as the actor's own intention.

    "Finland will give Tanzania a grant", "the rebels said they would blockade Paris", "will boycott
    … unless": a modal will/would/shall (or an agree/offer/plan/vow … governor) on the trigger's
    clause, with no hedge ("likely", "is expected to", "a high possibility that") above it.
    """
    if negated or mod not in {"predicted", "conditional"}:
        return False
    v = anchor if anchor is not None else token
    if v.pos_ not in _VERBAL:
        return False
    if any(a.lemma_.lower() in HEDGE_GOVERNORS for a in v.ancestors):
        return False
    modals = CONDITIONAL_AUX if mod == "conditional" else INTENT_AUX
    for _ in range(4):
        kids = list(v.children)
        if any(c.dep_ == "advmod" and c.lower_ in PREDICT_ADVERBS for c in kids):
            return False
        if any(c.dep_ == "aux" and c.lower_ in modals for c in kids):
            return True
        if v.dep_ in {"xcomp", "conj"} and v.head.i != v.i:
            if v.dep_ == "xcomp" and v.head.lemma_.lower() in INTENT_GOVERNORS:
                return True
            v = v.head
            continue
        break
    return False


def _refusal(token, anchor, negated: bool) -> bool:
    """A negated intention ("will not negotiate", "would not meet demands") is a refusal (CAMEO 12)."""
    if not negated:
        return False
    v = anchor if anchor is not None else token
    for _ in range(3):
        if any(c.dep_ == "aux" and c.lower_ in INTENT_AUX for c in v.children):
            return True
        if v.dep_ != "xcomp" or v.head.i == v.i:
            break
        v = v.head
    return False


def _clause_factor(token, anchor) -> float:
    """Confidence factor for where the trigger's clause sits: background adverbial clauses
    ("…, one day after a jet shot down …") and purpose infinitives ("… to demand …") are not the
    sentence's reported act."""
    v = anchor if anchor is not None else token
    for _ in range(3):
        if v.dep_ == "advcl":
            marks = {c.lower_ for c in v.children if c.dep_ == "mark"}
            npadv = {c.lower_ for c in v.children if c.dep_ == "npadvmod"}
            if marks & BACKGROUND_MARKS or (npadv and marks & {"after", "before"}):
                return BACKGROUND_FACTOR
            if any(c.dep_ == "aux" and c.tag_ == "TO" for c in v.children):
                return PURPOSE_FACTOR
            return 1.0
        if _purpose_xcomp(v):
            return PURPOSE_FACTOR
        if v.dep_ in {"xcomp", "conj"} and v.head.i != v.i and v.head.pos_ in _VERBAL:
            v = v.head
            continue
        break
    return 1.0


def _purpose_xcomp(v) -> bool:
    """"began a hunger strike to demand …" parsed as an xcomp: after a support verb that already has
    its event object, a to-infinitive is the purpose, not the content ("urged Iran to stop" is not
    a support verb)."""
    head = v.head
    return (
        v.dep_ == "xcomp" and head.i != v.i and head.lemma_.lower() in SUPPORT_VERBS
        and any(c.dep_ == "aux" and c.tag_ == "TO" for c in v.children)
        and any(c.dep_ in {"dobj", "obj"} for c in head.children)
    )


JOURNALISTS = frozenset({"correspondent", "correspondents", "reporter", "reporters", "journalist", "journalists"})


def _first_hand(claimed_by: str | None, actor1: Actor | None) -> bool:
    """A report that does not make the act a party's claim: a journalist's ("a Reuters
    correspondent said police opened an inquiry") or the actor's own account of its act ("the
    minister told reporters she was asking for …")."""
    if claimed_by is None:
        return False
    words = {w.lower().strip(".,'’").removesuffix("'s").removesuffix("’s") for w in claimed_by.split()}
    if words & JOURNALISTS or gazetteer.names_news_organisation(claimed_by):
        return True  # not a state news agency: KCNA's or Xinhua's reports speak for their state
    return _claimant_is(actor1, claimed_by)


def _claimant_is(actor: Actor | None, claimed_by: str) -> bool:
    """The claimant's words and the actor's overlap ("the ministry" / "the foreign ministry")."""
    return actor is not None and bool(actor.text) and (actor.text in claimed_by or claimed_by in actor.text)


def _presupposed(token) -> bool:
    """A definite nominal act inside a report ("officials said Monday's raid was lawful", "X said
    the bombing was a crime"): the report takes the act as known, not as its claim."""
    return token.pos_ == "NOUN" and any(
        c.dep_ == "poss" or c.dep_ == "det" and c.lower_ in {"the", "this", "that"} for c in token.children
    )


def _own_claim(
    claimed_by: str | None, actor1: Actor | None, sent_mentions: list[Mention], actor2: Actor | None = None
) -> bool:
    """The claim states the actor's intention rather than a third party's forecast.

    The claimant is the actor itself, its country, the other party of the event (a host announcing
    a visit), or an unnamed official source ("a statement said", "officials said"); a claimant of
    another country, or an analyst ("experts say X will …"), makes it a forecast.
    """
    if claimed_by is None:
        return True
    if actor1 is None:
        return False
    if _claimant_is(actor1, claimed_by):
        return True
    if any(w.lower().strip(".,") in ANALYST_CLAIMANTS or w.lower().rstrip("s") in ANALYST_CLAIMANTS for w in claimed_by.split()):
        return False
    countries = {m.country_code for m in sent_mentions if m.country_code and m.text in claimed_by}
    named = [m for m in sent_mentions if m.text in claimed_by and m.label in {"PERSON", "ORG", "GPE", "NORP"}]
    if not countries:
        return not named  # "a statement issued by the ministry", "officials"
    parties = {a.country for a in (actor1, actor2) if a is not None and a.country}
    return bool(parties & countries)


def _intent_type(event_type: str, types: dict, mod: str = "conditional") -> str | None:
    """PLOVER/CAMEO code intentions as AGREE (cooperation, CAMEO 03) or THREATEN (force, CAMEO 13).

    An unconditional announcement that relations will be reduced ("announced it would prohibit all
    aid") is the reduction itself, a policy decision, and stays SANCTION; only a condition ("will
    boycott … unless") makes it a threat.
    """
    quad = types[event_type].quad_class
    if quad in {1, 2} and event_type != "AGREE":
        return "AGREE"
    if event_type == "SANCTION" and mod != "conditional":
        return None
    if quad == 4:
        return "THREATEN"
    return None


def _obligations(sent, candidates: dict, clauses: Sequence[int]) -> dict[int, tuple]:
    """"X said Y must/should do Z" is X's demand on Y: a REQUEST by the speaker (CAMEO 10).

    `clauses` are the sentence's ccomp/acl tokens (doc indices, from `_Scan`)."""
    out = {}
    for i in clauses:
        v = sent.doc[i]
        if v.pos_ not in _VERBAL:
            continue
        if not any(c.dep_ == "aux" and c.lower_ in OBLIGATION_AUX for c in v.children):
            continue
        head = v.head
        if head.pos_ == "NOUN" and head.lemma_.lower() in REPORT_NOUNS and head.dep_ in OBJECT_DEPS:
            head = head.head  # "issued a stern reminder to Iraq that it must …": the issuing verb speaks
        elif v.dep_ != "ccomp":
            continue
        if head.i in candidates or head.pos_ not in _VERBAL or (
            v.head.i == head.i and head.lemma_.lower() not in REPORTING_VERBS | {"warn", "insist"}
        ):
            continue
        speaker = next((c for c in head.children if c.dep_ == "nsubj"), None)
        addressee = next((c for c in v.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        if speaker is None or addressee is None:
            continue
        entry = lexicon.LexiconEntry(head.lemma_.lower(), "VERB", "REQUEST", "100", frozenset(), 0.55)
        out[head.i] = (head, entry, head.idx, head.idx + len(head.text), head.lemma_.lower(), (speaker, addressee))
    return out
