"""Where the article body sits in a text dump: per-line scores and the best-scoring region.

Each line is scored as evidence of body prose (>0) or page chrome (<0), teaser-card summaries
are discounted so a long "most read" box does not beat a short article, and the densest run of
prose is the body. Kept apart from the per-line kinds (:mod:`transforms.clean.dump`) because it
is arithmetic on scores, tuned only through the ``zones`` thresholds of the rules file.
"""

from __future__ import annotations

import re

from transforms.clean.rules import _body_like, _ends_sentence, _words
from transforms.dump_layout import LineShape, card_runs


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
