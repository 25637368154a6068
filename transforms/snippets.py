"""The part of an article that shows why it matched a search, with the matched words marked. Pure."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def snippet(text: str, terms: set[str], width: int = 240, mark: tuple[str, str] = ("[", "]")) -> str:
    """The `width`-character window of `text` holding the most distinct query words (ties: the
    earliest), cut at word boundaries, with each query word wrapped in `mark`."""
    if not text:
        return ""
    hits = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text) if m.group().lower() in terms]
    if not hits:
        start = 0
    else:
        best, start, j = -1, 0, 0
        for i, (s, _e, _t) in enumerate(hits):
            while hits[j][0] < s - width // 2:
                j += 1
            window = {t for a, _b, t in hits[j:] if a < s + width // 2}
            if len(window) > best:
                best, start = len(window), max(0, s - width // 3)
    end = min(len(text), start + width)
    if start > 0:
        start = text.find(" ", start) + 1 or start
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    part = text[start:end].replace("\n", " ")
    marked = _WORD.sub(lambda m: f"{mark[0]}{m.group()}{mark[1]}" if m.group().lower() in terms else m.group(), part)
    return ("…" if start > 0 else "") + marked + ("…" if end < len(text) else "")
