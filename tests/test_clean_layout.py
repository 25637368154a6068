"""Text-dump layout rules: teaser-card boxes, consent dialogs, chrome inside the body region.

Made-up pages with the shapes found on real dumps (strings invented here, not copied from the
dev corpora), so the rules are checked for their shape, not for any site's wording.
"""

from __future__ import annotations

from transforms.clean import CleanArticle, clean_text_dump
from transforms.dump_layout import LineShape, card_runs, teaser_run_start

BODY = [
    "The regional council voted on Tuesday to extend the tram line to the northern suburbs by 2029.",
    "Supporters said the extension would cut commuting times in half for about forty thousand residents.",
    "Opponents argued that the money would be better spent on repairing the existing bus network first.",
    "The council's transport committee will now draw up a detailed budget and a timetable for the works.",
    "Construction firms have until the end of the summer to submit their bids, officials said on Wednesday.",
]

CARDS = [
    ("Harbour festival draws record crowds despite the rain",
     "Organisers counted more than sixty thousand visitors over the weekend, a third more than last year."),
    ("Hospital opens new children's wing after two years of work",
     "The wing adds forty beds and a playground on the roof, paid for largely by a local charity."),
    ("Why the price of coffee keeps going up",
     "Poor harvests in two growing regions and higher shipping costs have pushed wholesale prices up."),
    ("Local team signs veteran goalkeeper on a one-year deal",
     "The thirty-four-year-old joins from a rival club and is expected to start the opening match."),
]


def kinds_of(article: CleanArticle) -> dict[str, str]:
    return {r.text: r.kind for r in article.removed}


def test_teaser_cards_after_the_body_are_removed() -> None:
    lines = [*BODY, "Most popular"]
    for i, (headline, blurb) in enumerate(CARDS):
        lines += ["Region", headline, blurb, f"Reporter Number{i}", f"{i + 2} hours ago"]
    art = clean_text_dump("\n".join(lines))
    assert art.text == "\n\n".join(BODY)
    removed = kinds_of(art)
    for headline, blurb in CARDS:
        assert headline in removed and blurb in removed
    assert {removed[blurb] for _, blurb in CARDS} <= {"related", "footer"}


def test_article_sections_with_several_paragraphs_are_kept() -> None:
    lines = [BODY[0], "What the plan costs", BODY[1], BODY[2], "Who objects", BODY[3], BODY[4],
             "What happens next", BODY[0].replace("Tuesday", "Monday"), BODY[1].replace("half", "a third")]
    art = clean_text_dump("\n".join(lines))
    assert art.text == "\n\n".join(lines)
    assert art.removed == ()


def test_listicle_made_of_one_paragraph_items_is_not_emptied() -> None:
    # every item looks like a teaser card, but there is no other body to protect: keep them all
    lines = [line for card in CARDS for line in card]
    art = clean_text_dump("\n".join(lines))
    # the first headline sits above all prose, so it is taken as the page title
    assert art.title == lines[0]
    assert art.text == "\n\n".join(lines[1:])


def test_live_blog_of_one_paragraph_entries_after_a_short_intro_is_kept() -> None:
    entries = []
    for k in range(8):
        entries += [f"Council member number {k} speaks about the tram plan",
                    f"Member {k} said the plan would help families in district {k} and asked for the full"
                    " budget to be published before the final vote in the autumn.",
                    f"10:{k}5 am"]
    art = clean_text_dump("\n".join([BODY[0], *entries]))
    kept = art.text.split("\n\n")
    assert BODY[0] in kept
    assert all(line in kept for line in entries[:2] + entries[-3:-1])


def test_long_teaser_box_does_not_beat_a_short_article() -> None:
    menu = ["Home", "News", "Sport", "Culture", "Weather", "Login"]
    sites = [
        (f"Partner site {name}",
         f"Our {topic} site brings you daily reviews, practical guides and readers' letters from all over the country.")
        for name, topic in [("One", "travel"), ("Two", "food"), ("Three", "health"), ("Four", "motoring"),
                            ("Five", "gardening"), ("Six", "money"), ("Seven", "science"), ("Eight", "books")]
    ]
    footer_menu = ["About us", "Jobs", "Archive", "Events", "Puzzles", "Podcasts", "Shop", "Tips"]
    lines = [*menu, *BODY[:4], "Share", *footer_menu, "Our other sites"]
    for name, blurb in sites:
        lines += [name, blurb]
    art = clean_text_dump("\n".join(lines))
    assert art.text == "\n\n".join(BODY[:4])


