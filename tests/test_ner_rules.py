"""Each entity rule of `transforms.ruler` on small sentences, parsed by the configured pipeline
(which includes the `dateline_ruler` component). Offsets are checked against the text every time."""

from __future__ import annotations

import pytest

from transforms import recase, ruler_consistency, ruler_spans
from transforms.entities import doc_mentions
from transforms.ruler import Ent


@pytest.fixture(scope="module")
def mentions(nlp):
    def run(text):
        ms = doc_mentions(nlp(text))
        for m in ms:
            assert text[m.start_char : m.end_char] == m.text, m
        return ms

    return run


def by_text(ms):
    return {m.text: m for m in ms}


def test_pipeline_has_the_ruler_after_ner(nlp):
    names = nlp.pipe_names
    assert "dateline_ruler" in names and names.index("dateline_ruler") == names.index("ner") + 1


def test_possessive_and_leading_the_are_trimmed(mentions):
    ms = by_text(mentions("The ministers of the United Kingdom met Kenya's president in Nairobi."))
    assert ms["United Kingdom"].country_code == "GBR"
    assert ms["Kenya"].label == "GPE" and ms["Kenya"].country_code == "KEN"
    assert not any(t.lower().startswith("the ") or t.endswith("'s") for t in ms)


def test_capitals_headline_and_dateline_are_read(mentions):
    text = ("NORTH KOREA FIRES MISSILE AHEAD OF TALKS IN GENEVA\n"
            "SEOUL 2023-12-28\n"
            "North Korea fired a missile into the sea on Thursday, officials in Seoul said.")
    ms = mentions(text)
    head = {m.text: m for m in ms if m.start_char < text.index("\n")}
    assert head["NORTH KOREA"].country_code == "PRK"
    assert head["GENEVA"].label == "GPE"
    assert any(m.text == "SEOUL" and m.country_code == "KOR" for m in ms)
    assert "FIRES" not in " ".join(head) and "MISSILE" not in " ".join(head)


def test_truecasing_prefers_the_article_then_gazetteer_then_common_words():
    evidence = {"leicestershire": "Leicestershire"}
    assert recase._truecase("LEICESTERSHIRE", evidence) == "Leicestershire"
    assert recase._truecase("NATO", {}) == "NATO"
    assert recase._truecase("BONN", {}) == "Bonn"
    assert recase._truecase("THE", {}) == "the"
    assert recase._truecase("U.S.", {}) == "U.S."


def test_acronym_in_parentheses_after_a_long_name(mentions):
    text = ("The Regional Water Supply Authority (RWSA) raised prices on Monday. "
            "RWSA said more rises would follow.")
    ms = mentions(text)
    orgs = [m for m in ms if m.text in {"RWSA", "Regional Water Supply Authority"}]
    assert {m.text for m in orgs} == {"RWSA", "Regional Water Supply Authority"}
    assert {m.label for m in orgs} == {"ORG"}
    assert len({m.entity_id for m in orgs}) == 1
    assert orgs[0].name == "Regional Water Supply Authority"


def test_place_inside_an_organisation_name_stays_inside(mentions):
    ms = by_text(mentions("Analysts expect the Bank of England to raise rates, a Reuters poll showed."))
    assert "Bank of England" in ms and ms["Bank of England"].label == "ORG"
    assert ms["Bank of England"].country_code == "GBR"
    assert "England" not in ms


def test_gazetteer_ruler_tags_countries_cities_demonyms_and_organisations(mentions):
    ms = by_text(mentions("Kenyan troops joined NATO and IMF officials in Mogadishu before flying to Burkina Faso."))
    assert ms["Kenyan"].label == "NORP" and ms["Kenyan"].country_code == "KEN"
    assert ms["NATO"].label == "ORG" and ms["IMF"].label == "ORG"
    assert ms["Mogadishu"].label == "GPE" and ms["Mogadishu"].country_code == "SOM"
    assert ms["Burkina Faso"].country_code == "BFA"


def test_city_gives_a_country_code(mentions):
    ms = by_text(mentions("Protesters marched through Lyon on Saturday and in Marseille on Sunday."))
    assert ms["Lyon"].country_code == "FRA"
    assert ms["Marseille"].country_code == "FRA"


def test_scores_and_lowercase_tails_are_trimmed(nlp):
    doc = nlp("Interfax news agency reported that Durham 114 beat Kent.")
    assert ruler_spans._trim(doc, Ent(0, 3, "ORG")) == Ent(0, 1, "ORG")
    assert ruler_spans._trim(doc, Ent(5, 7, "ORG")) == Ent(5, 6, "ORG")
    jong = nlp("Kim Jong-un spoke.")
    assert ruler_spans._trim(jong, Ent(0, 4, "PERSON")) == Ent(0, 4, "PERSON")  # "un" is part of the name


def test_spans_are_split_at_breaks(nlp):
    doc = nlp("Romania - Cosmin Contra ( Dinamo ) scored , Paris")
    pieces = ruler_spans._split(doc, Ent(0, 4, "ORG"))
    assert [doc[p.start : p.end].text for p in pieces] == ["Romania", "Cosmin Contra"]
    doc = nlp("Haitai 2 Samsung 0")
    assert [doc[p.start : p.end].text for p in ruler_spans._split(doc, Ent(0, 3, "ORG"))] == ["Haitai", "Samsung"]


def test_initials_join_the_person(nlp):
    doc = nlp("G. Kersey took three wickets.")
    assert ruler_spans._initials(doc, Ent(1, 2, "PERSON")) == Ent(0, 2, "PERSON")


def test_results_lines_name_teams(mentions):
    text = ("Results of baseball games on Sunday:\n"
            "Boston 5 Detroit 3\n"
            "Denver 2 Phoenix 1\n"
            "Boston have now won six in a row.")
    ms = mentions(text)
    for team in ("Detroit", "Denver", "Phoenix"):
        assert any(m.text == team and m.label == "ORG" for m in ms), team
    assert all(m.label == "ORG" for m in ms if m.text == "Boston")


def test_surname_after_full_name_is_the_person_even_if_a_country(mentions):
    ms = mentions("Michael Jordan scored 30 points on Friday. Jordan said the team played well.")
    jordans = [m for m in ms if m.text == "Jordan"]
    assert jordans and all(m.label == "PERSON" and m.name == "Michael Jordan" for m in jordans)


def test_name_found_once_is_tagged_everywhere(nlp):
    doc = nlp("Shares of Zorvex rose 5 percent. Analysts said Zorvex had beaten forecasts.")
    ents = ruler_consistency._consistency(doc, [Ent(2, 3, "ORG")], lambda i: False)
    assert sorted((doc[e.start : e.end].text, e.label) for e in ents) == [("Zorvex", "ORG"), ("Zorvex", "ORG")]


def test_sentence_initial_common_word_is_not_a_name(nlp):
    doc = nlp("Attendance was 20,000.\nMen had to queue.")
    ents = [Ent(0, 1, "ORG"), Ent(doc[6].i, doc[6].i + 1, "PERSON")] if doc[6].text == "Men" else [Ent(0, 1, "ORG")]
    assert ruler_consistency._drop_initial_common_words(doc, ents, lambda i: False) == []


def test_doc_mentions_without_the_component_still_applies_the_rules(nlp):
    with nlp.select_pipes(disable=["dateline_ruler"]):
        doc = nlp("Kenyan officials met NATO envoys in Mogadishu.")
    ms = by_text(doc_mentions(doc))
    assert ms["Mogadishu"].country_code == "SOM"
    assert ms["NATO"].label == "ORG"
