"""What cleaning returns: the clean article and each line taken out of it.

The types live apart from the cleaning code so the text-dump path, the HTML path and the
metadata helpers can all use them without importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass


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
