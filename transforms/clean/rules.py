"""The line-level boilerplate rules, and the line measures they share with the heuristics.

The rules are data in ``transforms/boilerplate.yaml`` (shape-based, never site-specific) so they
can be audited: this module compiles them, loads the shipped file once, and names the rule, if
any, that matches a line (credit shapes last). Word counts that also work for scripts written
without spaces, sentence ends, title shapes and case folding live here as well, because rule
matching, the text-dump heuristics and the HTML path all measure lines the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from transforms.clean.normalise import normalize_text


@dataclass(frozen=True)
class _LineRule:
    name: str
    kind: str
    where: str
    regex: re.Pattern[str]
    max_words: int | None
    follows: frozenset[str]


@dataclass(frozen=True)
class _CreditRule:
    name: str
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Rules:
    """Compiled form of ``boilerplate.yaml``."""

    line_rules: tuple[_LineRule, ...]
    credits: tuple[_CreditRule, ...]
    zones: dict[str, int]
    dump_evidence: frozenset[tuple[str, str]] = frozenset()  # (kind, where) or (rule name, "rules") that mark a dump


def _flags(spec: dict[str, Any]) -> int:
    return 0 if spec.get("case_sensitive") else re.IGNORECASE


def rules_from_yaml(source: str) -> Rules:
    """Compile rules from YAML text (separate from loading so tests can feed their own rules)."""
    data = yaml.safe_load(source) or {}
    line_rules = []
    for spec in data.get("line_rules", []):
        where = spec.get("where", "any")
        if where not in {"any", "edge"}:
            raise ValueError(f"rule {spec.get('name')}: where must be any|edge, not {where!r}")
        if not spec.get("reason"):
            raise ValueError(f"rule {spec.get('name')}: every rule needs a reason")
        line_rules.append(
            _LineRule(
                name=spec["name"],
                kind=spec["kind"],
                where=where,
                regex=re.compile(spec["pattern"], _flags(spec)),
                max_words=spec.get("max_words"),
                follows=frozenset(spec.get("follows", ())),
            )
        )
    credits = [
        _CreditRule(spec["name"], re.compile(f"(?:{spec['pattern']})\\s*$", _flags(spec)))
        for spec in data.get("credits", [])
    ]
    evidence = frozenset((kind, where) for where, kinds in (data.get("dump_evidence") or {}).items() for kind in kinds)
    unknown = {name for name, where in evidence if where == "rules"} - {r.name for r in line_rules}
    if unknown:
        raise ValueError(f"dump_evidence names unknown rules: {sorted(unknown)}")
    return Rules(tuple(line_rules), tuple(credits), dict(data.get("zones", {})), evidence)


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    """Rules shipped with the package (``transforms/boilerplate.yaml``), compiled once."""
    source = resources.files("transforms").joinpath("boilerplate.yaml").read_text("utf-8")
    return rules_from_yaml(source)


_TERMINAL = tuple('.!?…。！？」』"”’\'»)]:;')
_SENTENCE_END = tuple(".!?…。！？")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f\u1000-\u109f]")
_TITLE_BAD_END = tuple(".,;:…。，；：")


_WORDS_CACHED_CHARS = (200, 20_000)


def _words(line: str) -> int:
    """Word count that also works for scripts written without spaces (CJK, Thai, Burmese).

    The line rules, zones and title guess each ask for the same lines' counts (~19 times per
    article), so counts of paragraph-sized lines (200 to 20,000 characters: where counting costs)
    are kept in a small LRU: at most 128 lines, ~2.5M characters, whatever the corpus size."""
    low, high = _WORDS_CACHED_CHARS
    if not low <= len(line) <= high:
        return _count_words(line)
    return _cached_words(line)


def _count_words(line: str) -> int:
    words = len(line.split())
    return words if line.isascii() else words + len(_CJK.findall(line)) // 2  # ASCII: no CJK/Thai/Burmese


_cached_words = lru_cache(maxsize=128)(_count_words)


def _ends_sentence(line: str) -> bool:
    return line.rstrip().endswith(_TERMINAL)


_CREDIT_LEAD = " \t-–—|,;"


def _credit_kind(line: str, rules: Rules) -> tuple[str, str] | None:
    """``photo_credit`` if the line is only a credit, ``caption`` if a caption ends in a credit.

    A line longer than a caption can only be a credit that starts it (nothing but separators
    before the match), so there the rules are tried at those few starts instead of searched
    through the line: same answer, and a one-line article is not scanned six times.
    """
    if _words(line) > rules.zones.get("caption_max_words", 60):
        starts = range(len(line) - len(line.lstrip(_CREDIT_LEAD)) + 1)
        for rule in rules.credits:
            if any(rule.regex.match(line, q) for q in starts):
                return "photo_credit", rule.name
        return None
    for rule in rules.credits:
        m = rule.regex.search(line)
        if not m:
            continue
        prefix = line[: m.start()].strip(_CREDIT_LEAD)
        if not prefix:
            return "photo_credit", rule.name
        if _words(prefix) >= 3:
            return "caption", rule.name
    return None


def _line_rule(line: str, rules: Rules, prev_kind: str | None) -> _LineRule | None:
    """The first line rule (not a credit shape) that matches the whole line."""
    n = _words(line)
    for rule in rules.line_rules:
        if rule.max_words is not None and n > rule.max_words:
            continue
        if rule.follows and prev_kind not in rule.follows:
            continue
        if rule.regex.fullmatch(line):
            return rule
    return None


def _match_rule(line: str, rules: Rules, prev_kind: str | None) -> tuple[str, str, str] | None:
    """First matching rule as ``(kind, where, rule_name)``; credit shapes are tried last."""
    rule = _line_rule(line, rules, prev_kind)
    if rule is not None:
        return rule.kind, rule.where, rule.name
    hit = _credit_kind(line, rules)
    if hit:
        return hit[0], "any", hit[1]
    return None


def explain_line(line: str, previous_kind: str | None = None) -> str | None:
    """Name of the rule that would remove ``line`` (ignoring zones/repetition); for debugging."""
    hit = _match_rule(normalize_text(line), load_rules(), previous_kind)
    return hit[2] if hit else None


def _body_like(line: str, z: dict[str, int]) -> bool:
    n = _words(line)
    if n >= z.get("body_long_words", 30):
        return True
    return n >= z.get("body_min_words", 8) and line.rstrip().endswith(_SENTENCE_END + ('"', "”", "’", "»", ")"))


def _fold(s: str) -> str:
    return re.sub(r"\W+", " ", s.casefold()).strip()


def _is_title_candidate(line: str, z: dict[str, int]) -> bool:
    n = _words(line)
    return (
        z.get("title_min_words", 3) <= n <= z.get("title_max_words", 25)
        and not line.rstrip().endswith(_TITLE_BAD_END)
        and not line.rstrip().endswith(("?", "!", "？", "！"))
    )
