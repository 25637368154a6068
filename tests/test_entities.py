import pytest

from transforms import gazetteer
from transforms.entities import doc_mentions


def _mentions(nlp, text, people=None):
    return doc_mentions(nlp(text), people=people)


def test_gazetteer_names_demonyms_possessives_and_capitals():
    assert gazetteer.lookup("North Korea’s").iso3 == "PRK"
    assert gazetteer.lookup("North Korean").iso3 == "PRK"
    assert gazetteer.lookup("the United States").iso3 == "USA"
    assert gazetteer.lookup("U.S.").iso3 == "USA"
    assert gazetteer.lookup("Seoul").iso3 == "KOR"
    assert gazetteer.lookup("Korean") is None  # ambiguous: no guess
    assert gazetteer.lookup("Texas").iso3 == "USA"  # a first-level subdivision names its country
    assert gazetteer.lookup("Kerala").iso3 == "IND"
    assert gazetteer.lookup("Nagaland").iso3 == "IND"  # ASCII spelling of "Nāgāland"
    assert gazetteer.lookup("Georgia").iso3 == "GEO"  # a country wins over a US state
    assert gazetteer.lookup("Punjab") is None  # two countries' province: no guess
    assert gazetteer.lookup("Eastern") is None  # a compass word, not a place
    assert gazetteer.lookup("Aurora").iso3 == "USA"  # a large city wins over a province of the same name


def test_party_and_ministry_names_carry_their_country(nlp):
    ms = _mentions(nlp, "Democrats and the Justice Department criticized the plan in Paris.")
    assert {m.name: m.country_code for m in ms if m.label in {"NORP", "ORG"}} == {
        "Democrats": "USA", "Justice Department": "USA"}


def test_a_country_before_a_title_with_of_names_the_person(nlp):
    ms = _mentions(nlp, "US Secretary of State Antony Blinken met the minister. Mr Blinken left on Friday.", people={})
    assert {m.text: m.country_code for m in ms if m.label == "PERSON"} == {"Antony Blinken": "USA", "Blinken": "USA"}
    ms = _mentions(nlp, "The ambassador to France, Antony Blinken, met the minister.", people={})
    assert [m.country_code for m in ms if m.label == "PERSON"] == [None]  # where the post is, not whose


def test_known_people_fill_a_country_the_article_leaves_unsaid(nlp):
    text = "Mr Blinken met Marcelo Ebrard in Mexico City on Thursday."
    known = {"Blinken": "USA"}
    assert {m.text: m.country_code for m in _mentions(nlp, text, people={}) if m.label == "PERSON"}.get("Blinken") is None
    assert {m.text: m.country_code for m in _mentions(nlp, text, people=known) if m.label == "PERSON"}["Blinken"] == "USA"
    stated = "Kenyan official Antony Blinken met Marcelo Ebrard."  # what the article says wins
    assert [m.country_code for m in _mentions(nlp, stated, people=known) if m.text == "Antony Blinken"] == ["KEN"]


def test_bundled_people_are_full_names_or_a_surname_one_of_them_carries():
    import csv
    from pathlib import Path

    rows = list(csv.DictReader((Path(gazetteer.__file__).parent / "data" / "person_countries.csv").open(encoding="utf-8")))
    assert len(rows) > 100
    full = {r["name"]: r["country"] for r in rows if " " in r["name"]}
    for r in rows:
        assert r["country"] in gazetteer.valid_iso3(), r
        assert int(r["articles"]) >= 2 and int(r["articles"]) >= 0.8 * int(r["articles_stating_any"]), r
        if " " not in r["name"]:  # a surname row names the person it stands for
            assert r["person"].endswith(" " + r["name"]) and full[r["person"]] == r["country"], r
    assert gazetteer.person_countries()["Donald Trump"] == "USA"
    assert "Smith" not in gazetteer.person_countries()  # a surname many people carry stands for nobody


def test_surname_resolves_to_full_name(nlp):
    ms = _mentions(nlp, "North Korean leader Kim Jong-un spoke on Monday. Later, Kim said he would travel to Moscow.")
    kims = [m for m in ms if m.label == "PERSON"]
    assert len(kims) >= 2
    assert {m.name for m in kims} == {"Kim Jong-un"}
    assert len({m.entity_id for m in kims}) == 1


def test_us_forms_share_one_entity_with_usa(nlp):
    ms = _mentions(nlp, "The United States imposed sanctions. U.S. officials said the U.S. would act.")
    usa = [m for m in ms if m.country_code == "USA" and m.label == "GPE"]
    assert len(usa) >= 2
    assert len({m.entity_id for m in usa}) == 1
    assert usa[0].name == "United States"


