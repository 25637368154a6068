"""Event date words ("Dec. 18", "Thursday", "last week", "in 2019") resolved against the publication date.

The publication date is the only anchor: relative words without one resolve to nothing, and a
text with no date words gives precision "none" — we never fall back to the publication date
silently. Nothing here reads the clock or the process time zone, so results are TZ-independent.

Choices (documented because they are judgement calls):
- Values are normalised to the start of their precision: month precision → day 1, year → Jan 1.
- A day or month without a year takes the year that puts it nearest the publication date in the
  tense's direction (past: on/before, future: on/after). Exception for month-day dates: if that
  lands more than 300 days away while the other direction is within 14 days, the near one wins —
  "Dec. 31" in a 2023-12-28 story is a scheduled date even in an asserted (past-tense) clause.
  Bare months ("in November") follow the tense strictly; the publication month itself is "same".
- Weeks run Monday–Sunday. A week/weekend/"past week" span gets month precision when it lies in
  one calendar month, else value None with precision "none" (there is no "week" precision).
- Bare years and bare months are only taken after a preposition or early/mid/late ("in 2019",
  "since 2022", "in November"), so "the 2024 election" is not an event date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable

PRECISIONS = ("day", "month", "year", "none")
RELATIONS = ("past", "future", "same", "unknown")


@dataclass(frozen=True)
class ResolvedDate:
    """A resolved date expression; `value` is None whenever it cannot be anchored."""

    value: dt.date | None
    precision: str
    text: str
    relation: str


_MONTHS: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}
_NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

# Month names are matched capitalised only, so the verbs "may" / "march" never match.
_MONTH = (
    r"(?P<month>Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|"
    r"Aug(?:ust|\.)?|Sep(?:tember|t\.|t|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)(?![A-Za-z])"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?!\d)"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)(?!\d)"
_PREP = r"(?:in|since|during|throughout|until|till|by|before|after|from|early|late|mid|earlier|later)"
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<m>\d{2})-(?P<day>\d{2})(?!\d)")),
    ("month_day", re.compile(_MONTH + r"\s+" + _DAY + r"(?:,?\s+" + _YEAR + r")?")),
    ("day_month", re.compile(r"(?<!\d)" + _DAY + r"\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+" + _YEAR + r")?")),
    ("month_year", re.compile(r"(?:(?i:early|mid|late)[- ])?" + _MONTH + r",?\s+(?:of\s+)?" + _YEAR)),
    ("month", re.compile(r"(?i:\b" + _PREP + r")(?:[- ](?i:early|mid|late))?[- ]" + _MONTH + r"(?!,?\s*\d)")),
    ("year", re.compile(r"(?i:\b" + _PREP + r")(?:[- ](?i:early|mid|late))?[- ]" + _YEAR)),
    ("day_word", re.compile(r"(?i:\b(?P<word>yesterday|today|tonight|tomorrow|last night|this (?:morning|afternoon|evening)"
                            r"|(?:earlier|later) (?:in the day|today)))\b")),
    ("season", re.compile(r"(?i:\b(?P<rel>last|this|next|past)\s+(?P<season>spring|summer|fall|autumn|winter))\b")),
    (
        "weekday",
        re.compile(r"(?:(?P<mod>(?i:last|next|this|past|coming))\s+)?" + _WEEKDAY + r"(?:['’]s)?(?![A-Za-z])"),
    ),
    (
        "period",
        re.compile(
            r"(?i:\b(?:(?P<dir>earlier|later)\s+)?(?:(?:in|during|over|within)\s+)?(?:the\s+)?"
            r"(?P<rel>last|this|next|past|previous|coming)\s+(?P<unit>weekend|week|month|year))\b"
        ),
    ),
    (
        "ago",
        re.compile(
            r"(?i:\b(?P<n>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+"
            r"(?P<unit>day|week|month|year)s?\s+ago)\b"
        ),
    ),
]


def find_date_expressions(sentence: str) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, text) spans of date words, left to right; longer matches win overlaps."""
    found: list[tuple[int, int, str]] = []
    for _, pattern in _PATTERNS:
        for m in pattern.finditer(sentence):
            found.append((m.start(), m.end(), m.group(0)))
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    chosen: list[tuple[int, int, str]] = []
    for start, stop, text in found:
        if all(stop <= s or start >= e for s, e, _ in chosen):
            chosen.append((start, stop, text))
    return sorted(chosen)


def _relation(start: dt.date, end: dt.date, published: dt.date | None) -> str:
    """Where the period [start, end] lies relative to the publication day."""
    if published is None:
        return "unknown"
    if end < published:
        return "past"
    if start > published:
        return "future"
    return "same"


