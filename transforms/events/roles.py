"""Which tokens fill an event's actor1 (doer) and actor2 (target) slots.

- Passive voice: "was attacked by X" → X is actor1, the passive subject actor2; a stative passive's
  subject is the agent ("X is opposed to …").
- Subjects are inherited through xcomp / conj / advcl / pcomp ("vowed to strike") (×0.95).
- A nominal takes its possessor, a nationality modifier or a "by" agent; as the object of a support
  verb it takes the verb's subject ("conducted tests") (×0.9); in a scene adjunct ("during a visit
  …") the clause's subject (×0.8).
- Targets when the object slot gives none: the subject of a demand's / accusation's / protest's
  that-clause, of a threat's if/unless clause, a named party behind another preposition or a
  purpose infinitive, the "of" object of a nominal whose agent is known ("its invasion of Lebanon").
"""

from __future__ import annotations

from transforms.events.actors import _actor
from transforms.events.grammar import (
    INHERIT_SUBJECT_DEPS,
    NOT_ACTOR_ENTS,
    OBJECT_DEPS,
    PASSIVE_SUBJECT_DEPS,
    SUBJECT_DEPS,
    _VERBAL,
    _prep_object,
    _phrase,
)
from transforms.events.mentions import _MentionIndex
from transforms.events.model import Actor
from transforms.events.words import SCENE_PREPS, STATIVE_PASSIVES, SUPPORT_VERBS, TARGET_PREPS


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
