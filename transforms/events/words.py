"""The extractor's English word lists, read once from `transforms/data/event_words.toml` (one table
per list, each with a comment saying what it is for) so they can be reviewed and extended without
touching the rules. Lists that extend a `transforms.modality` list are composed here."""

from __future__ import annotations

import tomllib
from importlib import resources

from transforms.modality import LIGHT_VERBS, REPORTING_VERBS


def _load() -> dict[str, frozenset[str]]:
    """Each table's `words` as a frozenset; importlib.resources so it works from a wheel too."""
    text = resources.files("transforms").joinpath("data", "event_words.toml").read_text(encoding="utf-8")
    return {name: frozenset(table["words"]) for name, table in tomllib.loads(text).items()}


_WORDS = _load()

TARGET_PREPS = _WORDS["target_preps"]
LOCATION_PREPS = _WORDS["location_preps"]
PRONOUNS = _WORDS["pronouns"]
PERSONAL_PRONOUNS = _WORDS["personal_pronouns"]
THING_PRONOUNS = _WORDS["thing_pronouns"]
NOT_ACTOR_LEMMAS = _WORDS["not_actor_lemmas"]
SUPPORT_VERBS = LIGHT_VERBS | _WORDS["support_verbs"]
"""Verbs whose object (or "in" complement) nominal is the subject's own act ("renewed negotiations",
"announced a suspension", "were engaged in ethnic cleansing")."""
STATIVE_PASSIVES = _WORDS["stative_passives"]
COLLECTIVE_HEADS = _WORDS["collective_heads"]
SCENE_PREPS = _WORDS["scene_preps"]
CLAIM_VERBS = REPORTING_VERBS | _WORDS["claim_verbs"]
INTENT_AUX = _WORDS["intent_aux"]
OBLIGATION_AUX = _WORDS["obligation_aux"]
HEDGE_GOVERNORS = _WORDS["hedge_governors"]
INTENT_GOVERNORS = _WORDS["intent_governors"]
CONDITIONAL_AUX = INTENT_AUX | _WORDS["conditional_aux"]
"""Under an if/unless condition any modal states the actor's own conditional act ("may halt … if")."""
ANALYST_CLAIMANTS = _WORDS["analyst_claimants"]
BACKGROUND_MARKS = _WORDS["background_marks"]
REPORT_NOUNS = _WORDS["report_nouns"]
HISTORICAL_MODIFIERS = _WORDS["historical_modifiers"]
TRIP_NOUNS = _WORDS["trip_nouns"]
PERSON_ROLES = _WORDS["person_roles"]
