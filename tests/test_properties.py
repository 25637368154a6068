"""Property-based tests (hypothesis): identity and cleaning never raise, are idempotent, keep
accounts of what they remove, and mention offsets stay inside the text."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from transforms import clean
from transforms.clean import normalise as clean_normalise
from transforms.clean import rules as clean_rules
from transforms.identity import article_id, canonical_url, content_hash, domain_of, normalised_text

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_host = st.from_regex(r"[A-Za-z0-9-]{1,12}(\.[A-Za-z]{2,6}){1,2}\.?", fullmatch=True)
_urlish = st.builds(
    lambda scheme, host, port, path, query, frag: f"{scheme}://{host}{port}{path}{query}{frag}",
    st.sampled_from(["http", "https", "HTTP", "hTTps", "ftp", "javascript", ""]),
    _host,
    st.sampled_from(["", ":80", ":443", ":8080", ":99999", ":x", ":"]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=20).map(lambda s: "/" + s),
    st.lists(st.tuples(st.sampled_from(["utm_source", "id", "fbclid", "q", "UTM_Campaign", "a b", "é"]),
                       st.text(max_size=6)), max_size=4).map(
        lambda kv: ("?" + "&".join(f"{k}={v}" for k, v in kv)) if kv else ""),
    st.sampled_from(["", "#top", "#"]),
)
_any_url = st.one_of(st.none(), st.text(max_size=60), _urlish)


@FAST
@given(_any_url)
def test_canonical_url_never_raises_and_is_idempotent(url):
    canon = canonical_url(url)
    assert canon is None or isinstance(canon, str)
    if canon is not None:
        assert canonical_url(canon) == canon
        query = canon.split("?", 1)[1] if "?" in canon else ""
        assert "#" not in canon
        assert not any(p.lower().startswith("utm_") for p in query.split("&")), canon
        assert domain_of(canon) == domain_of(url)


@FAST
@given(_any_url, st.text(max_size=200))
def test_article_id_never_raises_is_deterministic_and_follows_the_canonical_url(url, text):
    aid = article_id(url, text)
    assert len(aid) == 16 and aid == article_id(url, text)
    canon = canonical_url(url)
    assume(canon is None or canon == canon.strip())
    if canon is not None:
        assert article_id(canon, "other text entirely") == aid  # same URL, same article
    else:
        assert article_id(None, "  " + text.upper() + "\n") == article_id(None, text) or \
            normalised_text(text.upper()) != normalised_text(text)
    assert len(content_hash(text)) == 64


def test_canonical_url_is_idempotent_with_trailing_space_before_query():
    canon = canonical_url("HTTP://example.com/a ?utm_source=x")
    assert canonical_url(canon) == canon


_messy = st.lists(
    st.one_of(
        st.characters(blacklist_categories=["Cs"]),
        st.sampled_from(list("\n\r\t \u00a0\u200b\ufeff\u00adÃ©â€™\x00\x0b\x0c")),
        st.sampled_from(["Advertisement", "Photo: Reuters", "By Jane Doe", "Share this article", "\n\n\n", "Ã©"]),
    ),
    max_size=200,
).map("".join)


@FAST
@given(_messy)
def test_normalize_text_never_raises_and_is_idempotent(text):
    once = clean.normalize_text(text)
    assert clean.normalize_text(once) == once
    assert "\r" not in once and "\n\n\n" not in once and "\ufeff" not in once


_lines = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(whitelist_categories=["Lu", "Ll", "Nd", "Zs", "Po"]), min_size=1, max_size=80),
        st.sampled_from(["Advertisement", "Photo: AFP/Getty Images", "By John Smith, Reuters", "Read more:",
                         "Officials in Kenya said the flood killed twelve people near Nairobi.",
                         "Copyright 2024 The Associated Press. All rights reserved.", "Share on Facebook"]),
    ),
    max_size=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_lines, st.one_of(st.none(), st.text(max_size=40)))
def test_clean_text_dump_never_raises_is_idempotent_and_accounts_for_every_line(lines, title):
    raw = "\n".join(lines)
    out = clean.clean_text_dump(raw, title=title)
    assert isinstance(out.text, str)
    # Every input line ends up kept, removed (with a kind), or taken as the title.
    kept = [ln for ln in out.text.split("\n") if ln.strip()]
    removed = [r.text for r in out.removed]
    source = [ln for ln in clean.normalize_text(raw).split("\n") if ln.strip()]
    accounted = Counter(kept) + Counter(removed)
    missing = Counter(source) - accounted
    titles = {clean.normalize_text(t) for t in (title, out.title) if t}
    assert all(line in titles for line in missing), (missing, out)
    assert not (accounted - Counter(source)), "cleaning invented lines"
    # Idempotent: cleaning the clean text again keeps it.
    again = clean.clean_text_dump(out.text, title=out.title)
    assert clean.normalize_text(again.text) == clean.normalize_text(out.text) or len(again.text) <= len(out.text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_clean_html_never_raises(fragment):
    out = clean.clean_html(f"<html><body><p>{fragment}</p><div><p>{fragment[::-1]}</p></div></body></html>")
    assert isinstance(out.text, str)


_WORDS = ["Kenya", "Nairobi", "officials", "said", "the", "flood", "killed", "twelve", "people", "near",
          "Russia", "sanctions", "Germany", "announced", "Kim", "Jong-un", "North", "Korea", "launched",
          "missile", "on", "Monday", ".", ",", "“", "”", "\n\n", "Emmanuel", "Macron", "met", "in", "Paris",
          "é", "🙂", "\u200b", "U.S.", "Reuters", "-", "(", ")"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(_WORDS), min_size=3, max_size=25), min_size=1, max_size=4))
def test_mention_and_event_offsets_stay_inside_the_text(nlp, sentences):
    from transforms.articles import build_articles
    from transforms.nlp import annotate

    text = " ".join(" ".join(s) + "." for s in sentences)
    built = build_articles([{"text": text, "source_key": "p", "language": "en"}], run_id="r", pipeline_version="t",
                           now=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    if built.articles.height == 0:
        return
    ann = annotate(nlp, built.articles, run_id="r", pipeline_version="t")
    clean_text = built.articles["text"][0]
    for m in ann.mentions.iter_rows(named=True):
        assert 0 <= m["start_char"] < m["end_char"] <= len(clean_text)
        assert clean_text[m["start_char"]:m["end_char"]] == m["text"]
    for e in ann.events.iter_rows(named=True):
        assert 0 <= e["start_char"] <= e["end_char"] <= len(clean_text)


def _normalize_every_pass(text: str) -> str:
    """normalize_text without its ASCII shortcut: passes until nothing changes."""
    out = clean_normalise._normalize_once(text)
    for _ in range(4):
        again = clean_normalise._normalize_once(out)
        if again == out:
            break
        out = again
    return out


_ascii_after_one_pass = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=40),
        st.sampled_from(["\x1b[31m", "\u200b", "\ufeff", "\u00ad", "\x00", "\x85", "\r\n", "\u00a0", "\t", "\x0c"]),
    ),
    max_size=30,
).map("".join)


@FAST
@given(st.one_of(_messy, _ascii_after_one_pass))
def test_normalize_text_ascii_shortcut_gives_what_every_pass_gives(text):
    assert clean.normalize_text(text) == _normalize_every_pass(text)


@FAST
@given(st.one_of(st.text(max_size=400),
                 st.lists(st.sampled_from(["word", "東京", " ", "ไทย", "\u3000", "x" * 50]), max_size=60).map("".join)))
def test_word_counts_are_the_same_cached_or_not(line):
    assert clean_rules._words(line) == len(line.split()) + len(clean_rules._CJK.findall(line)) // 2