def test_possessive_and_article_are_trimmed_with_exact_offsets(nlp):
    text = "The talks failed because North Korea's envoy left the United Nations early."
    doc = nlp(text)
    ms = doc_mentions(doc)
    for m in ms:
        assert text[m.start_char:m.end_char] == m.text
        assert not m.text.endswith("'s") and not m.text.lower().startswith("the ")
    assert any(m.text == "North Korea" and m.country_code == "PRK" for m in ms)


def test_acronym_resolves_to_long_org_name(nlp):
    text = ("The official Korean Central News Agency said the meeting ended. "
            "KCNA said leaders agreed on new goals.")
    ms = _mentions(nlp, text)
    orgs = {m.text: m for m in ms if m.label == "ORG"}
    assert orgs["KCNA"].entity_id == orgs["Korean Central News Agency"].entity_id
    assert orgs["KCNA"].name == "Korean Central News Agency"


def _seed_mentions(nlp):
    from pathlib import Path

    from transforms.clean import clean_text_dump

    seed = Path(__file__).resolve().parents[1] / "samples" / "000_c3964fcd6561bca5.txt"
    text = clean_text_dump(seed.read_text(encoding="utf-8")).text
    return text, doc_mentions(nlp(text))


def test_seed_article_aliases_merge_and_no_junk(nlp):
    text, ms = _seed_mentions(nlp)
    assert all(text[m.start_char:m.end_char] == m.text for m in ms)

    def ids(surface):
        return {m.entity_id for m in ms if m.text == surface}

    for a, b in [("Kim", "Kim Jong-un"), ("KCNA", "Korean Central News Agency"),
                 ("NIS", "National Intelligence Service"), ("U.S.", "United States")]:
        assert len(ids(a)) == 1 and ids(a) == ids(b), (a, b)
    codes = {}
    for m in ms:
        codes.setdefault(m.text, set()).add(m.country_code)
    for surface, code in [("U.S.", "USA"), ("United States", "USA"), ("Washington", "USA"), ("North", "PRK"),
                          ("South", "KOR"), ("North Korea", "PRK"), ("South Korean", "KOR")]:
        assert codes.get(surface) == {code}, surface
    assert not [m.text for m in ms if "Associated Press" in m.text or "Ahn" in m.text or "Globe" in m.text]


def test_a_failing_component_costs_one_article_not_the_batch():
    """A rule bug on one article quarantines that article; the others are annotated."""
    import polars as pl
    import spacy

    from helpers import FailingOn
    from transforms.nlp import annotate

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp = FailingOn(nlp, "BOOM", "component failed")
    articles = pl.DataFrame({"article_id": ["a", "b", "c"], "language": ["en"] * 3,
                             "text": ["Fine one.", "This one goes BOOM.", "Fine too."],
                             "published_at": [None, None, None]},
                            schema_overrides={"published_at": pl.Datetime("us", "UTC")})
    ann = annotate(nlp, articles, run_id="r", pipeline_version="v")
    assert [a for a, _ in ann.failed] == ["b"]
    assert "component failed" in ann.failed[0][1]


def test_gazetteer_compass_regions_and_news_demonyms():
    assert (gazetteer.lookup("South Lebanon").iso3, gazetteer.lookup("South Lebanon").kind) == ("LBN", "region")
    assert gazetteer.lookup("northern Iraq").iso3 == "IRQ"
    assert gazetteer.lookup("South Korea").kind != "region"  # a country in its own right
    assert gazetteer.lookup("North Texas") is None
    assert gazetteer.lookup("Serb").iso3 == "SRB" and gazetteer.lookup("Croats").iso3 == "HRV"
    assert gazetteer.lookup("Argentine").iso3 == "ARG"


def test_listed_national_organisations_have_countries():
    assert gazetteer.org_country("Hizbollah") == "LBN"
    assert gazetteer.org_country("UNITA") == "AGO"
    assert gazetteer.org_country("Tamil Tigers") == "LKA"
    assert gazetteer.org_country("United Nations") is None and gazetteer.is_international("NATO")
    assert not gazetteer.is_international("Hamas")


def test_listed_org_and_metonym_mentions_carry_their_country(nlp):
    got = {m.text: m.country_code for m in _mentions(nlp, "The Iranian-backed Hizbollah group and the Pentagon traded accusations.")}
    assert got.get("Hizbollah") == "LBN"
    assert got.get("Pentagon") == "USA"


