from transforms import gazetteer
from transforms.entities import doc_mentions


def _mentions(nlp, text):
    return doc_mentions(nlp(text))


def test_gazetteer_names_demonyms_possessives_and_capitals():
    assert gazetteer.lookup("North Korea’s").iso3 == "PRK"
    assert gazetteer.lookup("North Korean").iso3 == "PRK"
    assert gazetteer.lookup("the United States").iso3 == "USA"
    assert gazetteer.lookup("U.S.").iso3 == "USA"
    assert gazetteer.lookup("Seoul").iso3 == "KOR"
    assert gazetteer.lookup("Korean") is None  # ambiguous: no guess
    assert gazetteer.lookup("Texas") is None


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
