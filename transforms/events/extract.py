"""`doc_events`: the loop that applies the rule modules to each sentence of a parsed article.

A verb needs a named actor; a missing actor1 costs ×0.75, a missing actor2 ×0.85. In a match
report (topic model sure it is sport) only actors that act for a state make an event.
"""

from __future__ import annotations

import datetime as dt
from typing import Sequence

from transforms import lexicon, topics
from transforms.entities import Mention
from transforms.events.actors import _actor
from transforms.events.clauses import (
    _clause_factor,
    _first_hand,
    _intent,
    _intent_type,
    _obligations,
    _own_claim,
    _presupposed,
    _refusal,
)
from transforms.events.countries import (
    _context_country,
    _domestic_roles,
    _location,
    _nationality_evidence,
    article_country,
)
from transforms.events.mentions import _MentionIndex, dateline_end
from transforms.events.model import Actor, Event, _actor_columns
from transforms.events.roles import (
    _fallback_target,
    _noun_roles,
    _purpose_target,
    _support_verb,
    _target,
    _verb_roles,
)
from transforms.events.timing import _event_date, _historical, _sentence_dates, _tense
from transforms.events.triggers import _Scan, _candidates, _governed_by_trigger
from transforms.events.words import SUPPORT_VERBS
from transforms.identity import stable_id
from transforms.modality import modality as trigger_modality

STATE_SECTORS = frozenset({"intelligence", "military", "police", "judiciary", "rebels", "opposition", "government"})
SPORT_CERTAINTY = 0.99
"""A match report is only a match report when the topic model is this sure (dai2017: at 0.99 the
articles it calls sport are sport, whatever their section)."""
UNKNOWN_ATTACKER_TYPES = frozenset({"ASSAULT"})
"""Acts whose unstated doer stays unknown ("a commander was shot dead", "shelling intensified"):
who shot or bombed is what the report does not know, so no country is implied for it (an arrest
or an investigation with no stated doer is the local authorities')."""
UNTARGETED_TYPES = frozenset({"COERCE", "REJECT", "MOBILIZE"})
"""Acts whose unstated target stays unknown rather than the article's country: an arrest, a ban or
a deportation acts on people, a denial answers a charge, a test or deployment has no target
(coders leave these without a target country far more often than not)."""


def _state_actor(actor: "Actor | None") -> bool:
    """An actor whose words say it acts for a state (a government, police, court, army, rebels or
    opposition): in a match report a country's name is its team, so a name alone does not count."""
    return actor is not None and actor.sector in STATE_SECTORS


def _interview_question(token, lemma: str) -> bool:
    """"Asked to respond, the spokesman said …", "did not answer when asked who …": a reporter's
    question to the speaker, not a party's request (a bare participle clause, no subject of its own)."""
    return lemma == "ask" and token.tag_ == "VBN" and token.dep_ == "advcl" and not any(
        c.dep_ in {"nsubj", "nsubjpass", "auxpass"} for c in token.children)


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
    rebuilds it token by token, a visible share of these rules' time.
    """
    if isinstance(published, dt.datetime):
        published = published.date()
    types = lexicon.load_event_types()
    if text is None:
        text = doc.text
    index = _MentionIndex(mentions, dateline_end(text))
    home = article_country(mentions)
    topic, certainty = topics.topic_of(text)
    sport = topic == "sport" and certainty >= SPORT_CERTAINTY  # "beat", "attack", "defeat" are plays
    events: list[Event] = []
    scan = _Scan.of(doc, lexicon.load_lexicon())
    for sent_idx, sent in enumerate(doc.sents):
        candidates = _candidates(sent, scan.within(scan.triggers, sent))
        obligations = _obligations(sent, candidates, scan.within(scan.clauses, sent))
        if not candidates and not obligations:
            continue
        sent_dates = sent_evidence = None  # computed once per sentence, when an event needs them
        sent_mentions = index.within(sent.start_char, sent.end_char)
        items = [v + (None,) for v in candidates.values()] + list(obligations.values())
        for token, entry, t_start, t_end, lemma, roles in items:
            if roles is None and (_governed_by_trigger(token, candidates) or _interview_question(token, lemma)):
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
            if mod == "claimed" and (_first_hand(claimed_by, actor1) or _presupposed(token)):
                mod = "asserted"
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
            if sent_evidence is None:
                sent_evidence = _nationality_evidence(sent, sent_mentions)
            evidence = sent_evidence
            actor1, actor2, factor = _domestic_roles(actor1, actor2, event_type, place, evidence, index, factor, home)
            if actor1 is None and event_type not in UNKNOWN_ATTACKER_TYPES:  # "was arrested": an implied doer, coded where it acts
                country = _context_country(place, evidence, None, index) or home
                if country is not None:
                    actor1, factor = Actor(None, None, country), factor * 0.75
            etype = types[event_type]
            factor *= _clause_factor(token, anchor)
            confidence = entry.confidence * factor * (1.0 if actor1 else 0.75) * (1.0 if actor2 else 0.85)
            if actor2 is None and home is not None and event_type not in UNTARGETED_TYPES:
                actor2 = Actor(None, None, home)  # "shelling intensified": aimed at the article's country
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