def test_every_demonym_maps_to_its_own_country_and_a_state_wins_over_its_territory():
    """countryinfo's whole demonym list: each resolves to a country that uses it, and a demonym
    shared by a state and its territories ("American", "Indian", "French") to the state."""
    from collections import defaultdict

    from countryinfo import all_countries

    users: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for info in all_countries():
        try:
            iso3, demonym, population = info.iso().get("alpha3"), info.demonym(), int(info.population() or 0)
        except Exception:  # records without ISO data or the field
            continue
        if demonym and iso3 in gazetteer.valid_iso3():
            users[gazetteer.normalise_key(demonym)].append((population, iso3))
    assert len(users) > 150
    wrong = {}
    for key, countries in users.items():
        place = gazetteer.lookup(key)
        if place is None or place.iso3 != max(countries)[1]:
            wrong[key] = (place and place.iso3, max(countries)[1])
    assert wrong == {}
    for word, iso3 in {"American": "USA", "Americans": "USA", "Indian": "IND", "Indians": "IND",
                       "French": "FRA", "Chinese": "CHN", "Norwegian": "NOR", "Filipino": "PHL"}.items():
        assert gazetteer.lookup(word).iso3 == iso3, word


def test_months_and_weekdays_are_never_organisations_or_places(nlp):
    from transforms.entities import _CALENDAR, doc_mentions

    for date in ("January", "Tuesday", "Sept. 11", "March 4, 2017", "December 25"):
        assert _CALENDAR.fullmatch(date), date
    for name in ("Mayor", "Marchetti", "Jan Smith", "Sun"):
        assert not _CALENDAR.fullmatch(name), name
    doc = nlp("In January, the Senate met. On Tuesday, Theresa May said Britain would leave in March.")
    texts = {(m.text, m.label) for m in doc_mentions(doc)}
    assert not {t for t, label in texts if label != "PERSON" and _CALENDAR.fullmatch(t)}


def test_a_middle_initial_does_not_split_a_person(nlp):
    from transforms.entities import doc_mentions

    mentions = doc_mentions(nlp("Donald J. Trump met Kim Jong-un. Donald Trump said Trump trusted him."))
    trump = {m.entity_id for m in mentions if "Trump" in m.text}
    assert len(trump) == 1 and {m.name for m in mentions if "Trump" in m.text} == {"Donald Trump"}


@pytest.mark.parametrize("text, person, country", [
    ("The U.S. ambassador to China, Terry Branstad, met officials in Beijing.", "Terry Branstad", "USA"),
    ("Britain's envoy to the UN, Karen Pierce, criticised the vote.", "Karen Pierce", "GBR"),
    ("The ambassador to France John Smith resigned.", "John Smith", None),  # where the post is, not whose
    ("German Chancellor Angela Merkel met the press. Merkel said the talks went well.", "Merkel", "DEU"),
])
def test_a_person_takes_the_country_of_their_role_not_of_their_posting(nlp, text, person, country):
    from transforms.entities import doc_mentions

    found = [m for m in doc_mentions(nlp(text)) if m.text == person]
    assert found and found[-1].country_code == country


def test_organisation_and_role_countries_and_name_pairs(nlp):
    from transforms.entities import doc_mentions

    text = ("South Korea's National Intelligence Service said on Thursday that the North could strike. "
            "Matthew Miller, a spokesperson for the State Department, said the U.S. had no hostile intent. "
            "Lee Sang-sook, a research professor at Seoul's Institute of Foreign Affairs, said clashes could happen. "
            "Kim Jong-un met Donald Trump in 2019, but the Kim-Trump diplomacy collapsed. "
            "Anna Park, a reporter for the newspaper, wrote that the plan failed.")
    by_name = {m.name: m for m in doc_mentions(nlp(text))}
    assert by_name["National Intelligence Service"].country_code == "KOR"  # owned by its possessor
    assert by_name["Matthew Miller"].country_code == "USA"  # his role serves a U.S. body
    assert by_name["Lee Sang-sook"].country_code == "KOR"
    assert by_name["Anna Park"].country_code is None  # a role for an organisation of no known country
    assert "Kim-Trump" not in by_name and "Donald Trump" in by_name


def test_an_organisation_named_for_its_sector_takes_the_country_of_its_earlier_description(nlp):
    text = ("South Korea's spy agency said Thursday that the North would test missiles. "
            "The National Intelligence Service said in a statement that the tests were planned.")
    assert {m.name: m.country_code for m in _mentions(nlp, text) if m.label == "ORG"} == {"National Intelligence Service": "KOR"}
    alone = "The National Intelligence Service said in a statement that the tests were planned."
    assert [m.country_code for m in _mentions(nlp, alone) if m.label == "ORG"] == [None]


def test_a_sector_named_body_inherits_an_earlier_described_country_but_an_international_one_does_not(nlp):
    before = "Brazil's electoral council published the results on Sunday. "
    national = {m.text: m.country_code for m in _mentions(nlp, before + "The Electoral Council said turnout was high.")}
    assert national["Electoral Council"] == "BRA"
    un = {m.text: m.country_code for m in _mentions(nlp, before + "The United Nations Security Council met on Monday.")}
    assert un["United Nations Security Council"] is None