def _month_end(d: dt.date) -> dt.date:
    nxt = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _month_shift(year: int, month: int, delta: int) -> tuple[int, int]:
    idx = year * 12 + (month - 1) + delta
    return idx // 12, idx % 12 + 1


def _day(value: dt.date, text: str, published: dt.date | None) -> ResolvedDate:
    return ResolvedDate(value, "day", text, _relation(value, value, published))


def _month(year: int, month: int, text: str, published: dt.date | None, relation: str | None = None) -> ResolvedDate:
    start = dt.date(year, month, 1)
    return ResolvedDate(start, "month", text, relation or _relation(start, _month_end(start), published))


def _year(year: int, text: str, published: dt.date | None, relation: str | None = None) -> ResolvedDate:
    start = dt.date(year, 1, 1)
    return ResolvedDate(start, "year", text, relation or _relation(start, dt.date(year, 12, 31), published))


def _none(text: str) -> ResolvedDate:
    return ResolvedDate(None, "none", text, "unknown")


def _span(start: dt.date, end: dt.date, text: str, published: dt.date | None, relation: str | None = None) -> ResolvedDate:
    """Month precision when a multi-day span lies in one calendar month, else nothing."""
    if (start.year, start.month) != (end.year, end.month):
        return _none(text)
    return ResolvedDate(dt.date(start.year, start.month, 1), "month", text, relation or _relation(start, end, published))


def _tense(tense: str) -> str:
    t = (tense or "").lower()
    return t if t in {"past", "future"} else "nearest"


def _pick(candidates: list[dt.date], published: dt.date, tense: str, near: int) -> dt.date:
    """Candidate nearest `published` in the tense direction, unless the other side is within `near` days."""
    before = [c for c in candidates if c <= published]
    after = [c for c in candidates if c >= published]
    back = max(before) if before else None
    fwd = min(after) if after else None
    if tense == "nearest" or back is None or fwd is None:
        options = [c for c in (back, fwd) if c is not None]
        return min(options, key=lambda c: abs((c - published).days))
    primary, other = (back, fwd) if tense == "past" else (fwd, back)
    if abs((primary - published).days) > 300 and abs((other - published).days) <= near:
        return other
    return primary


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month_number(token: str) -> int:
    return _MONTHS[token[:3].lower()]


def _resolve_match(kind: str, m: re.Match[str], text: str, published: dt.date | None, tense: str) -> ResolvedDate:
    g = m.groupdict()
    if kind == "iso":
        value = _safe_date(int(g["year"]), int(g["m"]), int(g["day"]))
        return _day(value, text, published) if value else _none(text)
    if kind in {"month_day", "day_month"}:
        month, day = _month_number(g["month"]), int(g["day"])
        if g.get("year"):
            value = _safe_date(int(g["year"]), month, day)
            return _day(value, text, published) if value else _none(text)
        if published is None:
            return _none(text)
        candidates = [d for y in range(published.year - 1, published.year + 2) if (d := _safe_date(y, month, day))]
        if not candidates:
            return _none(text)
        return _day(_pick(candidates, published, tense, near=14), text, published)
    if kind == "month_year":
        return _month(int(g["year"]), _month_number(g["month"]), text, published)
    if kind == "month":
        if published is None:
            return _none(text)
        month = _month_number(g["month"])
        candidates = [dt.date(y, month, 1) for y in range(published.year - 1, published.year + 2)]
        anchor = published.replace(day=1)
        chosen = _pick(candidates, anchor, tense, near=0)
        return _month(chosen.year, chosen.month, text, published)
    if kind == "year":
        return _year(int(g["year"]), text, published)
    if published is None:
        return _none(text)
    if kind == "day_word":
        word = g["word"].lower()
        offset = {"yesterday": -1, "last night": -1, "tomorrow": 1}.get(word, 0)
        return _day(published + dt.timedelta(days=offset), text, published)
    if kind == "season":
        return _resolve_season(g["rel"].lower(), g["season"].lower(), text, published)
    if kind == "weekday":
        return _resolve_weekday(_WEEKDAYS[g["weekday"].lower()], (g["mod"] or "").lower(), text, published, tense)
    if kind == "period":
        return _resolve_period(g["rel"].lower(), g["unit"].lower(), (g["dir"] or "").lower(), text, published)
    if kind == "ago":
        raw = g["n"].lower()
        n = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
        unit = g["unit"].lower()
        if unit == "day":
            return _day(published - dt.timedelta(days=n), text, published)
        if unit == "week":
            monday = published - dt.timedelta(days=published.weekday() + 7 * n)
            return _span(monday, monday + dt.timedelta(days=6), text, published, "past")
        if unit == "month":
            y, mo = _month_shift(published.year, published.month, -n)
            return _month(y, mo, text, published, "past")
        return _year(published.year - n, text, published, "past")
    return _none(text)


