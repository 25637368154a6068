"""Page-layout patterns in browser-like text dumps: runs of teaser cards.

Why a separate module: these rules look at the *shape* of a sequence of lines (which lines are
prose, which are headlines), not at any wording, so they work on per-line flags computed by
``transforms.clean`` and stay independent of its rule file. Pure functions, no I/O.

A teaser card ("More from ...", "Most popular", partner-site boxes) is a small group of headline
lines (kicker, headline, author, date) followed by exactly one short summary paragraph. A page
section of the article itself (subheading + several paragraphs) has more than one paragraph per
heading, which is what tells the two apart.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CardRun", "LineShape", "card_runs", "teaser_run_start"]


@dataclass(frozen=True)
class LineShape:
    """Per-line flags the card rules need (index-aligned with the page's lines)."""

    kept: list[bool]      # not already removed by a rule or as a repeated line
    prose: list[bool]     # paragraph text (sentence-like or long)
    heading: list[bool]   # short non-prose line of two or more words
    words: list[int]


@dataclass(frozen=True)
class CardRun:
    """Consecutive teaser cards: first line of the first card and each card's summary line."""

    start: int
    blurbs: tuple[int, ...]


def _groups(shape: LineShape, lo: int, hi: int) -> list[tuple[list[int], list[int]]]:
    """``(headline lines, prose lines)`` per headline group in ``[lo, hi)``; removed lines are
    transparent, so a kicker removed as a repeated label does not split a card."""
    groups: list[tuple[list[int], list[int]]] = []
    prev_prose = True
    for i in range(lo, hi):
        if not shape.kept[i]:
            continue
        if shape.prose[i]:
            if groups:
                groups[-1][1].append(i)
            prev_prose = True
        elif shape.heading[i]:
            if prev_prose:
                groups.append(([], []))
            groups[-1][0].append(i)
            prev_prose = False
    return groups


def card_runs(shape: LineShape, lo: int, hi: int, blurb_max: int, max_lines: int) -> list[CardRun]:
    """Runs of teaser cards in ``[lo, hi)``.

    A card holds exactly one prose line of at most ``blurb_max`` words, fewer than ``max_lines``
    lines below its first headline line. A long group of short lines (a menu) keeps only its
    last ``max_lines // 2`` lines as the headline and starts a new run.
    """
    runs: list[CardRun] = []
    cur: list[tuple[int, int]] = []  # (first line, summary line) per card of the open run

    def close() -> None:
        if cur:
            runs.append(CardRun(cur[0][0], tuple(b for _, b in cur)))
            cur.clear()

    keep_heads = max(1, max_lines // 2)
    for heads, prose in _groups(shape, lo, hi):
        long_group = len(heads) > keep_heads
        start = heads[-keep_heads] if long_group else heads[0]
        if len(prose) != 1 or shape.words[prose[0]] > blurb_max or prose[0] - start >= max_lines:
            close()
            continue
        if long_group:
            close()
        cur.append((start, prose[0]))
    close()
    return runs


def teaser_run_start(shape: LineShape, lo: int, hi: int, *, min_cards: int, blurb_max: int,
                     max_lines: int, body_min_words: int) -> int | None:
    """Start of a run of at least ``min_cards`` cards that closes the body region ``[lo, hi)``.

    The run may go on below the region (cards are counted down to the end of the page), but its
    part inside the region must come last, give or take one footer paragraph, and at least
    ``body_min_words`` of prose must stay above it: an article that is itself a list of short
    sections keeps its text.
    """
    if min_cards <= 0 or hi <= lo:
        return None
    runs = [r for r in card_runs(shape, lo, len(shape.kept), blurb_max, max_lines)
            if lo <= r.start < hi and len(r.blurbs) >= min_cards]
    if not runs:
        return None
    run = runs[-1]
    inside = [b for b in run.blurbs if b < hi]
    if not inside:
        return None
    trailing = sum(shape.kept[i] and shape.prose[i] for i in range(inside[-1] + 1, hi))
    if trailing > 1:
        return None
    body = sum(shape.words[i] for i in range(lo, run.start) if shape.kept[i] and shape.prose[i])
    return run.start if body >= body_min_words else None
