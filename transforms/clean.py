"""Article cleaning: from scraped HTML or browser-like text dumps to a clean body plus metadata.

Two inputs reach the pipeline: raw HTML pages (extracted with trafilatura) and plain-text dumps
that a scraper saved from a browser, which still contain navigation, photo captions glued to their
credits, share widgets and footers. Both go through the same line-level boilerplate rules, which
live as data in ``boilerplate.yaml`` (shape-based, never site-specific) so they can be audited.

Pure functions: str in, values out. The only read is the rules file shipped inside this package,
loaded once and cached.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

import ftfy
import yaml

from transforms.dump_layout import LineShape, card_runs, teaser_run_start

__all__ = [
    "CleanArticle",
    "Removed",
    "Rules",
    "clean_html",
    "clean_text_dump",
    "detect_language",
    "explain_line",
    "load_rules",
    "normalize_text",
    "rules_from_yaml",
]


@dataclass(frozen=True)
class Removed:
    """One line taken out of the text, with the rule family that took it (kept for auditing)."""

    kind: str
    text: str


@dataclass(frozen=True)
class CleanArticle:
    """Clean body (paragraphs joined by a blank line, no title line) plus recovered metadata."""

    text: str
    title: str | None
    byline: str | None
    published_at: str | None
    language: str | None
    site_name: str | None
    removed: tuple[Removed, ...]


# --------------------------------------------------------------------------------------------
# normalisation
# --------------------------------------------------------------------------------------------

# fix_character_width is off: full-width punctuation (：？，) is the correct form in CJK text.
_FTFY = ftfy.TextFixerConfig(
    uncurl_quotes=False, unescape_html=False, fix_character_width=False, explain=False
)
# Invisible format characters that only get in the way of matching (soft hyphen, zero-width
# space/joiners used as "word joiner", BOM). ZWJ/ZWNJ are kept: they matter in Persian, Indic
# scripts and emoji.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff\u180e"), None)
_H_SPACE = re.compile(r"[^\S\n]+")
_MANY_BREAKS = re.compile(r"\n{3,}")


_NOT_PLAIN_ASCII = re.compile(r"[^\x20-\x7e\n\t]")
"""Only these characters can be controls: the common case (printable ASCII) is never looked up."""


def _control_char(match: re.Match[str]) -> str:
    """Drop control, surrogate, private-use and unassigned characters; separators become line breaks."""
    ch = match.group()
    if unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn"):
        return ch
    return "\n" if ch in "\x0b\x0c\x1c\x1d\x1e\x85" else ""


def _normalize_once(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = ftfy.fix_text(text, _FTFY)
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_INVISIBLE)
    text = _NOT_PLAIN_ASCII.sub(_control_char, text)
    text = "\n".join(_H_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    text = _MANY_BREAKS.sub("\n\n", text)
    return text.strip("\n")


def normalize_text(text: str) -> str:
    """Repair mojibake (ftfy; curly quotes kept), NFC, drop control/invisible characters,
    collapse horizontal whitespace, unify line ends and keep paragraph breaks as exactly ``\\n\\n``.

    Idempotent: ftfy can occasionally expose a new fixable sequence after whitespace collapsing, so
    the fix is repeated until it reaches a fixed point.
    """
    if not text:
        return ""
    out = _normalize_once(text)
    if out.isascii():
        # Nothing left for another pass to change: every step that could expose a new fix (ftfy,
        # NFC) acts only on non-ASCII characters, and the control characters are gone.
        return out
    for _ in range(4):
        again = _normalize_once(out)
        if again == out:
            break
        out = again
    return out


# --------------------------------------------------------------------------------------------
# rules
# --------------------------------------------------------------------------------------------


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
    source = resources.files(__package__ or "transforms").joinpath("boilerplate.yaml").read_text("utf-8")
    return rules_from_yaml(source)


# --------------------------------------------------------------------------------------------
# line classification
# --------------------------------------------------------------------------------------------

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


def _line_score(line: str, hit: bool, repeated: bool, z: dict[str, int]) -> float:
    """Evidence that a line belongs to the article body (>0) or to page chrome (<0)."""
    n = _words(line)
    if repeated:
        return -z.get("score_repeated", 3)
    if hit:
        return -z.get("score_rule_hit", 1)
    if _body_like(line, z):
        return float(n)
    if _ends_sentence(line):
        return z.get("score_short_sentence", 0)
    if n <= z.get("link_run_max_words", 12):
        return -z.get("score_short_line", 3)
    return -z.get("score_medium_line", 1)


def _max_run(w: list[float], b0: int, b1: int) -> tuple[float, int, int]:
    """Maximum-sum contiguous run of ``w[b0:b1]`` (Kadane) as ``(sum, start, end)``."""
    best, span = float("-inf"), (b0, b1)
    cur, cur_start = 0.0, b0
    for k in range(b0, b1):
        if cur <= 0:
            cur, cur_start = w[k], k
        else:
            cur += w[k]
        if cur > best:
            best, span = cur, (cur_start, k + 1)
    return best, span[0], span[1]


def _main_region(lines: list[str], kinds: list[str | None], edge_kinds: list[str | None],
                 z: dict[str, int]) -> tuple[int, int]:
    """``(start, end)`` of the article body (end exclusive).

    Lines are scored (:func:`_line_score`) with teaser-card summaries discounted
    (:func:`_discount_teasers`), so a long box of teasers does not beat a short article. When
    that leaves less than ``teaser_body_min_words`` of prose, the cards are the article (a list
    or a live blog) and the plain scores decide.
    """
    n = len(lines)
    w = [
        _line_score(line, bool(kinds[i] or edge_kinds[i]) and kinds[i] != "repeated",
                    kinds[i] == "repeated", z)
        for i, line in enumerate(lines)
    ]
    wd = list(w)
    _discount_teasers(_line_shape(lines, [not (kinds[i] or edge_kinds[i]) for i in range(n)], z), wd, z)
    score, start, end = _best_region(wd, z)
    if score < z.get("teaser_body_min_words", 0) and wd != w:
        score, start, end = _best_region(w, z)
    return start, end


def _best_region(w: list[float], z: dict[str, int]) -> tuple[float, int, int]:
    """Best body region for line scores ``w`` as ``(score, start, end)``.

    A run of ``gap_lines`` or more non-positive lines (menus, tag lists, "Read more" boxes)
    separates blocks. Each block is trimmed to its maximum-sum contiguous run (Kadane), the best
    block is the body, and neighbours with a good share of its score join it.
    """
    n = len(w)
    gap = z.get("gap_lines", 0) or n + 1
    blocks: list[tuple[int, int]] = []
    i = 0
    start = 0
    while i < n:
        if w[i] <= 0:
            j = i
            while j < n and w[j] <= 0:
                j += 1
            if j - i >= gap:
                if i > start:
                    blocks.append((start, i))
                start = j
            i = j
        else:
            i += 1
    if start < n:
        blocks.append((start, n))
    if not blocks:
        return 0.0, 0, n
    spans = [_max_run(w, b0, b1) for b0, b1 in blocks]
    main = max(range(len(spans)), key=lambda k: spans[k][0])
    # neighbouring blocks that carry a good share of the main block's prose are the same
    # article interrupted by a long widget (gallery, "most popular" box, product specs)
    ratio = z.get("merge_ratio_pct", 0) / 100
    max_gap = z.get("merge_max_gap", 0)
    lo = hi = main
    while lo > 0 and ratio and spans[lo - 1][0] >= ratio * spans[main][0] \
            and spans[lo][1] - spans[lo - 1][2] <= max_gap:
        lo -= 1
    while hi < len(spans) - 1 and ratio and spans[hi + 1][0] >= ratio * spans[main][0] \
            and spans[hi + 1][1] - spans[hi][2] <= max_gap:
        hi += 1
    return spans[main][0], spans[lo][1], spans[hi][2]


_ONE_QUESTION = re.compile(r"[^.!?。！？]+[?!？！][\"'”’»]?")


def _is_question_headline(line: str) -> bool:
    """Short single question/exclamation ("What If Air Conditioning Could ...?"): a headline."""
    return _words(line) <= 16 and bool(_ONE_QUESTION.fullmatch(line))


def _is_prose(line: str, z: dict[str, int]) -> bool:
    """Paragraph text for the teaser-card rules (a short question headline is not)."""
    return _body_like(line, z) and not _is_question_headline(line)


def _is_heading(line: str, z: dict[str, int]) -> bool:
    """A line that could be a teaser headline: not prose, at least two words."""
    return not _is_prose(line, z) and _words(line) >= 2


def _line_shape(lines: list[str], kept: list[bool], z: dict[str, int]) -> LineShape:
    """Per-line flags for :mod:`transforms.dump_layout` (which knows no wording rules)."""
    return LineShape(
        kept=kept,
        prose=[_is_prose(line, z) for line in lines],
        heading=[_is_heading(line, z) for line in lines],
        words=[_words(line) for line in lines],
    )


def _discount_teasers(shape: LineShape, w: list[float], z: dict[str, int]) -> None:
    """Scale down the scores of teaser-card summaries (in place) before the body is chosen.

    Why: a long "more from our sites" or "most read" box has more prose than a short article
    and would otherwise be picked as the body (:mod:`transforms.dump_layout`).
    """
    need = z.get("teaser_discount_min_cards", 0)
    if not need:
        return
    pct = z.get("teaser_score_pct", 100) / 100
    runs = card_runs(shape, 0, len(w), blurb_max=z.get("teaser_blurb_max_words", 0),
                     max_lines=z.get("teaser_card_max_lines", 8))
    for run in runs:
        if len(run.blurbs) >= need:
            for i in run.blurbs:
                w[i] *= pct


def _comments_start(lines: list[str], kinds: list[str | None], lo: int, hi: int,
                    z: dict[str, int]) -> int | None:
    """First comment-widget line ("24 Comments", "Leave a comment") inside the body region that
    has at least ``comments_body_min_words`` of kept prose above it, or None.

    Why: reader comments under an article are long prose and join the body region; a comment
    count near the byline has little or no prose above it and is left alone.
    """
    need = z.get("comments_body_min_words", 0)
    if not need:
        return None
    body = 0
    for i in range(lo, hi):
        if kinds[i] == "comments" and body >= need:
            return i
        if kinds[i] is None and _body_like(lines[i], z):
            body += _words(lines[i])
    return None


@dataclass
class _Classified:
    lines: list[str]
    kinds: list[str | None]
    title: str | None


def _classify(lines: list[str], rules: Rules, title: str | None, *, zones: bool, guess_title: bool) -> _Classified:
    """Assign a removal kind (or None = keep) to every line.

    Pass 1 applies rules; lines repeated in the dump are chrome. With ``zones`` the body is the
    densest region of prose (:func:`_main_region`); ``edge`` rules only count outside it. Above
    it every line is chrome except the title; below it everything is footer. Inside it, only
    runs of several short non-sentence lines (link lists) are removed: lone short lines mid-body
    are subheadings and stay.
    """
    z = rules.zones
    n = len(lines)
    kinds: list[str | None] = [None] * n
    edge_kinds: list[str | None] = [None] * n
    prev: str | None = None
    for i, line in enumerate(lines):
        hit = _match_rule(line, rules, prev)
        if hit:
            kind, where, _name = hit
            if where == "any":
                kinds[i] = kind
            else:
                edge_kinds[i] = kind
        prev = kinds[i] or edge_kinds[i]

    # repeated short chrome ("Share", "Advertisement", section labels) anywhere
    counts: dict[str, int] = {}
    for line in lines:
        if (_words(line) <= z.get("repeated_max_words", 6) or z.get("repeat_any", 0)) \
                and (not _ends_sentence(line) or _words(line) <= z.get("repeat_sentence_max_words", 0)):
            counts[_fold(line)] = counts.get(_fold(line), 0) + 1
    for i, line in enumerate(lines):
        if kinds[i] is None and counts.get(_fold(line), 0) >= 2 and _fold(line):
            kinds[i] = "repeated"

    found_title: str | None = None
    if not zones or not any(_body_like(l, z) for l in lines):
        # Without any body-like line we cannot tell chrome from content: rules only.
        return _Classified(lines, kinds, None)

    # The article body is the densest contiguous run of prose: every line gets a score (long
    # sentence-like lines positive, short non-sentence lines and rule hits negative) and the
    # maximum-sum contiguous region is the body (Kadane). Everything above it is the head zone,
    # everything below it the tail zone.
    head_end, tail_start = _main_region(lines, kinds, edge_kinds, z)
    kept = [not (kinds[i] or edge_kinds[i]) for i in range(n)]  # before the zones take lines
    want = _fold(title) if title else None
    # a headline often occurs twice in a dump (page heading + share/breadcrumb text), so lines
    # only flagged as repeated stay candidates
    cands = [i for i in range(head_end) if kinds[i] in (None, "repeated") and not edge_kinds[i]
             and _is_title_candidate(lines[i], z)]
    pick = None
    if want is None and guess_title and cands:
        # the last headline-like line before the body: menus come first, title sits just above
        # byline/date/lead (benchmarks/cleaning.py: title EM 0.04 -> 0.19 on rendered dumps)
        pick = cands[-1]
    for i in range(head_end):
        if kinds[i] and i != pick:
            continue
        if edge_kinds[i]:
            kinds[i] = edge_kinds[i]
            continue
        line = lines[i]
        if want is not None and _fold(line) == want:
            kinds[i] = "title"
        elif i == pick:
            found_title = line
            kinds[i] = "title"
        else:
            # lines above the body: menus, section labels, teaser links and their blurbs
            kinds[i] = "navigation"
    for i in range(tail_start, n):
        if kinds[i]:
            continue
        kinds[i] = edge_kinds[i] or "footer"
    # inside the body, edge shapes that are not prose (a byline or dateline under the lead, a
    # credit under a photo) are chrome too (57 of 61 such kept lines in the dev dumps were)
    for i in range(head_end, tail_start):
        if kinds[i] is None and edge_kinds[i] and not _body_like(lines[i], z):
            kinds[i] = edge_kinds[i]
    # ... and so are edge-shaped paragraphs that close the body (author bio, agency sign-off)
    i = tail_start - 1
    while i > head_end and (kinds[i] or edge_kinds[i]):
        kinds[i] = kinds[i] or edge_kinds[i]
        i -= 1

    # a comments section opening after the story ends the body: readers' posts are prose too
    cut = _comments_start(lines, kinds, head_end, tail_start, z)
    if cut is not None:
        for k in range(cut, tail_start):
            kinds[k] = kinds[k] or "comments"
        tail_start = cut
    # teaser cards (headline + one-line blurb, repeated) that close the body region
    cut = teaser_run_start(
        _line_shape(lines, kept, z), head_end, tail_start,
        min_cards=z.get("teaser_min_cards", 0), blurb_max=z.get("teaser_blurb_max_words", 0),
        max_lines=z.get("teaser_card_max_lines", 8), body_min_words=z.get("teaser_body_min_words", 0),
    )
    if cut is not None:
        for k in range(cut, tail_start):
            kinds[k] = kinds[k] or "related"
        tail_start = cut
    # runs of short non-sentence lines inside the page are link lists (related stories, menus)
    run_min = z.get("link_run_min", 0)
    if run_min:
        i = head_end
        while i < tail_start:
            j = i
            while j < tail_start and kinds[j] is None and not _ends_sentence(lines[j]) \
                    and _words(lines[j]) <= z.get("link_run_max_words", 12):
                j += 1
            if j - i >= run_min:
                for k in range(i, j):
                    kinds[k] = "link_list"
            i = max(j, i + 1)
    return _Classified(lines, kinds, found_title)


# --------------------------------------------------------------------------------------------
# metadata from removed lines
# --------------------------------------------------------------------------------------------

_BYLINE_PREFIX = re.compile(r"^(?:by|von|par|por|di|av|door)\s+", re.IGNORECASE)
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "januar", "janvier", "enero"), ("feb", "februar", "février", "febrero"),
            ("mar", "märz", "mars", "marzo"), ("apr", "avril", "abril"), ("may", "mai", "mayo"),
            ("jun", "juni", "juin", "junio"), ("jul", "juli", "juillet", "julio"),
            ("aug", "août", "agosto"), ("sep", "sept", "septembre", "septiembre"),
            ("oct", "oktober", "octobre", "octubre"), ("nov", "novembre", "noviembre"),
            ("dec", "dezember", "décembre", "diciembre"),
        ],
        start=1,
    )
    for m in names
}
_ISO_DT = re.compile(r"\b(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)\b")
_MDY = re.compile(r"\b([A-Za-zéû]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_DMY = re.compile(r"\b(\d{1,2})\.?\s+([A-Za-zäéû]{3,9})\.?,?\s+(\d{4})\b")
_UPDATED = re.compile(r"\b(?:updated|modified|aktualisiert|mis à jour|actualizado)\b", re.IGNORECASE)


def _month(name: str) -> int | None:
    key = name.casefold()
    if key in _MONTHS:
        return _MONTHS[key]
    return _MONTHS.get(key[:3]) if key[:3] in _MONTHS and key[:3] not in {"mär", "mai"} else None


def _date_from_text(line: str) -> str | None:
    """ISO date (or datetime if given as ISO) from a timestamp line such as ``Published Dec. 28, 2023``."""
    m = _ISO_DT.search(line)
    if m:
        return m.group(1).replace(" ", "T", 1)
    for rx, order in ((_MDY, "mdy"), (_DMY, "dmy")):
        m = rx.search(line)
        if not m:
            continue
        if order == "mdy":
            mon, day, year = _month(m.group(1)), int(m.group(2)), int(m.group(3))
        else:
            day, mon, year = int(m.group(1)), _month(m.group(2)), int(m.group(3))
        if mon is None:
            continue
        try:
            return datetime(year, mon, day).date().isoformat()
        except ValueError:
            continue
    return None


def _byline_from(removed: Iterable[Removed]) -> str | None:
    for r in removed:
        if r.kind == "byline" and _BYLINE_PREFIX.match(r.text):
            return _BYLINE_PREFIX.sub("", r.text).strip(" ,;|") or None
    return None


def _published_from(removed: Iterable[Removed]) -> str | None:
    stamps = [r.text for r in removed if r.kind == "timestamp"]
    for text in sorted(stamps, key=lambda t: bool(_UPDATED.search(t))):
        iso = _date_from_text(text)
        if iso:
            return iso
    return None


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------

_MIN_LANG_CHARS = 20


_LANG_SAMPLE_CHARS = 1000
"""py3langid's cost grows with the text (it was 44 % of cleaning at 2,000 characters). On 4,762
cleaned texts (all 3,824 news_articles_dai2017 articles and 938 HTML pages of the corpora, 20+
languages) 500, 1,000 and 1,500 characters gave the same answer as 2,000 for every one. An article
whose opening 1,000 characters are in another language than the rest is labelled by its opening."""


def detect_language(text: str) -> str | None:
    """ISO 639-1 code from py3langid; None when the text is too short for a meaningful guess."""
    if not text or len(text.strip()) < _MIN_LANG_CHARS:
        return None
    text = text[:_LANG_SAMPLE_CHARS]  # the opening of an article decides its language
    enough = _MIN_LANG_CHARS // 2
    if len(list(itertools.islice(filter(str.isalpha, text), enough))) < enough:
        return None
    try:
        import py3langid

        lang, _score = py3langid.classify(text)
    except Exception:  # langid never should fail, but a language guess is not worth a crash
        return None
    return lang or None


def _split_lines(text: str) -> list[str]:
    return [line for line in normalize_text(text).split("\n") if line.strip()]


def _assemble(
    classified: _Classified,
) -> tuple[str, tuple[Removed, ...]]:
    kept = [l for l, k in zip(classified.lines, classified.kinds) if k is None]
    removed = tuple(Removed(k, l) for l, k in zip(classified.lines, classified.kinds) if k is not None)
    return "\n\n".join(kept), removed


def clean_text_dump(text: str, title: str | None = None) -> CleanArticle:
    """Clean a browser-like text dump (one block per line): drop navigation, gallery prompts,
    captions with photo credits, share/follow/newsletter widgets, ads and footers.

    Whole lines are removed, never rewritten, so the body stays intact; every removed line is
    returned in ``removed``. With ``title=None`` the last headline-like line (no final
    punctuation) above the first body paragraph is taken as the title and dropped from the body;
    when given, a line equal to it is dropped. A lead paragraph is never taken as the title.
    """
    if not isinstance(text, str) or not text.strip():
        return CleanArticle("", title, None, None, None, None, ())
    rules = load_rules()
    title_n = normalize_text(title) if title else None
    lines = _split_lines(text)
    if not is_web_dump(lines, rules):
        return _clean_plain_text(lines, title_n or None, rules)
    classified = _classify(lines, rules, title_n or None, zones=True, guess_title=True)
    body, removed = _assemble(classified)
    if not body:
        body, removed = _keep_prose_when_nothing_left(removed)
    return CleanArticle(
        text=body,
        title=title_n or classified.title,
        byline=_byline_from(removed),
        published_at=_published_from(removed),
        language=detect_language(body),
        site_name=None,
        removed=removed,
    )


def is_web_dump(lines: list[str], rules: Rules) -> bool:
    """True when some line is page UI that an article's own text never holds (`dump_evidence` in
    boilerplate.yaml: "Skip to main content", "Share this article", cookie prompts, photo credits).
    Wire stories and article bodies have none, but they do have what the dump heuristics would
    cut (results tables, short lines, datelines), so only a dump goes through those."""
    prev: str | None = None
    for line in lines:
        hit = _match_rule(line, rules, prev)
        if hit is not None and ((hit[0], hit[1]) in rules.dump_evidence or (hit[2], "rules") in rules.dump_evidence):
            return True
        prev = hit[0] if hit is not None else None
    return False


_FURNITURE = frozenset({"byline", "timestamp", "footer"})
"""What a clean article may carry above or below its story and a reader does not count as text."""


def _clean_plain_text(lines: list[str], title: str | None, rules: Rules) -> CleanArticle:
    """Text that is already an article (not a page dump) keeps every line between its first and
    last sentence: only furniture at its very start or end goes (a byline or timestamp above the
    story, a sign-off or copyright line below it), and a first line that is the title given, or
    a headline when none was given, moves to `title`."""
    kinds: list[str | None] = [None] * len(lines)
    prev: str | None = None
    hits = []
    for line in lines:
        hit = _match_rule(line, rules, prev)
        hits.append(hit[0] if hit else None)
        prev = hits[-1]
    start, end = 0, len(lines)
    while start < end - 1 and hits[start] in _FURNITURE:
        kinds[start] = hits[start]
        start += 1
    while end - 1 > start and hits[end - 1] in _FURNITURE:
        kinds[end - 1] = hits[end - 1]
        end -= 1
    if end - start > 1 and ((title and _fold(lines[start]) == _fold(title))
                            or (title is None and _is_title_candidate(lines[start], rules.zones))):
        title = title or lines[start]
        kinds[start] = "title"
    body, removed = _assemble(_Classified(lines, kinds, title))
    return CleanArticle(text=body, title=title, byline=_byline_from(removed), published_at=_published_from(removed),
                        language=detect_language(body), site_name=None, removed=removed)


def _keep_prose_when_nothing_left(removed: tuple[Removed, ...]) -> tuple[str, tuple[Removed, ...]]:
    """An article is never cleaned to nothing while it has prose: if every line was removed,
    lines of 20+ words are put back (a one-paragraph item that ends in a credit-like tag is
    still the article, not a photo caption)."""
    prose = [r for r in removed if r.kind != "title" and _words(r.text) >= 20]
    if not prose:
        return "", removed
    kept = {id(r) for r in prose}
    return "\n\n".join(r.text for r in prose), tuple(r for r in removed if id(r) not in kept)


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

_EMPTY = CleanArticle("", None, None, None, None, None, ())
_DATE_META = (
    "article:published_time", "og:article:published_time", "datePublished", "date",
    "pubdate", "publishdate", "publish-date", "dc.date", "dc.date.issued", "dcterms.created",
    "sailthru.date", "parsely-pub-date", "article.published",
)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_WHOLE_DOCUMENT = re.compile(r"<!doctype|<(?:html|head|body)[\s>]", re.IGNORECASE)


def _parse_tree(html: str) -> Any | None:
    try:
        from lxml import html as lxml_html

        return lxml_html.fromstring(_XML_DECL.sub("", html, count=1))
    except Exception:
        return None


def _meta(tree: Any, *names: str) -> str | None:
    wanted = {n.lower() for n in names}
    try:
        for el in tree.iter("meta"):
            key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
            if key in wanted:
                value = (el.get("content") or "").strip()
                if value:
                    return value
    except Exception:
        return None
    return None


def _iso_or_none(value: str | None) -> str | None:
    """Keep a date string only if it parses as ISO 8601 (returned as found)."""
    if not value:
        return None
    value = value.strip()
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value


def _html_title(tree: Any) -> str | None:
    title = _meta(tree, "og:title", "twitter:title")
    if not title:
        try:
            el = tree.find(".//title")
            title = el.text_content() if el is not None else None
        except Exception:
            title = None
    title = normalize_text(title or "").replace("\n", " ").strip()
    return title or None


_TITLE_SEP = re.compile(r"\s+[|–—»·:-]\s+|\s*[|｜ㅣ_]\s*|(?<=[\u3000-\u9fff\uac00-\ud7af])\s*[-–—]\s*")


def _site_key(value: str | None) -> str:
    return re.sub(r"[\W_]+", "", (value or "").casefold())


def _page_headings(tree: Any) -> list[str]:
    try:
        return [normalize_text(h.text_content()).replace("\n", " ") for h in tree.iter("h1")][:5]
    except Exception:
        return []


def _tidy_title(title: str, site: str | None, url: str | None, headings: list[str]) -> str:
    """Drop the site-name part of ``"Headline | Site"`` / ``"Site - Headline"`` style titles.

    A segment is dropped only with evidence: it matches the site name or the URL host, or the
    rest of the title is exactly the page's own <h1>.
    """
    for h in headings:
        if h and h != title and len(h) >= 0.4 * len(title) and _fold(h) and _fold(h) in _fold(title):
            parts = [p for p in _TITLE_SEP.split(title) if p.strip()]
            if any(_fold(p) == _fold(h) for p in parts) or _fold(title).startswith(_fold(h)):
                return h
    keys = {k for k in (_site_key(site),) if len(k) >= 3}
    if url:
        host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.casefold()).split("/")[0]
        keys |= {_site_key(p) for p in host.split(".")[:-1] if len(p) >= 3}
    if not keys:
        return title
    parts = [m for m in _TITLE_SEP.split(title)]
    seps = _TITLE_SEP.findall(title)
    if not seps:
        return title

    def site_like(seg: str) -> bool:
        k = _site_key(seg)
        return bool(k) and any(k == key or key in k or (k in key and len(k) >= 4) for key in keys)

    # strip trailing then leading site segments, never leaving less than one segment
    while len(parts) > 1 and site_like(parts[-1]):
        parts.pop()
        seps.pop()
    while len(parts) > 1 and site_like(parts[0]):
        parts.pop(0)
        seps.pop(0)
    out = parts[0]
    for sep, part in zip(seps, parts[1:]):
        out += sep + part
    return out.strip() or title


def _html_date(html: str, tree: Any) -> str | None:
    found = _iso_or_none(_meta(tree, *_DATE_META)) if tree is not None else None
    if found:
        return found
    try:
        from htmldate import find_date

        # bytes, never the string: htmldate downloads any str that looks like a URL (an SSRF)
        return find_date(html.encode("utf-8"), extensive_search=False) or None
    except Exception:
        return None


def _trafilatura(html: str, url: str | None) -> Any | None:
    import trafilatura

    return trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        favor_precision=False,
        favor_recall=False,
        deduplicate=False,
    )


def _attr(doc: Any, name: str) -> str | None:
    value = doc.get(name) if isinstance(doc, dict) else getattr(doc, name, None)
    if isinstance(value, str):
        value = value.strip()
    return value or None


def clean_html(html: str, url: str | None = None) -> CleanArticle:
    """Extract the article body and metadata from an HTML page.

    trafilatura does the heavy lifting (main-content detection, title, author, date, site
    name); the page's own ``article:published_time``/``<title>``/og tags and htmldate fill gaps.
    The extracted lines then go through the same boilerplate rules as text dumps (captions,
    credits, "Advertisement", share widgets) that trafilatura lets through. Never raises: an
    unextractable page gives ``text == ""`` so the caller can quarantine it.
    """
    if not isinstance(html, str) or not html.strip():
        return _EMPTY
    html = html.replace("\x00", "")
    if not _WHOLE_DOCUMENT.search(html[:4096]):
        # a fragment (a feed item's content:encoded, a JSONL `html` of one <p>): trafilatura takes a
        # lone block for "not HTML" and extracts nothing, so give it the document around it
        html = f"<html><body>{html}</body></html>"
    tree = _parse_tree(html)
    try:
        doc = _trafilatura(html, url)
    except Exception:
        doc = None

    raw_text = _attr(doc, "text") if doc is not None else None
    title = _attr(doc, "title") if doc is not None else None
    author = _attr(doc, "author") if doc is not None else None
    site = _attr(doc, "sitename") if doc is not None else None
    date = _attr(doc, "date") if doc is not None else None

    if tree is not None:
        title = title or _html_title(tree)
        site = site or _meta(tree, "og:site_name", "application-name")
        page_date = _iso_or_none(_meta(tree, *_DATE_META))
        # Prefer the page's full timestamp when it agrees with trafilatura's day.
        if page_date and (date is None or page_date.startswith(date)):
            date = page_date
    if date is None:
        date = _html_date(html, tree)
    title = normalize_text(title).replace("\n", " ") if title else None
    if title:
        try:
            title = _tidy_title(title, site, url, _page_headings(tree) if tree is not None else [])
        except Exception:
            pass

    if not raw_text:
        return CleanArticle("", title, author, date, None, site, ())

    try:
        rules = load_rules()
        lines = _split_lines(raw_text)
        classified = _classify(lines, rules, title, zones=False, guess_title=False)
        if lines and title and _fold(lines[0]) == _fold(title):
            classified.kinds[0] = "title"
        body, removed = _assemble(classified)
    except Exception:
        body, removed = normalize_text(raw_text), ()
    return CleanArticle(
        text=body,
        title=title or None,
        byline=author,
        published_at=date,
        language=detect_language(body),
        site_name=site,
        removed=removed,
    )
