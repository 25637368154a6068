"""Tests for transforms.clean: normalisation, text-dump boilerplate removal, HTML extraction."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
import yaml

from transforms.clean import (
    CleanArticle,
    Removed,
    clean_html,
    clean_text_dump,
    detect_language,
    load_rules,
    normalize_text,
)

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is a dev dependency
    given = None

SHARED = Path(__file__).parents[1].parent / "shared"
SEED = SHARED / "seed" / "000_c3964fcd6561bca5.txt"
READABILITY = SHARED / "corpora" / "html" / "mozilla_readability"
RULES_FILE = Path(__file__).parents[1] / "transforms" / "boilerplate.yaml"

needs_seed = pytest.mark.skipif(not SEED.exists(), reason="shared seed article not available")
needs_corpus = pytest.mark.skipif(not READABILITY.exists(), reason="HTML corpus not available")


def kinds_of(article: CleanArticle) -> dict[str, str]:
    return {r.text: r.kind for r in article.removed}


# ------------------------------------------------------------------------------------------
# normalize_text
# ------------------------------------------------------------------------------------------


def test_normalize_fixes_mojibake_and_keeps_curly_quotes() -> None:
    assert normalize_text("cafÃ© â€œquotedâ€\x9d") == "café “quoted”"
    assert normalize_text("Kim’s “war” readiness") == "Kim’s “war” readiness"


def test_normalize_whitespace_and_paragraphs() -> None:
    raw = "  First\tline   here \r\nsame para\r\n\r\n\r\n\n  Second\u00a0para \n \n\nThird  "
    assert normalize_text(raw) == "First line here\nsame para\n\nSecond para\n\nThird"


def test_normalize_strips_control_and_invisible_chars_and_composes() -> None:
    assert normalize_text("a\x00b\x07c\u200bd\ufeffe") == "abcde"
    assert normalize_text("Cafe\u0301") == "Café"  # NFD -> NFC
    assert normalize_text("") == ""


def test_normalize_is_idempotent_on_examples() -> None:
    for raw in ["cafÃ©", "x\r\n\r\n\r\ny", " a \u00a0 b ", "\n\n\nz\n\n"]:
        once = normalize_text(raw)
        assert normalize_text(once) == once


# ------------------------------------------------------------------------------------------
# clean_text_dump on the seed article
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_article() -> CleanArticle:
    return clean_text_dump(SEED.read_text(encoding="utf-8"))


BOILERPLATE_IN_SEED = {
    "Skip to main content": "navigation",
    "Open this photo in gallery:": "gallery_prompt",
    "Follow related authors and topics": "share",
    "Authors and topics you follow will be added to your personal news feed in Following.": "share",
    "Interact with The Globe": "share",
}


@needs_seed
def test_seed_boilerplate_removed_with_right_kinds(seed_article: CleanArticle) -> None:
    removed = kinds_of(seed_article)
    for line, kind in BOILERPLATE_IN_SEED.items():
        assert line not in seed_article.text
        assert removed.get(line) == kind, line
    caption = [r for r in seed_article.removed if r.kind == "caption"]
    assert len(caption) == 1
    assert caption[0].text.startswith("A TV screen shows a file image")
    assert caption[0].text.endswith("Ahn Young-joon/The Associated Press")
    assert "Ahn Young-joon" not in seed_article.text
    assert "A TV screen shows" not in seed_article.text


@needs_seed
def test_seed_body_kept_intact(seed_article: CleanArticle) -> None:
    paragraphs = seed_article.text.split("\n\n")
    assert paragraphs[0].startswith("North Korean leader Kim Jong-un called for bolstered war readiness")
    assert paragraphs[-1].startswith("Matthew Miller, a spokesperson for the State Department")
    assert paragraphs[-1].endswith("remains “ironclad.”")
    # every body paragraph of the seed survives verbatim: 14 paragraphs between caption and footer
    source_lines = [l for l in SEED.read_text(encoding="utf-8").splitlines() if l.strip()]
    body = source_lines[source_lines.index(paragraphs[0]) : source_lines.index(paragraphs[-1]) + 1]
    assert paragraphs == body
    assert len(paragraphs) == 14
    assert seed_article.title is None  # the seed has no title line; the lead must not become one
    assert seed_article.language == "en"
    assert len(seed_article.removed) == 6


@needs_seed
def test_seed_with_given_title_keeps_body(seed_article: CleanArticle) -> None:
    titled = clean_text_dump(SEED.read_text(encoding="utf-8"), title="Kim calls for war readiness")
    assert titled.title == "Kim calls for war readiness"
    assert titled.text == seed_article.text


# ------------------------------------------------------------------------------------------
# generalisation: same shapes, different sites/strings
# ------------------------------------------------------------------------------------------

BODY1 = "Officials said on Tuesday that the new bridge would open to traffic before the end of the year."
BODY2 = "The project, which cost more than $2-billion, was delayed twice by labour disputes and flooding."
BODY3 = "Residents on both sides of the river welcomed the news, saying the commute had become unbearable."


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Crowds gather outside the parliament building in Ottawa on March 3.Jane Roe/Reuters", "caption"),
        ("Workers inspect the site in Lagos, Nigeria, on Friday. (AP Photo/Sunday Alamba)", "caption"),
        ("Firefighters battle the blaze near Athens on July 18.Louisa Gouliamaki/AFP via Getty Images", "caption"),
        ("The mayor speaks to reporters at city hall. Photo: Carlos Osorio", "caption"),
        ("Chip Somodevilla/Getty Images", "photo_credit"),
        ("Photograph: Tom Jenkins", "photo_credit"),
        ("Image source, EPA", "photo_credit"),
        ("Image caption, Rescuers searched through the rubble overnight", "caption"),
        ("Credit...Doug Mills", "photo_credit"),
        ("View gallery", "gallery_prompt"),
        ("Advertisement", "advert"),
        ("Story continues below advertisement", "advert"),
        ("Read more: Bridge costs soar as inflation bites", "related"),
        ("Sign up for our Morning Briefing newsletter", "newsletter"),
        ("Get the best stories delivered to your inbox every morning.", "newsletter"),
        ("We use cookies to personalise content and ads and to analyse our traffic.", "cookie"),
        ("Interact with The Daily Planet", "share"),
        ("Follow us on Instagram", "share"),
        ("Share this article", "share"),
        ("Facebook Twitter LinkedIn Email", "share"),
        ("Skip to content", "navigation"),
        ("This article was published more than 2 years ago. Some information may no longer be current.", "notice"),
    ],
)
def test_boilerplate_shapes_generalise(line: str, kind: str) -> None:
    doc = "\n\n".join([BODY1, line, BODY2, BODY3])
    art = clean_text_dump(doc)
    assert kinds_of(art).get(line) == kind
    assert art.text == "\n\n".join([BODY1, BODY2, BODY3])


@pytest.mark.parametrize(
    "line",
    [
        "By the end of the year, the agency said, most of the work on the span would be finished.",
        "The company sent a newsletter to investors on Monday warning of further delays.",
        "A Reuters/Ipsos poll found that 61 per cent of residents supported the bridge.",
        "The museum bought a picture by Picasso.",
        "He said the design would make it easy for cyclists to share the road with buses and trucks.",
        "Read the full report, which runs to more than 300 pages, on the ministry's website.",
        "Cookies and coffee were served to the workers at the ribbon-cutting ceremony on Monday.",
    ],
)
def test_body_sentences_with_trigger_words_are_kept(line: str) -> None:
    doc = "\n\n".join([BODY1, line, BODY2, BODY3])
    art = clean_text_dump(doc)
    assert line in art.text.split("\n\n"), art.removed
    assert art.removed == ()


def test_head_and_tail_chrome_title_byline_date() -> None:
    doc = "\n".join(
        [
            "Skip to main content",
            "Menu",
            "World",
            "Home › Canada › Ontario",
            "New bridge to open before year end, officials say",
            "By JANE DOE and John Roe",
            "Published March 5, 2024",
            "Updated 4:10 p.m. EST March 6, 2024",
            BODY1,
            "Advertisement",
            BODY2,
            BODY3,
            "Most Read",
            "City council approves new budget",
            "© 2024 Example Media Inc. All rights reserved.",
            "Terms of Use | Privacy Policy | Contact Us",
        ]
    )
    art = clean_text_dump(doc)
    assert art.text == "\n\n".join([BODY1, BODY2, BODY3])
    assert art.title == "New bridge to open before year end, officials say"
    assert art.byline == "JANE DOE and John Roe"
    assert art.published_at == "2024-03-05"
    k = kinds_of(art)
    assert k["Menu"] == k["World"] == k["Home › Canada › Ontario"] == "navigation"
    assert k["Published March 5, 2024"] == "timestamp"
    assert k["© 2024 Example Media Inc. All rights reserved."] == "footer"
    assert k["New bridge to open before year end, officials say"] == "title"


def test_given_title_is_dropped_not_duplicated() -> None:
    title = "New bridge to open before year end"
    art = clean_text_dump(f"{title}\n\n{BODY1}\n\n{BODY2}", title=title)
    assert art.title == title
    assert title not in art.text
    assert art.text == f"{BODY1}\n\n{BODY2}"


def test_lead_sentence_is_never_taken_as_title() -> None:
    art = clean_text_dump(f"{BODY1}\n\n{BODY2}")
    assert art.title is None
    assert art.text == f"{BODY1}\n\n{BODY2}"


def test_mid_page_link_list_removed_but_single_subheading_kept() -> None:
    teasers = ["Council approves new transit budget", "Storm knocks out power to thousands", "Team clinches playoff spot"]
    lines = [BODY1, *teasers, BODY2, "What happens next", BODY3, BODY1 + " Again."]
    art = clean_text_dump("\n".join(["Skip to main content", *lines]))  # a page dump
    assert [r.kind for r in art.removed] == ["navigation"] + ["link_list"] * 3
    assert "What happens next" in art.text.split("\n\n")
    # the same lines with no page UI around them are an article's own list: kept
    assert clean_text_dump("\n".join(lines)).text == "\n\n".join(lines)


def test_repeated_short_chrome_removed() -> None:
    doc = "\n".join([BODY1, "Share", BODY2, "Explore more", BODY3, "Explore more"])
    art = clean_text_dump(doc)
    assert art.text == "\n\n".join([BODY1, BODY2, BODY3])
    assert [r.kind for r in art.removed].count("repeated") >= 1


def test_dump_of_only_short_lines_is_not_emptied() -> None:
    # Without any body-like line, head/tail heuristics must not eat everything.
    art = clean_text_dump("Quarterly results\nRevenue up 4%\nMargins stable")
    assert art.text == "Quarterly results\n\nRevenue up 4%\n\nMargins stable"


def test_empty_dump() -> None:
    art = clean_text_dump("   \n\n ")
    assert art == CleanArticle("", None, None, None, None, None, ())


# ------------------------------------------------------------------------------------------
# the rules file itself
# ------------------------------------------------------------------------------------------


def test_rules_are_documented_unique_and_not_site_specific() -> None:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    specs = data["line_rules"] + data["credits"]
    names = [s["name"] for s in specs]
    assert len(names) == len(set(names))
    for spec in specs:
        assert spec.get("reason"), spec["name"]
        re.compile(spec["pattern"])
        # literals from the seed/dev documents would be overfitting, not rules
        for literal in ("globe", "young-joon", "associated press", "kim jong", "seoul"):
            assert literal not in spec["pattern"].lower(), (spec["name"], literal)
    assert load_rules().line_rules  # the packaged file loads


# ------------------------------------------------------------------------------------------
# detect_language
# ------------------------------------------------------------------------------------------


def test_detect_language() -> None:
    assert detect_language("Hi there") is None
    assert detect_language("") is None
    assert detect_language(BODY1 + " " + BODY2) == "en"
    assert detect_language("Die Regierung hat am Dienstag neue Maßnahmen gegen die Inflation angekündigt.") == "de"
    assert detect_language("Le gouvernement a annoncé mardi de nouvelles mesures contre l'inflation.") == "fr"


# ------------------------------------------------------------------------------------------
# clean_html
# ------------------------------------------------------------------------------------------


def _readability(name: str) -> tuple[str, dict]:
    html = gzip.open(READABILITY / name / "source.html.gz", "rb").read().decode("utf-8", "replace")
    meta = json.loads((READABILITY / name / "expected-metadata.json").read_text(encoding="utf-8"))
    return html, meta


@needs_corpus
@pytest.mark.parametrize("name", ["bbc-1", "lemonde-1", "nytimes-1"])
def test_clean_html_real_page(name: str) -> None:
    html, meta = _readability(name)
    art = clean_html(html)
    assert art.title == meta["title"]
    assert len(art.text) > 1000
    assert art.language == meta["lang"][:2]
    if meta.get("publishedTime"):
        assert art.published_at and art.published_at[:10] == meta["publishedTime"][:10]
    # the title is metadata, not the first paragraph of the body
    assert not art.text.startswith(meta["title"])
    assert "\n\n" in art.text and "\n\n\n" not in art.text


def test_clean_html_minimal_page_with_boilerplate() -> None:
    paras = "".join(f"<p>{p}</p>" for p in [BODY1, BODY2, BODY3] * 3)
    html = (
        "<html><head><title>Bridge news</title>"
        '<meta property="og:title" content="New bridge to open">'
        '<meta property="article:published_time" content="2024-03-05T10:00:00+00:00">'
        f"</head><body><article><h1>New bridge to open</h1>{paras}"
        "<p>Advertisement</p></article></body></html>"
    )
    art = clean_html(html, url="https://example.com/a")
    assert art.title == "New bridge to open"
    assert art.published_at == "2024-03-05T10:00:00+00:00"
    assert BODY1 in art.text and "Advertisement" not in art.text.split("\n\n")
    assert art.language == "en"


def test_clean_html_strips_site_name_from_title() -> None:
    paras = "".join(f"<p>{p}</p>" for p in [BODY1, BODY2, BODY3] * 3)
    html = (
        "<html><head><title>River bridge to open this year | Northern Ledger</title>"
        '<meta property="og:site_name" content="Northern Ledger">'
        f"</head><body><article>{paras}</article></body></html>"
    )
    assert clean_html(html).title == "River bridge to open this year"
    # a separator that is part of the headline stays when nothing says it is the site name
    html2 = html.replace("| Northern Ledger", "| and why it matters").replace(
        'content="Northern Ledger"', 'content="Ledger Media Group"'
    ).replace("<title>", '<meta property="og:title" content="River bridge to open this year | and why it matters"><title>')
    assert clean_html(html2).title == "River bridge to open this year | and why it matters"


@pytest.mark.parametrize(
    "html",
    ["", "   ", "<<<>>>", "<html></html>", "\x00\x01\x02binary\x00garbage\xff", "<?xml version='1.0' encoding='utf-8'?><a/>",
     "<html><body>" + "<div>" * 3000 + "x" + "</div>" * 3000 + "</body></html>", "just some words"],
)
def test_clean_html_garbage_gives_empty_text(html: str) -> None:
    art = clean_html(html)
    assert isinstance(art, CleanArticle)
    assert art.text == "" or len(art.text) < 40


# ------------------------------------------------------------------------------------------
# properties
# ------------------------------------------------------------------------------------------

if given is not None:
    chrome = st.sampled_from(
        ["Skip to main content", "Advertisement", "Share", "Open this photo in gallery:", "Read more",
         "Jane Roe/Reuters", BODY1, BODY2, "By Jane Doe", "Menu", "", " ", "\t", "\r\n"]
    )
    lines = st.lists(st.one_of(chrome, st.text(max_size=80)), max_size=25)

    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=400))
    def test_normalize_idempotent_and_total(text: str) -> None:
        once = normalize_text(text)
        assert normalize_text(once) == once
        assert "\r" not in once and "\n\n\n" not in once
        assert once == once.strip()

    @settings(max_examples=300, deadline=None)
    @given(lines, st.one_of(st.none(), st.text(max_size=30)))
    def test_clean_text_dump_total_and_only_uses_input_lines(parts: list[str], title: str | None) -> None:
        raw = "\n".join(parts)
        art = clean_text_dump(raw, title=title)
        allowed = set(normalize_text(raw).split("\n"))
        if art.text:
            for paragraph in art.text.split("\n\n"):
                assert paragraph in allowed
        for r in art.removed:
            assert isinstance(r, Removed) and r.text in allowed
        # nothing is lost: every non-empty line is either kept or reported as removed
        kept = art.text.split("\n\n") if art.text else []
        assert len(kept) + len(art.removed) == len([l for l in allowed_lines(raw)])

    def allowed_lines(raw: str) -> list[str]:
        return [l for l in normalize_text(raw).split("\n") if l.strip()]


def test_body_region_drops_trailing_chrome_blocks_with_sentences() -> None:
    # after the article, a long run of short chrome lines, then footer prose (site blurb,
    # teaser sentences): the densest prose region is the body, the rest is recorded as removed
    chrome = ["Topics", "Politics", "Bridges", "Transport", "City hall", "Most popular", "Weather",
              "Sports", "Business", "Opinion", "Arts", "Life", "Podcasts", "Puzzles", "Obituaries",
              "Real estate"]
    tail = [
        "Our newsroom has covered the region for more than a century and is read by millions.",
        "Inflation eases for a third month as food prices fall across the country",
    ]
    doc = "\n".join([BODY1, BODY2, BODY3, *chrome, *tail])
    art = clean_text_dump(doc)
    assert art.text == "\n\n".join([BODY1, BODY2, BODY3])
    removed = {r.text for r in art.removed}
    assert set(chrome) | set(tail) <= removed


def test_a_single_paragraph_ending_in_a_credit_like_tag_is_not_cleaned_to_nothing():
    line = ("Try not to look down. A video editor cut the actor's falling scene into a jump through "
            "a dozen famous films, from space operas to superhero sagas, and even catches the attention "
            "of a certain wizard on the way. Maybe he should borrow his broom. H/T-Some Blog")
    cleaned = clean_text_dump(line)
    assert cleaned.text == line
    assert not cleaned.removed


def test_word_counts_of_long_lines_bypass_the_bounded_cache() -> None:
    from transforms.clean import rules as clean_rules

    clean_rules._cached_words.cache_clear()
    low, high = clean_rules._WORDS_CACHED_CHARS
    long_line = "word " * (high // 5 + 1)
    assert clean_rules._words(long_line) == high // 5 + 1
    assert clean_rules._words("two words") == 2
    assert clean_rules._cached_words.cache_info().currsize == 0  # neither cached
    filler = "x" * low
    for i in range(600):
        assert clean_rules._words(f"line {i} 東京都 {filler}") == 5
    assert clean_rules._cached_words.cache_info().currsize == clean_rules._cached_words.cache_info().maxsize == 128


def test_language_is_decided_by_the_opening() -> None:
    german = "Die Regierung hat am Dienstag neue Maßnahmen gegen die Inflation angekündigt. " * 14
    english = BODY1 + " " + BODY2 + " "
    assert len(german) > 1000
    assert detect_language(german + english * 20) == "de"
    assert detect_language(english * 20 + german) == "en"


# --- text that is already an article passes whole ---------------------------------------------

def _kept_share(texts: list[str]) -> tuple[float, list[str]]:
    """Share of words the cleaner keeps in text or title, and the lines it removed otherwise."""
    from transforms.articles import word_count

    total = kept = 0
    cut: list[str] = []
    for text in texts:
        out = clean_text_dump(text)
        total += word_count(text)
        kept += word_count(out.text) + sum(word_count(r.text) for r in out.removed if r.kind == "title")
        cut += [r.text for r in out.removed if r.kind != "title"]
    return kept / total, cut


def test_wire_stories_keep_their_tables_results_and_datelines():
    docs = [json.loads(line)["text"] for line in
            (SHARED / "corpora" / "ner" / "conll2003" / "eng.testa.docs.jsonl").read_text().splitlines()]
    share, cut = _kept_share(docs)
    assert share >= 0.995, cut[:10]


def test_clean_article_bodies_lose_no_line():
    gold = SHARED / "corpora" / "events" / "realnews_dev" / "gold.jsonl"
    bodies = [json.loads(line)["text"] for line in gold.read_text().splitlines()]
    bbc = sorted((SHARED / "corpora" / "articles" / "bbc_news" / "bbc" / "politics").glob("*.txt"))[:100]
    share, cut = _kept_share(bodies + [p.read_text(encoding="latin-1") for p in bbc])
    assert share >= 0.995 and cut == [], cut[:10]


def test_a_body_line_that_looks_short_or_like_a_dateline_stays():
    text = ("WASHINGTON (AP) — The envoy said on Monday that talks would resume next week.\n"
            "'That's correct,' Volker said.\n"
            "Results:\nTeam A 3 Team B 1\nTeam C 0 Team D 2\n"
            "The ministry declined to comment on the report, officials said.")
    out = clean_text_dump(text)
    assert out.removed == () and out.text.split("\n\n") == text.split("\n")


@needs_seed
def test_a_page_dump_is_still_cleaned():
    out = clean_text_dump(SEED.read_text(encoding="utf-8"))
    assert "Skip to main content" not in out.text and "Follow related authors" not in out.text
    assert {r.kind for r in out.removed} >= {"navigation", "caption"}
