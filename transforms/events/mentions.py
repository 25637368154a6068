"""Entity mentions looked up by character offset, and the agency dateline no actor may come from."""

from __future__ import annotations

import bisect
import re
from typing import Sequence

from transforms import gazetteer
from transforms.entities import Mention


_DATELINE = re.compile(
    r"""^\s*(?:
        \((?:[A-Z][\w.&]*\s?){1,3}\)\s*(?:[—–-]{1,2}\s*)?              # (CNN)   (AP) —
      | [A-Z][A-Z.'’\- ]{1,40}                                         # WASHINGTON, NEW YORK, KABUL
        (?:,\s*[A-Z][\w.'’\- ]{1,30}){0,2}                             # , Afghanistan   , February 7
        (?:\.?\s*/[A-Z][\w\- ]{1,15}/\.?)?                              # . /TASS/.
        \s*(?:\((?:[A-Z][\w.&]*\s?){1,3}\))?                             # (Reuters)
        \s*(?:[—–-]{1,2}|(?<=/\.)|(?<=/))\s*                              # — or - after it
    )""",
    re.VERBOSE,
)


_PLACE_DATELINE = re.compile(r"^\s*(?P<place>[A-Z][\w.'’]+(?: [A-Z][\w.'’]+){0,2})(?:, [A-Z][\w.'’ ]{1,30})? [—–-]{1,2} ")
"""A dateline in title case ("Geneva, Switzerland - "): only when its first words name a place."""


def dateline_end(text: str) -> int:
    """Where an agency dateline ("WASHINGTON (AP) —", "(CNN)", "MOSCOW, February 7. /TASS/.",
    "Geneva, Switzerland - ") that opens the text ends (0 when there is none): the place and agency
    that report the story are never its actors."""
    m = _DATELINE.match(text)
    if m:
        return m.end()
    m = _PLACE_DATELINE.match(text)
    return m.end() if m and gazetteer.lookup(m.group("place")) is not None else 0


class _MentionIndex:
    """Finds the mention covering a token, by character offset (bisect over sorted starts).
    Also knows where the text's dateline ends (`floor`): no actor starts before it."""

    def __init__(self, mentions: Sequence[Mention], floor: int = 0):
        self._spans = sorted(((m.start_char, m.end_char, m) for m in mentions), key=lambda x: x[0])
        self._starts = [s for s, _, _ in self._spans]
        self.floor = floor

    def at(self, token) -> Mention | None:
        i = bisect.bisect_right(self._starts, token.idx) - 1
        for k in (i, i - 1):  # mentions do not nest; one step back covers a rare overlap
            if k >= 0:
                start, end, m = self._spans[k]
                if start <= token.idx < end:
                    return m
        return None

    def within(self, start_char: int, end_char: int) -> list[Mention]:
        lo = bisect.bisect_left(self._starts, start_char)
        out = []
        for s, e, m in self._spans[lo:]:
            if s >= end_char:
                break
            if e <= end_char:
                out.append(m)
        return out

    def antecedent(self, token, labels: frozenset[str], window: int = 400) -> Mention | None:
        """The nearest earlier mention of the given labels within `window` characters.

        A deliberately small coreference rule for "its launch" / "his visit": news prose
        usually refers back to the actor named just before.
        """
        hi = bisect.bisect_left(self._starts, token.idx)
        for start, end, m in reversed(self._spans[:hi]):
            if token.idx - end > window:
                break
            if end <= token.idx and m.label in labels:
                return m
        return None
