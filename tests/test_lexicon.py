"""The PLOVER type table and trigger lexicon: data integrity against CAMEO/PLOVER, and lookup rules."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from transforms import lexicon
from transforms.lexicon import PLOVER_TYPES, canonical_event_type, load_event_types, load_lexicon, lookup

CAMEO_TABLE = Path("/work/shared/corpora/events/plover_gsr/CAMEO2PLOVER-2021.txt")

# CAMEO roots each PLOVER type may draw its codes from (2021 table incl. its cross-root moves).
ALLOWED_ROOTS = {
    "AGREE": {"03"}, "CONSULT": {"04"}, "SUPPORT": {"05"}, "COOPERATE": {"06"}, "AID": {"07"},
    "CONCEDE": {"08"}, "RETREAT": {"08"}, "ACCUSE": {"09", "11"}, "REQUEST": {"10"}, "REJECT": {"12"},
    "THREATEN": {"13"}, "PROTEST": {"14"}, "MOBILIZE": {"15"}, "SANCTION": {"16"},
    "COERCE": {"17", "19"}, "ASSAULT": {"17", "18", "19", "20"},
}
DOCUMENTED_DEVIATIONS = {
    "163": "SANCTION",  # table says COERCE; PLOVER SANCTION text covers it
    "0831": "RETREAT",  # table says CONCEDE; the PLOVER reference: "RETREAT also covers resignations of government officials"
}


def _root(code: str) -> str:
    return code[:2]


def test_all_sixteen_types_with_expected_roots():
    types = load_event_types()
    assert set(types) == set(PLOVER_TYPES)
    expected = {"ASSAULT": "18", "THREATEN": "13", "ACCUSE": "11", "REQUEST": "10", "CONSULT": "04",
                "AGREE": "03", "SUPPORT": "05", "COOPERATE": "06", "AID": "07", "REJECT": "12",
                "PROTEST": "14", "MOBILIZE": "15", "SANCTION": "16", "COERCE": "17"}
    for name, root in expected.items():
        assert types[name].cameo_root == root
    assert types["CONCEDE"].cameo_root == types["RETREAT"].cameo_root == "08"


def test_quad_class_follows_gdelt_root_bands_and_intensity_sign():
    for t in load_event_types().values():
        root = int(t.cameo_root)
        quad = 1 if root <= 4 else 2 if root <= 8 else 3 if root <= 13 else 4
        assert t.quad_class == quad, t
        assert -10.0 <= t.intensity <= 10.0
        assert (t.intensity > 0) == (t.quad_class <= 2), t
        assert t.description


def test_goldstein_ordering():
    types = load_event_types()
    assert types["ASSAULT"].intensity < types["COERCE"].intensity < types["THREATEN"].intensity < types["ACCUSE"].intensity
    assert types["CONSULT"].intensity < types["AGREE"].intensity < types["AID"].intensity


def test_event_types_frame_schema():
    frame = lexicon.event_types_frame()
    assert frame.height == 16
    assert frame.schema["cameo_root"] == pl.Utf8
    assert frame.filter(pl.col("event_type") == "ACCUSE")["cameo_root"].item() == "11"
    assert frame["cameo_root"].str.len_chars().to_list() == [2] * 16


def test_lexicon_rows_are_valid():
    entries = [e for group in load_lexicon().values() for e in group]
    assert 300 <= len(entries) <= 800
    seen = set()
    for e in entries:
        assert e.pos in {"VERB", "NOUN"}
        assert e.event_type in PLOVER_TYPES
        assert re.fullmatch(r"\d{3,4}", e.cameo_code), e
        assert _root(e.cameo_code) in ALLOWED_ROOTS[e.event_type], e
        assert 0.0 < e.confidence <= 1.0
        assert e.lemma == e.lemma.lower() and " " not in e.lemma
        key = (e.lemma, e.pos, e.cue)
        assert key not in seen, key
        seen.add(key)


def test_every_type_has_verb_and_noun_coverage():
    entries = [e for group in load_lexicon().values() for e in group]
    for t in PLOVER_TYPES:
        rows = [e for e in entries if e.event_type == t]
        assert len(rows) >= 10, t
        assert any(e.pos == "VERB" for e in rows), t
    for t in ("ASSAULT", "PROTEST", "CONSULT", "SANCTION", "MOBILIZE", "THREATEN", "ACCUSE", "RETREAT", "COERCE", "AID"):
        assert any(e.pos == "NOUN" and not e.cue for e in entries if e.event_type == t), t


@pytest.mark.skipif(not CAMEO_TABLE.exists(), reason="CAMEO2PLOVER table not available")
def test_codes_agree_with_cameo2plover_table():
    table: dict[str, str] = {}
    for line in CAMEO_TABLE.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(\d{3,4}):\s*([A-Z]+)", line)
        if m:
            table.setdefault(m.group(1), m.group(2))
    for group in load_lexicon().values():
        for e in group:
            assert e.cameo_code in table, e
            expected = DOCUMENTED_DEVIATIONS.get(e.cameo_code, canonical_event_type(table[e.cameo_code]))
            assert e.event_type == expected, e


@pytest.mark.parametrize(
    ("lemma", "pos", "cues", "etype", "code"),
    [
        ("call", "VERB", {"for", "readiness"}, "REQUEST", "100"),
        ("launch", "VERB", {"attack"}, "ASSAULT", "190"),
        ("launch", "VERB", {"missile", "sea"}, "MOBILIZE", "150"),
        ("launch", "VERB", {"missile", "at"}, "ASSAULT", "190"),
        ("launch", "NOUN", set(), "MOBILIZE", "150"),
        ("test", "NOUN", {"missile"}, "MOBILIZE", "150"),
        ("strike", "NOUN", {"hunger"}, "PROTEST", "142"),
        ("strike", "NOUN", {"air"}, "ASSAULT", "195"),
        ("strike", "VERB", {"deal"}, "SUPPORT", "057"),
        ("vow", "VERB", {"retaliation", "stern"}, "THREATEN", "138"),
        ("vow", "VERB", set(), "AGREE", "030"),
        ("sign", "VERB", {"treaty"}, "SUPPORT", "057"),
        ("exercise", "NOUN", {"joint", "military"}, "COOPERATE", "062"),
        ("exercise", "NOUN", {"military"}, "MOBILIZE", "150"),
        ("expel", "VERB", {"diplomat"}, "SANCTION", "161"),
        ("expel", "VERB", {"journalist"}, "COERCE", "174"),
        ("lift", "VERB", {"sanction"}, "RETREAT", "085"),
        ("lift", "VERB", {"ban"}, "CONCEDE", "081"),
        ("release", "VERB", {"hostage"}, "RETREAT", "0841"),
        ("attack", "VERB", set(), "ASSAULT", "190"),
        ("Arrest", "verb", set(), "COERCE", "173"),
        ("investigate", "VERB", set(), "ACCUSE", "090"),
        ("talk", "NOUN", set(), "CONSULT", "040"),
        ("refuse", "VERB", set(), "REJECT", "120"),
        ("prohibit", "VERB", {"aid"}, "SANCTION", "162"),
        ("prohibit", "VERB", set(), "COERCE", "172"),
        ("halt", "VERB", {"mediation", "effort"}, "SANCTION", "165"),
        ("meet", "VERB", {"demand"}, "CONCEDE", "083"),
        ("meet", "VERB", {"with"}, "CONSULT", "040"),
        ("stop", "VERB", {"work"}, "PROTEST", "143"),
        ("hold", "VERB", {"shield", "civilian"}, "ASSAULT", "184"),
        ("declare", "VERB", {"siege", "state"}, "COERCE", "1724"),
        ("mobilize", "VERB", {"pressure", "group"}, "SUPPORT", "053"),
        ("mobilize", "VERB", {"reservist"}, "MOBILIZE", "154"),
        ("hand", "VERB", {"over", "medicine"}, "AID", "070"),
        ("hand", "VERB", {"over", "territory"}, "RETREAT", "0842"),
        ("throw", "VERB", {"stone"}, "PROTEST", "145"),
    ],
)
def test_lookup_readings(lemma, pos, cues, etype, code):
    entry = lookup(lemma, pos, cues)
    assert entry is not None
    assert (entry.event_type, entry.cameo_code) == (etype, code)


@pytest.mark.parametrize(
    ("lemma", "pos", "cues"),
    [
        ("launch", "VERB", set()),          # only cue-gated verb readings
        ("release", "VERB", {"statement"}),  # "released a statement" is no event
        ("decline", "VERB", {"comment"}),
        ("attack", "ADJ", set()),
        ("banana", "NOUN", set()),
    ],
)
def test_lookup_none(lemma, pos, cues):
    assert lookup(lemma, pos, cues) is None


def test_cue_less_fallback_when_cues_do_not_match():
    assert lookup("demand", "VERB", {"unrelated"}).cameo_code == "100"
    assert lookup("demand", "VERB", {"release"}).cameo_code == "1053"


@pytest.mark.parametrize(
    ("name", "canonical"),
    [("DEMAND", "REQUEST"), ("DISAPPROVE", "ACCUSE"), ("FIGHT", "ASSAULT"), ("INVESTIGATE", "ACCUSE"),
     ("assault", "ASSAULT"), ("CRIME", None), ("YIELD", None)],
)
def test_legacy_names(name, canonical):
    assert canonical_event_type(name) == canonical


def test_loaders_are_cached():
    assert load_lexicon() is load_lexicon()
    assert load_event_types() is load_event_types()