def test_consent_dialog_paragraphs_are_removed_but_an_article_about_cookies_is_not() -> None:
    consent = [
        "When you visit our website, we store cookies on your browser to collect information about your visit.",
        "These cookies allow us to count visits and traffic sources so we can measure the performance of our site.",
        "You have the right to opt out of the sale of your personal information to third parties at any time.",
    ]
    art = clean_text_dump("\n".join([*BODY, "Privacy preferences", *consent, "Confirm my choices"]))
    assert art.text == "\n\n".join(BODY)
    assert all(kinds_of(art)[line] == "cookie" for line in consent)

    about = ("Regulators said these cookies are used by advertisers to follow readers from one site to the next,"
             " often without their knowledge.")
    story = clean_text_dump("\n".join([BODY[0], about, BODY[1], BODY[2]]))
    assert about in story.text.split("\n\n")


def test_byline_dateline_and_credit_under_the_lead_are_removed() -> None:
    lines = [BODY[0], "By Jane Example", "March 5, 2024, 10:14 am", BODY[1], "Anna Example/Agency Name", *BODY[2:]]
    art = clean_text_dump("\n".join(lines))
    assert art.text == "\n\n".join(BODY)
    k = kinds_of(art)
    assert k["By Jane Example"] == "byline"
    assert k["March 5, 2024, 10:14 am"] == "timestamp"


def test_sign_off_and_copyright_holder_after_the_body_are_removed() -> None:
    sign_off = "Reporting by Jane Example; editing by John Example and a third colleague from the desk."
    lines = [*BODY, sign_off, "© Example Media Group Ltd"]
    art = clean_text_dump("\n".join(lines))
    assert art.text == "\n\n".join(BODY)
    assert kinds_of(art)[sign_off] == "byline"
    assert kinds_of(art)["© Example Media Group Ltd"] == "footer"


def test_a_story_about_a_journalist_keeps_its_opening() -> None:
    lead = "Jane Example is a reporter who was detained at the border on Monday while covering the protests."
    lines = [lead, *BODY]
    art = clean_text_dump("\n".join(lines))
    assert art.text == "\n\n".join(lines)


def test_reader_comments_after_the_story_are_removed_but_a_comment_count_at_the_top_is_not() -> None:
    posts = [
        "I have taken this bus every day for ten years and nobody ever asked us what we actually need.",
        "Finally some good news for the suburbs, although I will believe it when I see the first tram.",
    ]
    more = [
        "The first new stops are planned near the hospital, the university campus and the main railway station.",
        "A similar extension in a neighbouring city took six years and came in slightly under its budget.",
        "Residents will be able to comment on the proposed route at three public meetings in the autumn.",
        "The council expects the line to carry about twelve thousand passengers a day once it is complete.",
    ]
    body = [*BODY, *more]  # a story of about 160 words
    art = clean_text_dump("\n".join([*body, "2 Comments", "Reader One", posts[0], "Reader Two", posts[1]]))
    assert art.text == "\n\n".join(body)
    assert kinds_of(art)[posts[0]] == kinds_of(art)[posts[1]] == "comments"

    top = clean_text_dump("\n".join([BODY[0], "2 Comments", *BODY[1:]]))
    assert top.text == "\n\n".join(BODY)


# ------------------------------------------------------------------------------------------
# dump_layout on bare line shapes
# ------------------------------------------------------------------------------------------


def _shape(pattern: str, words: int = 20) -> LineShape:
    """``P`` prose, ``H`` headline, ``-`` removed line."""
    return LineShape(
        kept=[c != "-" for c in pattern],
        prose=[c == "P" for c in pattern],
        heading=[c == "H" for c in pattern],
        words=[words if c == "P" else 4 for c in pattern],
    )


def test_card_runs_split_on_sections_and_menus() -> None:
    shape = _shape("PPP" + "HPP" + "HP-HP-HP" + "HHHHHHP" + "HP")
    runs = card_runs(shape, 0, len(shape.kept), blurb_max=50, max_lines=8)
    # the section (H + two paragraphs) is no card; the long heading group (a menu) starts a
    # new run with only its last four lines as the headline
    assert [(r.start, r.blurbs) for r in runs] == [(6, (7, 10, 13)), (16, (20, 22))]


def test_teaser_run_start_needs_body_above_and_nothing_after() -> None:
    shape = _shape("PPPP" + "HP" * 3)
    assert teaser_run_start(shape, 0, 10, min_cards=3, blurb_max=50, max_lines=8, body_min_words=60) == 4
    assert teaser_run_start(shape, 0, 10, min_cards=3, blurb_max=50, max_lines=8, body_min_words=100) is None
    longer = _shape("PPPP" + "HP" * 3 + "PP")
    assert teaser_run_start(longer, 0, 12, min_cards=3, blurb_max=50, max_lines=8, body_min_words=60) is None
    assert teaser_run_start(shape, 0, 10, min_cards=3, blurb_max=10, max_lines=8, body_min_words=60) is None
