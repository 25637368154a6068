"""Events from one sentence's dependency parse: who did what to whom, when, where.

A trigger (a verb or an event nominal whose lemma is in the PLOVER lexicon, disambiguated by
the lemmas of its objects, particles, prepositions and modifiers) gives the event type; actor1
comes from the subject side (or the "by" agent of a passive), actor2 from the object / "against" /
"with" side; the location is a place attached to the clause; the date comes from date words
attached to the trigger's own clause, resolved against the publication date. Every event keeps its
sentence offsets (and the trigger's and actors' own offsets) as evidence.

Rules, each with the confidence factor it contributes (`confidence` = lexicon entry confidence ×
the factors of the rules that fired, clipped to [0, 1]):
- Light verbs and complements: a nominal that is the object of a support verb ("conducted tests",
  "performed a barrage of missile tests, including the Dec. 18 launch") takes the support verb's
  subject (×0.9). A trigger that is the object/complement of another trigger ("called for …
  readiness", "vowed a stern retaliation") is not a separate event: it is the governing event's
  content and only helps to find its target.
- A modifier trigger of a trigger noun ("sanctions relief", "missile test") is not an event.
- Hyphenated words split by the tokenizer ("co-operation", "test-launch", "cease-fire") are looked
  up whole.
- Passive voice: "was attacked by X" → X is actor1, the passive subject is actor2.
- Subjects are inherited through xcomp / conj / advcl ("vowed to strike", "set forth tasks … to
  accelerate war preparations") (×0.95); a missing actor1 costs ×0.75, a missing actor2 ×0.85.
- Compound actors ("Hungarian and Romanian officials", "Israel and the Palestinians"): ONE event
  row, whose actor text is the whole coordination and whose country is the first conjunct's
  (GDELT-style dyad rows per conjunct would multiply counts of one reported act).
- Appositions and possessives give an actor's country: "Kim, North Korea's leader", "South Korea's
  spy agency", "Matthew Miller, a spokesperson for the State Department".
- Sector (government, military, police, intelligence, rebels, civilians, media, judiciary, business,
  opposition, igo, ngo) only where the actor's words say it (`lexicon.sector_of`).
- Dates: only date words whose syntactic clause is the trigger's (or, for a nominal, its support
  verb's) are used — "refused … since … fell apart in 2019" does not date the refusal. No date
  words → precision "none", never the publication date. `is_historical` flags events dated more
  than a week before publication, or nominals marked "past/previous/former …", so a December
  article's mention of a November launch is not a new December event.
- Clause position (issue 5): an event in a background adverbial clause ("…, a day after X shelled
  …") ×0.7, in a purpose infinitive ("began a strike to demand …") ×0.75 — the reported act is
  the main clause's.
- Intentions and refusals: a future/conditional act announced by the actor, the other party or an
  unnamed official source is AGREE (cooperative) or THREATEN (force); an unconditional announced
  reduction of relations stays SANCTION; "would not meet demands" (a negated intention to
  cooperate or concede) is REJECT; a PROTEST verb with a clausal complement ("…, a group
  protested") is a complaint (ACCUSE 114).
- Targets when the object slot gives none: the subject of a demand's or accusation's that-clause,
  of a threat's if/unless clause, a named party behind another preposition or a purpose
  infinitive, the "of" object of a nominal whose agent is known ("its invasion of Lebanon"); a
  protest or a visit abroad with no target gets the place (CAMEO convention).
- Countries of unstated actors (`_domestic_roles`): the event's place or the sentence's single
  country, never the named counterpart's (×0.8, a guess); "ethnic X in Y" is coded to Y.
Pure: takes a parsed Doc and the article's mentions, returns plain records.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, fields, replace
from typing import Sequence

from transforms import dates, gazetteer, lexicon, topics
from transforms.entities import Mention
from transforms.identity import stable_id
from transforms.modality import LIGHT_VERBS, PREDICT_ADVERBS, REPORTING_VERBS
from transforms.modality import modality as trigger_modality

SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
PASSIVE_SUBJECT_DEPS = frozenset({"nsubjpass", "csubjpass"})
OBJECT_DEPS = frozenset({"dobj", "obj", "iobj", "dative"})
TARGET_PREPS = frozenset({"against", "with", "on", "at", "to", "toward", "towards", "into", "upon", "over", "from"})
LOCATION_PREPS = frozenset({"in", "at", "near", "across", "along", "outside", "inside", "off", "from", "on"})
INHERIT_SUBJECT_DEPS = frozenset({"xcomp", "conj", "advcl", "pcomp"})
"""A trigger in these relations shares its governor's subject ("vowed to strike", "met and agreed")."""
PRONOUNS = frozenset({"it", "its", "he", "his", "him", "she", "her", "they", "their", "them", "we", "our", "i", "you", "me", "us"})
PERSONAL_PRONOUNS = frozenset({"he", "his", "him", "she", "her"})
THING_PRONOUNS = frozenset({"it", "its"})
NOT_ACTOR_ENTS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"})
NOT_ACTOR_LEMMAS = frozenset({"there", "which", "that", "what", "who", "this", "these", "those", "it"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_CUE_DEPS = OBJECT_DEPS | {"prt", "prep", "xcomp", "attr", "compound", "amod", "acomp", "pobj", "nsubjpass", "advmod", "oprd", "ccomp"}
_VERBAL = frozenset({"VERB", "AUX"})
SUPPORT_VERBS = LIGHT_VERBS | frozenset({
    "renew", "open", "organize", "organise", "announce", "speed", "accelerate", "complete", "undertake",
    "engage", "participate", "involve", "intensify", "step", "escalate", "reimpose", "impose", "order",
})
"""Verbs whose object (or "in" complement) nominal is the subject's own act ("renewed negotiations",
"announced a suspension", "were engaged in ethnic cleansing")."""
STATIVE_PASSIVES = frozenset({"commit", "oppose", "determine", "prepare", "resolve", "engage", "involve", "dedicate", "poise"})
"""Passives whose subject is the agent: "X is committed to", "X is opposed to", "X was engaged in"."""
COLLECTIVE_HEADS = frozenset({
    "group", "member", "number", "delegation", "team", "hundred", "thousand", "dozen", "some", "many", "most",
    "majority", "part", "wing", "faction", "contingent", "body", "band", "bunch", "handful", "score", "million",
})
"""Heads that name a set of actors: "a group of Moroccan diplomats" → the diplomats."""
SCENE_PREPS = frozenset({"during", "on", "after", "following"})
"""An event nominal in these adjuncts of a clause is usually its subject's own act."""
CLAIM_VERBS = REPORTING_VERBS | frozenset({"warn", "threaten", "vow", "pledge", "promise", "decide", "agree", "insist"})
INTENT_AUX = frozenset({"will", "wo", "'ll", "’ll", "ll", "would", "'d", "’d", "shall"})
OBLIGATION_AUX = frozenset({"must", "should"})
HEDGE_GOVERNORS = frozenset({"expect", "likely", "unlikely", "possibility", "possible", "chance", "risk", "believe", "predict", "forecast", "think", "fear", "speculate"})
INTENT_GOVERNORS = frozenset({"agree", "offer", "promise", "pledge", "vow", "plan", "intend", "decide", "willing", "ready", "prepare", "threaten"})
CONDITIONAL_AUX = INTENT_AUX | frozenset({"may", "might", "could", "can", "ca"})
"""Under an if/unless condition any modal states the actor's own conditional act ("may halt … if")."""
ANALYST_CLAIMANTS = frozenset({
    "expert", "analyst", "observer", "researcher", "professor", "scholar", "specialist", "commentator",
    "economist", "forecaster", "pundit", "poll", "survey", "study", "think", "tank",
})
"""Claimants whose "X will …" is a forecast about X, not X's announced intention."""
BACKGROUND_MARKS = frozenset({"after", "before", "since", "when", "while", "as", "because", "until", "once", "following", "though", "although", "whereas"})
"""Adverbial clauses that give a main clause's occasion or reason: their events are background."""
BACKGROUND_FACTOR = 0.7
PURPOSE_FACTOR = 0.75
"""A purpose infinitive ("began a hunger strike to demand …") is the goal of the reported act."""
DOMESTIC_FACTOR = 0.8
"""Confidence factor when an actor's country is inferred from the sentence rather than stated."""
REPORT_NOUNS = frozenset({"reminder", "warning", "message", "statement", "letter", "note", "notice", "demand", "call", "appeal", "ultimatum", "order", "instruction", "signal"})
"""Nouns carrying a that-clause ("issued a reminder to Iraq that it must …"): like reporting verbs."""
HISTORICAL_MODIFIERS = frozenset({"past", "previous", "earlier", "former", "prior", "last"})
HISTORICAL_DAYS = 7
"""An event dated (at the end of its date's period) more than this many days before publication is historical."""


@dataclass(frozen=True)
class Actor:
    """An event participant as written, resolved to an entity and a country where possible."""

    text: str | None  # None: the doer is implied ("was arrested", "the investigation")
    entity_id: str | None
    country: str | None
    sector: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Event:
    """One row of the `events` table (minus run bookkeeping)."""

    event_id: str
    article_id: str
    sent_idx: int
    start_char: int
    end_char: int
    trigger: str
    trigger_lemma: str
    event_type: str
    cameo_code: str
    quad_class: int
    intensity: float
    actor1_text: str | None
    actor1_entity_id: str | None
    actor1_country: str | None
    actor2_text: str | None
    actor2_entity_id: str | None
    actor2_country: str | None
    location_text: str | None
    location_country: str | None
    event_date: dt.date | None
    date_precision: str
    date_text: str | None
    modality: str
    negated: bool
    claimed_by: str | None
    confidence: float
    # added with issue 5 (defaults keep older callers working)
    trigger_start: int | None = None
    trigger_end: int | None = None
    actor1_sector: str | None = None
    actor2_sector: str | None = None
    actor1_start: int | None = None
    actor1_end: int | None = None
    actor2_start: int | None = None
    actor2_end: int | None = None
    location_entity_id: str | None = None
    is_historical: bool = False

    def as_row(self) -> dict:
        """The event as a table row (a shallow copy: every field is a scalar, so no deep `asdict`)."""
        return {name: getattr(self, name) for name in _EVENT_FIELDS}


_EVENT_FIELDS = tuple(f.name for f in fields(Event))


_DATELINE = re.compile(
    r"""^\s*(?:
        \((?:[A-Z][\w.&]*\s?){1,3}\)\s*(?:[—–-]{1,2}\s*)?              # (CNN)   (AP) —
      | [A-Z][A-Z.'’\- ]{1,40}                                         # WASHINGTON, NEW YORK, KABUL
        (?:,\s*[A-Z][\w.'’\- ]{1,30}){0,2}                             # , Afghanistan   , February 7
        (?:\.?\s*/[A-Z][\w\- ]{1,15}/\.?)?                              # . /TASS/.
        \s*(?:\((?:[A-Z][\w.&]*\s?){1,3}\))?                             # (Reuters)
        \s*(?:[—–-]{1,2}|(?<=/\.)|(?<=/))\s*                              # — or - after it
    )""",
    re.VERBOSE,
)


def dateline_end(text: str) -> int:
    """Where an agency dateline ("WASHINGTON (AP) —", "(CNN)", "MOSCOW, February 7. /TASS/.")
    that opens the text ends (0 when there is none): the place and agency that report the story
    are never its actors."""
    m = _DATELINE.match(text)
    return m.end() if m else 0


class _MentionIndex:
    """Finds the mention covering a token, by character offset (bisect over sorted starts).
    Also knows where the text's dateline ends (`floor`): no actor starts before it."""

    def __init__(self, mentions: Sequence[Mention], floor: int = 0):
        self._spans = sorted(((m.start_char, m.end_char, m) for m in mentions), key=lambda x: x[0])
        self._starts = [s for s, _, _ in self._spans]
        self.floor = floor

    def at(self, token) -> Mention | None:
        i = bisect.bisect_right(self._starts, token.idx) - 1
        for k in (i, i - 1):  # mentions do not nest; one step back covers a rare overlap
            if k >= 0:
                start, end, m = self._spans[k]
                if start <= token.idx < end:
                    return m
        return None

    def within(self, start_char: int, end_char: int) -> list[Mention]:
        lo = bisect.bisect_left(self._starts, start_char)
        out = []
        for s, e, m in self._spans[lo:]:
            if s >= end_char:
                break
            if e <= end_char:
                out.append(m)
        return out

    def antecedent(self, token, labels: frozenset[str], window: int = 400) -> Mention | None:
        """The nearest earlier mention of the given labels within `window` characters.

        A deliberately small coreference rule for "its launch" / "his visit": news prose
        usually refers back to the actor named just before.
        """
        hi = bisect.bisect_left(self._starts, token.idx)
        for start, end, m in reversed(self._spans[:hi]):
            if token.idx - end > window:
                break
            if end <= token.idx and m.label in labels:
                return m
        return None


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


def _find_subject(token, depth: int = 0):
    """(subject token, inherited?) for a verb, inheriting from the governor for xcomp/conj/advcl clauses."""
    for child in token.children:
        if child.dep_ in SUBJECT_DEPS:
            return child, depth > 0
    for child in token.children:
        if child.dep_ == "agent":
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    return pobj, depth > 0
    if any(c.dep_ in PASSIVE_SUBJECT_DEPS for c in token.children):
        return None, False  # "… if it is attacked": a passive clause's agent is only its "by" phrase
    if depth < 3 and token.head.i != token.i:
        if token.dep_ == "xcomp" and token.head.pos_ == "ADJ" and token.head.dep_ == "acomp":
            return _find_subject(token.head.head, depth + 1)  # "Norway is willing to send …"
        if token.dep_ == "pcomp" and token.head.dep_ == "prep" and token.head.head.i != token.head.i:
            governor = token.head.head  # "resorted to throwing stones", "are guilty of violating"
            if governor.dep_ == "acomp":
                governor = governor.head
            if governor.pos_ in _VERBAL:
                return _find_subject(governor, depth + 1)
        if token.dep_ in INHERIT_SUBJECT_DEPS:
            if token.dep_ == "conj" and any(c.dep_ in PASSIVE_SUBJECT_DEPS for c in token.head.children):
                return None, False
            return _find_subject(token.head, depth + 1)
        if token.dep_ == "acl" and token.head.dep_ in OBJECT_DEPS and token.head.head.pos_ in _VERBAL:
            return _find_subject(token.head.head, depth + 1)  # "set forth tasks to accelerate …"
    return None, False


def _prep_object(prep):
    return next((g for g in prep.children if g.dep_ in {"pobj", "pcomp"}), None)


def _verb_roles(token):
    """actor1 and actor2 head tokens for a verb trigger, with passive voice handled."""
    actor1, inherited = _find_subject(token)
    passive_subject = next((c for c in token.children if c.dep_ in PASSIVE_SUBJECT_DEPS), None)
    actor2 = passive_subject
    if actor2 is None:
        actor2 = next((c for c in token.children if c.dep_ in OBJECT_DEPS), None)
    if actor2 is None:
        options = [
            o for child in token.children
            if child.dep_ == "prep" and child.lower_ in TARGET_PREPS and (o := _prep_object(child)) is not None
            and o.ent_type_ not in NOT_ACTOR_ENTS
        ]
        if options:  # prefer a named participant: "return to diplomacy with the U.S." → the U.S.
            actor2 = next((o for o in options if o.ent_type_ and o.ent_type_ not in NOT_ACTOR_ENTS), options[0])
    if passive_subject is not None and actor1 is not None and actor1.i == passive_subject.i:
        actor1 = None
    if (
        passive_subject is not None
        and actor1 is None
        and token.lemma_.lower() in STATIVE_PASSIVES
        and not any(c.dep_ == "agent" for c in token.children)
    ):
        actor1, actor2 = passive_subject, None  # "Israel is opposed to …": the subject is the agent
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ in TARGET_PREPS:
                actor2 = _prep_object(child)
                break
    return actor1, actor2, (0.95 if inherited else 1.0)


def _support_verb(token):
    """The verb a nominal trigger is an argument of, through "of"/"including" chains and conjuncts.

    Returns (verb, relation) with relation "obj" (object side), "subj" (subject side) or None.
    """
    t = token
    for _ in range(6):
        head = t.head
        if head.i == t.i:
            return None, None
        if t.dep_ in OBJECT_DEPS | {"attr", "oprd"} and head.pos_ in _VERBAL:
            return head, "obj"
        if t.dep_ in {"nsubj", "nsubjpass"} and head.pos_ in _VERBAL:
            return head, "subj"
        if t.dep_ in {"pobj", "pcomp"} and head.dep_ == "prep":
            prep = head
            if prep.lower_ == "in" and prep.head.lemma_.lower() in {"engage", "participate", "involve"}:
                return prep.head, "obj"
            if prep.lower_ in {"of", "including", "include"} or prep.lemma_ == "include":
                t = prep.head if prep.lower_ == "of" else prep
                if prep.lower_ != "of":  # "…, including the launch" hangs off the verb
                    if prep.head.pos_ in _VERBAL:
                        return prep.head, "obj"
                    t = prep.head
                continue
            return None, None
        if t.dep_ in {"conj", "appos", "compound"}:  # "undertook mediation mission"
            t = head
            continue
        return None, None
    return None, None


def _noun_roles(token, mentions: "_MentionIndex | None" = None):
    """actor1 and actor2 for an event nominal ("North Korea's launch of ...", "attack by X on Y",
    "Palestinian riots", "US Predator attacks")."""
    actor1 = next((c for c in token.children if c.dep_ == "poss"), None)
    if actor1 is None and mentions is not None:
        for c in token.lefts:
            if c.dep_ in {"amod", "compound", "nmod"}:
                for t in c.subtree:
                    m = mentions.at(t)
                    if m is not None and m.label in {"NORP", "GPE", "ORG"} and m.country_code:
                        actor1 = t
                        break
            if actor1 is not None:
                break
    actor2 = None
    factor = 1.0
    for child in token.children:
        if child.dep_ != "prep":
            continue
        pobj = _prep_object(child)
        if pobj is None or pobj.ent_type_ in NOT_ACTOR_ENTS:  # "on Wednesday" is a date, not a target
            continue
        if child.lower_ == "by" and actor1 is None:
            actor1 = pobj
        elif child.lower_ in TARGET_PREPS and actor2 is None:
            actor2 = pobj
    if actor1 is None:
        verb, relation = _support_verb(token)
        if verb is not None and relation == "obj" and verb.lemma_.lower() in SUPPORT_VERBS:
            actor1, _ = _find_subject(verb)  # light verb: "X launched an attack", "X performed tests"
            if actor1 is None and verb.lemma_.lower() in STATIVE_PASSIVES:
                actor1 = next((c for c in verb.children if c.dep_ in PASSIVE_SUBJECT_DEPS), None)
            factor = 0.9
    if actor1 is None and token.dep_ == "pobj" and token.head.lower_ in SCENE_PREPS and token.head.head.pos_ in _VERBAL:
        actor1, _ = _find_subject(token.head.head)  # "During a visit to …, Yoon called …"
        factor = 0.8
    if actor2 is None and actor1 is not None and mentions is not None:
        for child in token.children:  # the agent is known, so "invasion of South Lebanon" names the target
            if child.dep_ == "prep" and child.lower_ == "of":
                pobj = _prep_object(child)
                if pobj is not None and mentions.at(pobj) is not None:
                    actor2 = pobj
    return actor1, actor2, factor


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


def _target(token, mentions: _MentionIndex, depth: int = 0):
    """Follow an object that is not itself an actor to the one it points at.

    "vowed a stern retaliation against any provocations by the North": the thing vowed is not
    the target; the target is reached through "against" and then the "by" agent.
    """
    if token is None or _names_party(token, mentions) or depth >= 3:
        return token
    for child in token.children:
        pobj = None
        if child.dep_ == "prep" and child.lower_ in TARGET_PREPS | {"by", "for", "of"}:
            pobj = _prep_object(child)
        elif child.dep_ == "acl":  # "crimes committed by Croat forces"
            agent = next((g for g in child.children if g.dep_ == "agent"), None)
            pobj = _prep_object(agent) if agent is not None else None
        if pobj is not None:
            found = _target(pobj, mentions, depth + 1)
            if found is not None and _names_party(found, mentions):
                return found
    return token


def _names_party(token, mentions: _MentionIndex) -> bool:
    """True for a named entity, or a phrase whose modifiers name a country ("South Korean army officers")."""
    if mentions.at(token) is not None:
        return True
    if token.pos_ not in {"NOUN", "PROPN"}:
        return False
    start, end = _phrase(token)
    return any(m.country_code for m in mentions.within(start, end))


def _purpose_target(token, mentions: _MentionIndex):
    """Target reached through "for"/"of" ("called for retaliation against X" → X), else None."""
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ in {"for", "of"}:
            pobj = _prep_object(child)
            found = _target(pobj, mentions)
            if found is not None and found.i != pobj.i and _names_party(found, mentions):
                return found
    return None


def _fallback_target(token, event_type: str, mentions: _MentionIndex, text: str) -> "Actor | None":
    """A target when the object slot gave none.

    - the subject of a that-clause of a demand or accusation ("demanded that the DPRK forsake …");
    - a named party behind another preposition of the verb ("refusing admittance to Ghanaians").
    """
    if token.pos_ != "VERB":
        return None
    if event_type == "THREATEN":
        found = _condition_subject(token, mentions, text)
        if found is not None:  # "threatened a strike unless Israel rescinded …": who must comply
            return found
    if event_type in {"REQUEST", "ACCUSE", "PROTEST"}:  # a protest verb with a that-clause complains about its subject
        for c in token.children:
            if c.dep_ == "ccomp":
                subj = next((g for g in c.children if g.dep_ in {"nsubj", "nsubjpass"}), None)
                found = _actor(subj, mentions, text, strict=True) if subj is not None else None
                if found is not None:
                    return found
    for c in token.children:
        if c.dep_ in {"prep", "dative"} and c.lower_ in TARGET_PREPS | {"for"}:  # "send weapons to Ukraine": "to" is a dative
            pobj = _prep_object(c)
            if pobj is not None and pobj.ent_type_ not in NOT_ACTOR_ENTS:
                found = _actor(_target(pobj, mentions), mentions, text, strict=True)
                if found is not None and found.country:
                    return found
    return _purpose_object(token, mentions, text)


def _condition_subject(token, mentions: _MentionIndex, text: str) -> "Actor | None":
    """The named subject of an if/unless clause on the trigger or its complements."""
    stack = [token]
    for _ in range(3):
        nxt = []
        for v in stack:
            for c in v.children:
                if c.dep_ == "advcl" and any(g.dep_ == "mark" and g.lower_ in {"if", "unless"} for g in c.children):
                    subj = next((g for g in c.children if g.dep_ in {"nsubj", "nsubjpass"}), None)
                    found = _actor(subj, mentions, text, strict=True) if subj is not None else None
                    if found is not None and found.country:
                        return found
                if c.dep_ in {"xcomp", "ccomp"}:
                    nxt.append(c)
        stack = nxt
    return None


def _purpose_object(token, mentions: _MentionIndex, text: str) -> "Actor | None":
    """The named object of a purpose infinitive: "sent material to help defend Saudi Arabia" → Saudi Arabia."""
    for c in token.children:
        if c.dep_ == "advcl" and any(g.dep_ == "aux" and g.tag_ == "TO" for g in c.children):
            v = c
            for _ in range(3):
                obj = next((g for g in v.children if g.dep_ in OBJECT_DEPS), None)
                if obj is not None:
                    found = _actor(_target(obj, mentions), mentions, text, strict=True)
                    if found is not None and found.country:
                        return found
                v = next((g for g in v.children if g.dep_ == "xcomp"), None)
                if v is None:
                    break
    return None


def _sector(token, start: int, end: int) -> str | None:
    doc = token.doc
    words = [t.lemma_.lower() for t in doc.char_span(start, end, alignment_mode="expand") or []]
    if token.dep_ != "appos":
        for child in token.children:  # "Miller, a spokesperson for …"
            if child.dep_ == "appos":
                words.append(child.lemma_.lower())
                words.extend(g.lemma_.lower() for g in child.children if g.dep_ == "compound")
    return lexicon.sector_of(words)


def _reporter_subject(token):
    """For a pronoun subject of a reported clause ("X said they will …"), the reporting verb's subject."""
    if token.dep_ not in {"nsubj", "nsubjpass"}:
        return None
    verb = token.head
    for _ in range(4):
        if verb.dep_ in {"xcomp", "conj"} and verb.head.i != verb.i:
            verb = verb.head
            continue
        break
    if verb.dep_ == "ccomp" and verb.head.lemma_.lower() in CLAIM_VERBS:
        subj = next((c for c in verb.head.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        if subj is not None and subj.lower_ not in PRONOUNS:
            return subj
    return None


def _actor(token, mentions: _MentionIndex, text: str, strict: bool = False) -> Actor | None:
    """Resolve an actor head token to text, entity, country and (where stated) sector.

    `strict` (object side): a phrase with no entity, country or sector is not an actor ("details").
    """
    if token is None or token.idx < mentions.floor:
        return None
    if token.lemma_.lower() in COLLECTIVE_HEADS and mentions.at(token) is None:  # also "thousands" (CARDINAL)
        for child in token.children:  # "a group of Moroccan diplomats" → the diplomats
            if child.dep_ == "prep" and child.lower_ == "of":
                pobj = _prep_object(child)
                if pobj is not None:
                    inner = _actor(pobj, mentions, text, strict)
                    if inner is not None:
                        return inner
    if token.ent_type_ in NOT_ACTOR_ENTS:
        return None
    covering = mentions.at(token)
    if covering is not None:
        start, end = _phrase(token)
        start, end = max(min(start, covering.start_char), mentions.floor), max(end, covering.end_char)
        country = (
            covering.country_code or _named_place(covering) or _country_in(token, mentions, covering, start, end)
            or _postmodifier_country(token, mentions)
        )
        if any(c.lower_ == "ethnic" for c in token.children):  # "ethnic Albanians in south Serbia"
            country = _postmodifier_country(token, mentions) or country
        words = text[start:end] if end - start <= 2 * len(covering.text) + 40 else covering.text
        return Actor(words, covering.entity_id, country, _sector(token, start, end), start, end)
    if token.lower_ in PRONOUNS:
        reporter = _reporter_subject(token)
        if reporter is not None:  # "The rebels said they will release …" → the rebels
            return _actor(reporter, mentions, text, strict)
        if token.lower_ not in PERSONAL_PRONOUNS | THING_PRONOUNS:
            return None
        labels = frozenset({"PERSON"}) if token.lower_ in PERSONAL_PRONOUNS else frozenset({"GPE", "ORG", "NORP"})
        ref = mentions.antecedent(token, labels)
        if ref is None:
            return None
        return Actor(ref.text, ref.entity_id, ref.country_code, None, token.idx, token.idx + len(token.text))
    if token.lemma_.lower() in NOT_ACTOR_LEMMAS or token.pos_ in {"VERB", "AUX", "ADP", "NUM", "PRON"}:
        return None
    start, end = _phrase(token)
    start = max(start, mentions.floor)
    inner = mentions.within(start, end)
    country = next((m.country_code for m in inner if m.country_code), None)
    if country is None:
        country = _appos_country(token, mentions)
    conj_countries = [c for c in _conj_countries(token, mentions)]
    if country is None and conj_countries:
        country = conj_countries[0]
    if country is None:
        country = _postmodifier_country(token, mentions)
    entity = next((m.entity_id for m in inner if m.label not in {"NORP"}), None)
    sector = _sector(token, start, end)
    if country is None and sector is None and entity is None and (strict or token.pos_ not in {"NOUN", "PROPN"}):
        return None  # "details", "situation": not an actor
    return Actor(text[start:end], entity, country, sector, start, end)


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


TRIP_NOUNS = frozenset({"visit", "trip", "tour", "journey", "mission", "travel", "flight"})


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
        if m.label in {"GPE", "LOC", "FAC"} and (place is None or place.kind == "city"):
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
    if not attached:
        return dates.ResolvedDate(None, "none", "", "unknown")
    root, text, _ = min(attached, key=lambda a: abs(a[2] - token.idx))
    return dates.resolve_date(text, published, tense=tense)


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
        if pos is None:
            continue
        entry = lexicon.lookup(lemma, pos, _cues([token]))
        if entry is not None:
            found[token.i] = (token, entry, token.idx, token.idx + len(token.text), lemma)
    return found


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
    if actor1.text in claimed_by or claimed_by in actor1.text:
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


STATE_SECTORS = frozenset({"intelligence", "military", "police", "judiciary", "rebels", "opposition", "government"})
SPORT_CERTAINTY = 0.99
"""A match report is only a match report when the topic model is this sure (dai2017: at 0.99 the
articles it calls sport are sport, whatever their section)."""


def _state_actor(actor: "Actor | None") -> bool:
    """An actor whose words say it acts for a state (a government, police, court, army, rebels or
    opposition): in a match report a country's name is its team, so a name alone does not count."""
    return actor is not None and actor.sector in STATE_SECTORS


def article_country(mentions: Sequence[Mention]) -> str | None:
    """The country an article is about: the one its place and nationality mentions name most,
    when it leads the next by a clear margin (a coder's default for actors whose nationality
    the text leaves implied: "police", "the opposition", a minister named without a country)."""
    counts: dict[str, int] = {}
    for m in mentions:
        if m.country_code and m.label in {"GPE", "NORP", "LOC"}:
            counts[m.country_code] = counts.get(m.country_code, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[0][1] < 1.5 * ranked[1][1]):
        return None
    return ranked[0][0]


def _domestic_roles(actor1, actor2, event_type: str, place, sent_mentions, index: _MentionIndex, factor: float,
                    home: str | None = None):
    """Fill countries the actors' own words leave open, from where the event happens.

    - An actor of unstated nationality (a titled person, an unlisted party or group) is taken to be
      domestic: the event's location, else the sentence's one country (`_context_country`)
      (×DOMESTIC_FACTOR: a guess, right for all 9 dev records it decides but for only about two
      in three actors on general news, so consumers can filter on confidence).
    - "Ethnic Albanians … in Serbia": an ethnic group acting in a country is coded to that country.
    - A protest with no stated target is aimed at the authorities where it happens (CAMEO 14
      convention), and a visit or meeting abroad is hosted by the place's country (CAMEO 042/043):
      the location becomes actor2.
    """
    if actor1 is not None and not _is_international(actor1, index):
        if actor1.country is None:
            country = _context_country(place, sent_mentions, actor2, index)
            if country is None and home is not None and not (actor2 is not None and actor2.country == home):
                country = home
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


def _actor_columns(role: str, actor: "Actor | None") -> dict:
    """The `actorN_*` columns of an event for one role (all null without an actor)."""
    fields = ("text", "entity_id", "country", "sector", "start", "end")
    return {f"{role}_{f}": (getattr(actor, f) if actor else None) for f in fields}


def doc_events(
    doc,
    article_id: str,
    mentions: Sequence[Mention],
    published: dt.date | None,
    text: str | None = None,
) -> list[Event]:
    """All events in one parsed article. A verb needs a named actor; a nominal act ("the
    investigation", "the talks") may name none, and then its implied doer is coded with the
    country where the act happens, when one is known.

    `text` is the string the doc was parsed from, when the caller still has it: `Doc.text`
    rebuilds it token by token (~0.4 ms for a 600-token news article, ~5 % of these rules' time).
    """
    if isinstance(published, dt.datetime):
        published = published.date()
    types = lexicon.load_event_types()
    index = _MentionIndex(mentions, dateline_end(text if text is not None else doc.text))
    home = article_country(mentions)
    if text is None:
        text = doc.text
    topic, certainty = topics.topic_of(text)
    sport = topic == "sport" and certainty >= SPORT_CERTAINTY  # "beat", "attack", "defeat" are plays
    events: list[Event] = []
    scan = _Scan.of(doc, lexicon.load_lexicon())
    for sent_idx, sent in enumerate(doc.sents):
        candidates = _candidates(sent, scan.within(scan.triggers, sent))
        obligations = _obligations(sent, candidates, scan.within(scan.clauses, sent))
        if not candidates and not obligations:
            continue
        sent_dates = None
        sent_mentions = index.within(sent.start_char, sent.end_char)
        items = [v + (None,) for v in candidates.values()] + list(obligations.values())
        for token, entry, t_start, t_end, lemma, roles in items:
            if roles is None and _governed_by_trigger(token, candidates):
                continue
            anchor = None
            if roles is not None:
                (a1_tok, a2_tok), factor = roles, 1.0
            elif token.pos_ == "VERB":
                a1_tok, a2_tok, factor = _verb_roles(token)
                if a1_tok is not None and a1_tok.i in candidates and a1_tok.pos_ in {"NOUN", "PROPN"}:
                    nominal_actor = _noun_roles(a1_tok, index)[0]  # "US attacks have killed …"
                    if nominal_actor is not None:
                        a1_tok = nominal_actor
            else:
                a1_tok, a2_tok, factor = _noun_roles(token, index)
                verb, relation = _support_verb(token)
                if verb is not None and relation == "obj" and verb.lemma_.lower() in SUPPORT_VERBS:
                    anchor = verb
            if a2_tok is None and token.pos_ == "VERB":
                xcomp = next((c for c in token.children if c.dep_ == "xcomp"), None)
                if xcomp is not None:  # "refused to return to diplomacy with the U.S." → the U.S.
                    a2_tok = _verb_roles(xcomp)[1]
            if a2_tok is None:
                a2_tok = _purpose_target(token, index)
            actor1 = _actor(a1_tok, index, text)
            actor2 = _actor(_target(a2_tok, index), index, text, strict=True)
            if actor2 is None or actor2.country is None:
                verb = token if anchor is None else anchor  # a nominal's support verb: "began a strike … to demand …"
                fallback = _fallback_target(verb, entry.event_type, index, text)
                if fallback is not None and not (actor1 is not None and actor1.entity_id and actor1.entity_id == fallback.entity_id):
                    actor2 = fallback  # but never the actor itself ("China has filed a complaint … China")
            if actor1 is None and actor2 is None and (token.pos_ == "VERB" or roles is not None):
                continue
            if sport and not (_state_actor(actor1) or _state_actor(actor2)):
                continue
            if actor1 is not None and actor2 is not None and actor1.start == actor2.start:
                actor2 = None
            if (
                entry.event_type == "CONSULT" and token.pos_ != "VERB" and actor2 is None and roles is None
                and not (a1_tok is not None and any(c.dep_ == "conj" for c in a1_tok.children))
            ):
                continue  # a meeting nominal with one party is an internal session, not an interaction
            if roles is not None and (actor1 is None or actor2 is None or (actor1.country, actor1.text) == (actor2.country, actor2.text)):
                continue
            mod, negated, claimed_by = trigger_modality(token)
            event_type, cameo_code = entry.event_type, entry.cameo_code
            if event_type == "PROTEST" and token.pos_ == "VERB" and any(c.dep_ == "ccomp" for c in token.children):
                if lemma != "protest":
                    continue  # "demonstrate that …" is "show", not a demonstration
                event_type, cameo_code = "ACCUSE", "114"  # "…, a rights group protested": a complaint, not a demonstration
            if _refusal(token, anchor, negated) and types[event_type].quad_class in {1, 2}:
                event_type, cameo_code = "REJECT", types["REJECT"].cameo_root + "0"  # "would not meet demands"
                factor *= 0.9
            elif _intent(token, anchor, mod, negated) and _own_claim(claimed_by, actor1, sent_mentions, actor2):
                intended = _intent_type(event_type, types, mod)
                if intended is not None:
                    event_type, cameo_code = intended, types[intended].cameo_root + "0"
                    factor *= 0.9
            if sent_dates is None:
                sent_dates = _sentence_dates(sent)
            when = _event_date(sent_dates, token, anchor, published, _tense(token, mod))
            exclude = {a.entity_id for a in (actor1, actor2) if a is not None and a.entity_id}
            place = _location(token, anchor, index, exclude)
            evidence = _nationality_evidence(sent, sent_mentions)
            actor1, actor2, factor = _domestic_roles(actor1, actor2, event_type, place, evidence, index, factor, home)
            if actor1 is None:  # "was arrested", "the investigation": an implied doer, coded where it acts
                country = _context_country(place, evidence, None, index) or home
                if country is not None:
                    actor1, factor = Actor(None, None, country), factor * 0.75
            etype = types[event_type]
            factor *= _clause_factor(token, anchor)
            confidence = entry.confidence * factor * (1.0 if actor1 else 0.75) * (1.0 if actor2 else 0.85)
            events.append(
                Event(
                    event_id=stable_id("event", article_id, t_start, event_type),
                    article_id=article_id,
                    sent_idx=sent_idx,
                    start_char=sent.start_char,
                    end_char=sent.end_char,
                    trigger=text[t_start:t_end],
                    trigger_lemma=lemma,
                    event_type=event_type,
                    cameo_code=cameo_code,
                    quad_class=etype.quad_class,
                    intensity=etype.intensity,
                    **_actor_columns("actor1", actor1),
                    **_actor_columns("actor2", actor2),
                    location_text=place.text if place else None,
                    location_country=place.country_code if place else None,
                    event_date=when.value,
                    date_precision=when.precision,
                    date_text=when.text or None,
                    modality=mod,
                    negated=negated,
                    claimed_by=claimed_by,
                    confidence=round(min(max(confidence, 0.0), 1.0), 3),
                    trigger_start=t_start,
                    trigger_end=t_end,
                    location_entity_id=place.entity_id if place else None,
                    is_historical=_historical(when, token, published),
                )
            )
    return events
