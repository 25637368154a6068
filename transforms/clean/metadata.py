"""Article metadata read from text: byline and publication date, and the body's language.

Byline and timestamp lines are taken out of a dump's body as chrome; reading them back gives
the byline and date that a page without structured metadata would otherwise lack. The language
is guessed from the opening of the clean body.
"""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from typing import Iterable

from transforms.clean.model import Removed


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


_MIN_LANG_CHARS = 20


_LANG_SAMPLE_CHARS = 1000
"""py3langid's cost grows with the text, and an article's opening names its language as well as
the whole does (benchmarks/RESULTS.md, defaults). An article whose opening 1,000 characters are in
another language than the rest is labelled by its opening."""


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
