"""Date words resolved against the publication date (seed article: Thursday 2023-12-28)."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from transforms.dates import ResolvedDate, find_date_expressions, resolve_date

PUB = dt.date(2023, 12, 28)  # the seed article, a Thursday


@pytest.mark.parametrize(
    ("text", "tense", "value", "precision"),
    [
        ("Thursday", "past", dt.date(2023, 12, 28), "day"),
        ("Wednesday’s", "past", dt.date(2023, 12, 27), "day"),
        ("Wednesday's", "past", dt.date(2023, 12, 27), "day"),
        ("Dec. 18", "past", dt.date(2023, 12, 18), "day"),
        ("Dec. 19", "past", dt.date(2023, 12, 19), "day"),
        ("Nov. 21", "past", dt.date(2023, 11, 21), "day"),
        ("Dec. 31", "future", dt.date(2023, 12, 31), "day"),
        ("in 2021", "past", dt.date(2021, 1, 1), "year"),
        ("in 2019", "past", dt.date(2019, 1, 1), "year"),
        ("next year", "future", dt.date(2024, 1, 1), "year"),
        ("last week", "past", dt.date(2023, 12, 1), "month"),  # Mon 18 – Sun 24 Dec: one month
        ("in April", "future", dt.date(2024, 4, 1), "month"),
        ("in November", "future", dt.date(2024, 11, 1), "month"),
        ("in November", "past", dt.date(2023, 11, 1), "month"),
        ("earlier this month", "past", dt.date(2023, 12, 1), "month"),
        ("December 18, 2023", "past", dt.date(2023, 12, 18), "day"),
        ("18 December", "past", dt.date(2023, 12, 18), "day"),
        ("2023-12-18", "future", dt.date(2023, 12, 18), "day"),
        ("yesterday", "past", dt.date(2023, 12, 27), "day"),
        ("tomorrow", "future", dt.date(2023, 12, 29), "day"),
        ("last Thursday", "past", dt.date(2023, 12, 21), "day"),
        ("Friday", "future", dt.date(2023, 12, 29), "day"),
        ("Friday", "past", dt.date(2023, 12, 22), "day"),
        ("three days ago", "past", dt.date(2023, 12, 25), "day"),
        ("December 2023", "past", dt.date(2023, 12, 1), "month"),
        ("last year", "past", dt.date(2022, 1, 1), "year"),
    ],
)
def test_seed_anchored_resolution(text, tense, value, precision):
    got = resolve_date(text, PUB, tense=tense)
    assert (got.value, got.precision) == (value, precision)
    assert got.text == text


def test_relations():
    assert resolve_date("Thursday", PUB).relation == "same"
    assert resolve_date("Wednesday’s", PUB).relation == "past"
    assert resolve_date("Dec. 31", PUB, "future").relation == "future"
    assert resolve_date("this month", PUB).relation == "same"
    assert resolve_date("earlier this month", PUB).relation == "past"
    assert resolve_date("in 2021", PUB).relation == "past"
    assert resolve_date("next year", PUB).relation == "future"


def test_year_rollover_both_ways():
    # A January story's "Dec. 18" in the past is last year's December.
    assert resolve_date("Dec. 18", dt.date(2024, 1, 3), "past").value == dt.date(2023, 12, 18)
    # A late-December story's "Jan. 5" in the future is next January.
    assert resolve_date("Jan. 5", PUB, "future").value == dt.date(2024, 1, 5)
    # A scheduled date days ahead is not pushed back a year just because the clause is asserted.
    assert resolve_date("Dec. 31", PUB, "past").value == dt.date(2023, 12, 31)


def test_week_spanning_two_months_has_no_value():
    # Published Wed 2024-01-03: last week = Mon 25 Dec – Sun 31 Dec (one month); this week spans Jan only;
    # published Tue 2023-10-03: this week = Mon 2 Oct .. fine; "last week" from 2023-10-03 = 25 Sep – 1 Oct.
    got = resolve_date("last week", dt.date(2023, 10, 3))
    assert got == ResolvedDate(None, "none", "last week", "unknown")
    assert resolve_date("last week", dt.date(2024, 1, 3)).value == dt.date(2023, 12, 1)


def test_no_published_date_never_invents():
    for text in ("Thursday", "Dec. 18", "last week", "yesterday", "in November", "next year"):
        got = resolve_date(text, None)
        assert (got.value, got.precision, got.relation) == (None, "none", "unknown"), text
    # Fully explicit dates need no anchor.
    assert resolve_date("in 2019", None) == ResolvedDate(dt.date(2019, 1, 1), "year", "in 2019", "unknown")
    assert resolve_date("Dec. 18, 2023", None).value == dt.date(2023, 12, 18)


def test_no_date_words_gives_none_not_published():
    for text in ("", "the meeting", "North Korea launched a missile", "the 2024 election"):
        got = resolve_date(text, PUB)
        assert got.value is None and got.precision == "none"


def test_invalid_dates_are_none():
    assert resolve_date("2023-02-30", PUB).precision == "none"
    assert resolve_date("Feb. 30", PUB).precision == "none"
    assert resolve_date("Feb. 29", dt.date(2024, 3, 10)).value == dt.date(2024, 2, 29)


def test_datetime_published_uses_its_own_calendar_day():
    stamp = dt.datetime(2023, 12, 28, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert resolve_date("Thursday", stamp).value == PUB


def test_find_in_seed_sentences():
    s = ("South Korea’s spy agency said Thursday there is a high possibility that North Korea will launch "
         "military provocations ahead of South Korean parliamentary elections in April and the U.S. "
         "presidential election in November.")
    assert [t for _, _, t in find_date_expressions(s)] == ["Thursday", "in April", "in November"]
    s2 = ("Since 2022, North Korea has performed a barrage of missile tests, including the Dec. 18 launch "
          "of the solid-fueled Hwasong-18 intercontinental ballistic missile.")
    assert [t for _, _, t in find_date_expressions(s2)] == ["Since 2022", "Dec. 18"]
    s3 = "During Wednesday’s second-day session, Kim set forth tasks; the plan was launched in 2021."
    assert [t for _, _, t in find_date_expressions(s3)] == ["Wednesday’s", "in 2021"]
    s4 = "Matthew Miller maintained last week that the U.S. harbours no hostile intent."
    found = find_date_expressions(s4)
    assert found == [(s4.index("last week"), s4.index("last week") + 9, "last week")]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The talks resumed on December 18, 2023 in Geneva.", ["December 18, 2023"]),
        ("Troops withdrew on 18 December 2023.", ["18 December 2023"]),
        ("The report (2023-12-18) said so.", ["2023-12-18"]),
        ("Leaders met yesterday and will meet again tomorrow.", ["yesterday", "tomorrow"]),
        ("Talks could resume next week or later this year.", ["next week", "later this year"]),
        ("It happened earlier this month, two weeks ago.", ["earlier this month", "two weeks ago"]),
        ("Officials may march on the capital.", []),
        ("The 2024 election and a 500-strong force.", []),
        ("Strikes began in mid-November and continued through Sept. 5.", ["in mid-November", "Sept. 5"]),
        ("The complaint was filed last fall; earlier in the day he appealed.", ["last fall", "earlier in the day"]),
    ],
)
def test_find_patterns(sentence, expected):
    found = find_date_expressions(sentence)
    assert [t for _, _, t in found] == expected
    for start, end, text in found:
        assert sentence[start:end] == text


def test_results_do_not_depend_on_process_timezone():
    cases = [("Thursday", "past"), ("Dec. 18", "past"), ("Dec. 31", "future"), ("last week", "past"),
             ("yesterday", "past"), ("next year", "future"), ("in November", "future")]
    original = os.environ.get("TZ")
    results = []
    try:
        for tz in ("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Seoul", "America/Los_Angeles"):
            os.environ["TZ"] = tz
            time.tzset()
            results.append([resolve_date(t, PUB, tense) for t, tense in cases])
    finally:
        if original is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = original
        time.tzset()
    assert all(r == results[0] for r in results)


dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31))


@settings(max_examples=150, deadline=None)
@given(published=dates, target=dates)
def test_month_day_without_year_lands_near_published(published, target):
    # "February 29" has no occurrence within a year of most dates, so no answer can satisfy the
    # bounds below; that leap-day ambiguity is not what this property is about.
    assume((target.month, target.day) != (2, 29))
    text = target.strftime("%B ") + str(target.day)
    past = resolve_date(text, published, "past")
    future = resolve_date(text, published, "future")
    for got in (past, future):
        assert got.precision == "day"
        assert (got.value.month, got.value.day) == (target.month, target.day)
        assert abs((got.value - published).days) <= 366
    assert past.value <= published + dt.timedelta(days=14)
    assert future.value >= published - dt.timedelta(days=14)


@settings(max_examples=100, deadline=None)
@given(published=dates, weekday=st.sampled_from(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]))
def test_weekdays_within_a_week(published, weekday):
    past = resolve_date(weekday, published, "past").value
    future = resolve_date(weekday, published, "future").value
    assert past.strftime("%A") == future.strftime("%A") == weekday
    assert 0 <= (published - past).days <= 6
    assert 0 <= (future - published).days <= 6


@settings(max_examples=60, deadline=None)
@given(published=dates, rel=st.sampled_from(["last", "this", "next"]), unit=st.sampled_from(["week", "weekend", "month", "year"]))
def test_periods_are_month_or_year_or_none(published, rel, unit):
    got = resolve_date(f"{rel} {unit}", published)
    if got.value is None:
        assert got.precision == "none" and unit in {"week", "weekend"}
    else:
        assert got.precision == ("year" if unit == "year" else "month")
        assert got.value.day == 1


@pytest.mark.parametrize(("published", "text", "year"), [
    (dt.date(2017, 2, 16), "last fall", 2016),  # the latest autumn, before the winter we are in
    (dt.date(2017, 12, 20), "last fall", 2017),  # autumn has just ended
    (dt.date(2017, 10, 1), "last fall", 2016),  # inside autumn: the one before
    (dt.date(2017, 2, 7), "this summer", 2017),  # said in February: the coming summer
    (dt.date(2017, 2, 7), "next spring", 2017),
    (dt.date(2017, 7, 10), "last summer", 2016),
])
def test_seasons_resolve_to_the_year_the_season_began(published, text, year):
    got = resolve_date(text, published)
    assert (got.value.year, got.precision) == (year, "year")


def test_earlier_in_the_day_is_the_publication_day():
    got = resolve_date("earlier in the day", dt.date(2017, 3, 17))
    assert (got.value, got.precision) == (dt.date(2017, 3, 17), "day")