def _resolve_weekday(weekday: int, mod: str, text: str, published: dt.date, tense: str) -> ResolvedDate:
    """Past: latest such day on/before publication; future: next on/after; last/next exclude the day itself."""
    back = (published.weekday() - weekday) % 7
    fwd = (weekday - published.weekday()) % 7
    if mod in {"last", "past"}:
        value = published - dt.timedelta(days=back or 7)
    elif mod in {"next", "coming"}:
        value = published + dt.timedelta(days=fwd or 7)
    elif tense == "future":
        value = published + dt.timedelta(days=fwd)
    elif tense == "past":
        value = published - dt.timedelta(days=back)
    else:
        value = published - dt.timedelta(days=back) if back <= fwd else published + dt.timedelta(days=fwd)
    return _day(value, text, published)


_SEASON_START = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}


def _resolve_season(rel: str, season: str, text: str, published: dt.date) -> ResolvedDate:
    """"last fall", "this summer", "next spring" → the year that season began (northern seasons;
    a season is too coarse to claim a month). "this" outside the season is the nearer one."""
    start = _SEASON_START[season]
    year = published.year if published.month >= start else published.year - 1  # the latest that began
    ended = dt.date(year + (start + 3 > 12), (start + 2) % 12 + 1, 1)  # first day after its three months
    in_season = published < ended
    if rel in {"last", "past"}:
        year -= in_season
    elif rel == "next":
        year += 1
    elif not in_season and (dt.date(year + 1, start, 1) - published) < (published - ended):
        year += 1  # "this summer" said in February: the coming one
    relation = {"last": "past", "past": "past", "next": "future"}.get(rel)
    return _year(year, text, published, relation)


def _resolve_period(rel: str, unit: str, direction: str, text: str, published: dt.date) -> ResolvedDate:
    """last/this/next/past + week/weekend/month/year; "earlier"/"later" only set the relation."""
    shift = {"last": -1, "previous": -1, "past": -1, "this": 0, "next": 1, "coming": 1}[rel]
    relation = {"earlier": "past", "later": "future"}.get(direction)
    if unit == "year":
        if rel == "past":  # "the past year": the 12 months before publication
            return _span(published - dt.timedelta(days=365), published - dt.timedelta(days=1), text, published, "past")
        return _year(published.year + shift, text, published, relation)
    if unit == "month":
        if rel == "past":
            return _span(published - dt.timedelta(days=30), published - dt.timedelta(days=1), text, published, "past")
        y, mo = _month_shift(published.year, published.month, shift)
        return _month(y, mo, text, published, relation)
    if rel == "past" and unit == "week":
        return _span(published - dt.timedelta(days=7), published - dt.timedelta(days=1), text, published, "past")
    if rel == "coming" and unit == "week":
        return _span(published + dt.timedelta(days=1), published + dt.timedelta(days=7), text, published, "future")
    monday = published - dt.timedelta(days=published.weekday()) + dt.timedelta(days=7 * shift)
    if unit == "weekend":
        start, end = monday + dt.timedelta(days=5), monday + dt.timedelta(days=6)
    else:
        start, end = monday, monday + dt.timedelta(days=6)
    return _span(start, end, text, published, relation)


_FULL: list[tuple[str, Callable[[str], re.Match[str] | None]]] = [
    (kind, pattern.fullmatch) for kind, pattern in _PATTERNS
]


def resolve_date(text: str, published: dt.date | None, tense: str = "past") -> ResolvedDate:
    """Resolve one date expression (as found by find_date_expressions) against `published`.

    `tense` is "past" or "future" (anything else: nearest either way) and only breaks ties for
    expressions without a year / weekdays. Unresolvable or date-free text gives precision "none".
    """
    if isinstance(published, dt.datetime):  # a timestamp's own calendar date, never converted
        published = published.date()
    clean = (text or "").strip()
    if not clean:
        return _none(clean)
    direction = _tense(tense)
    for body in dict.fromkeys((clean, clean.rstrip(".,;:"))):
        for kind, full in _FULL:
            m = full(body)
            if m is not None:
                return _resolve_match(kind, m, clean, published, direction)
    spans = find_date_expressions(clean)
    if not spans:
        return _none(clean)
    start, end, _ = spans[0]
    for kind, pattern in _PATTERNS:
        m = pattern.fullmatch(clean[start:end])
        if m is not None:
            return _resolve_match(kind, m, clean, published, direction)
    return _none(clean)
