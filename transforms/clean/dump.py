"""Cleaning a browser-like text dump: every line gets a removal kind or is kept.

A dump still holds navigation, photo captions glued to their credits, share widgets and footers.
The rules mark lines, the body region (:mod:`transforms.clean.regions`) decides what lies above
and below the article, and text that is already an article (no page UI in it) only loses
furniture at its edges. Whole lines are removed, never rewritten. The line classification and
assembly here are also applied by :mod:`transforms.clean.html` to trafilatura's output.
"""

from __future__ import annotations

from dataclasses import dataclass

from transforms.clean.metadata import _byline_from, _published_from, detect_language
from transforms.clean.model import CleanArticle, Removed
from transforms.clean.normalise import normalize_text
from transforms.clean.regions import _comments_start, _line_shape, _main_region
from transforms.clean.rules import (
    Rules,
    _body_like,
    _ends_sentence,
    _fold,
    _is_title_candidate,
    _match_rule,
    _words,
    load_rules,
)
from transforms.dump_layout import teaser_run_start


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
        # byline/date/lead (benchmarks/RESULTS.md, cleaning)
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
