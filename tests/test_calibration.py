"""`events.confidence` is a probability, and `events_confident` keeps the rows a coder accepts 9 times in 10."""

from __future__ import annotations

import json
import math
import random
import re
import sys
from pathlib import Path

import pytest

from transforms import calibration

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def test_fit_recovers_the_weights_that_made_the_labels():
    rng = random.Random(7)
    true_w = [-0.5, 2.0, -1.5]
    x, y = [], []
    for _ in range(4000):
        row = [1.0, rng.gauss(0, 1), float(rng.random() < 0.4)]
        z = sum(w * v for w, v in zip(true_w, row))
        x.append(row)
        y.append(rng.random() < 1 / (1 + math.exp(-z)))
    fitted = calibration.fit(x, y, l2=0.0)
    assert fitted == pytest.approx(true_w, abs=0.2)


def test_regularisation_shrinks_weights_but_not_the_bias():
    x = [[1.0, 1.0]] * 30 + [[1.0, 0.0]] * 30
    y = [True] * 29 + [False] + [True] * 15 + [False] * 15
    free, shrunk = calibration.fit(x, y, l2=0.0), calibration.fit(x, y, l2=50.0)
    assert abs(shrunk[1]) < abs(free[1]) / 2
    assert shrunk[0] > 0.5  # the bias still carries the overall rate (44/60 right)


def test_confident_threshold_is_the_lowest_probability_keeping_nine_in_ten():
    probs = [0.95, 0.9, 0.9, 0.8, 0.7, 0.6, 0.5]
    right = [True] * 4 + [False, True, False]
    # ≥ 0.8: 4/4; ≥ 0.7: 4/5; ≥ 0.6: 5/6 - so 0.8
    assert calibration.confident_threshold(probs, right, 0.9) == 0.8
    assert calibration.confident_threshold([0.9, 0.8], [False, False], 0.9) == 1.0
    # rows that share a probability are kept or dropped together
    assert calibration.confident_threshold([0.9, 0.9, 0.5], [True, False, True], 0.5) == 0.5
    assert calibration.confident_threshold([0.9, 0.9], [True, False], 0.9) == 1.0


def _row(**kw) -> dict:
    return {"confidence": 0.5, "event_type": "ACCUSE", "modality": "asserted", "negated": False, "start_char": 0,
            "end_char": 10, **kw}


def test_the_bundled_model_orders_like_the_rules_and_reads_its_features():
    model = calibration.load_model()
    p = lambda **kw: calibration.probability(_row(**kw), "Police said.", model)  # noqa: E731
    assert p(confidence=0.3) < p(confidence=0.5) < p(confidence=0.8)
    assert p(modality="predicted") < p()  # a forecast is an event less often than a report
    assert p(event_type="NOT_A_TYPE") != p()  # the type carries weight; an unknown one counts for nothing
    quoted = calibration.probability(_row(), '"We will strike," he said.', model)
    assert quoted != p()
    rows = calibration.calibrate_rows([_row(confidence=0.3), _row(confidence=0.8)], "Police said it.", model)
    assert 0 < rows[0]["confidence"] < rows[1]["confidence"] < 1


def test_events_confident_uses_the_fitted_threshold():
    views = (ROOT / "warehouse" / "views.sql").read_text(encoding="utf-8")
    literal = re.search(r"view events_confident as\s+select \* from events where confidence >= ([0-9.]+);", views)
    assert literal, "events_confident must filter on one threshold literal"
    fitted = json.loads(calibration.MODEL.read_text(encoding="utf-8"))["confident_at"]
    assert float(literal.group(1)) == pytest.approx(fitted), "re-fitted? copy confident_at into views.sql"


def test_the_model_still_fits_the_rules_it_was_fitted_on():
    """Changing a rule changes the scores the model maps: when this fails, re-run
    `benchmarks/calibrate.py` (it prints the figures and rewrites the model)."""
    import realnews

    articles = realnews.load_gold(None)
    texts, events = realnews.predict(articles)
    probs, right = [], []
    for art in articles:
        text = texts[art["id"]]
        spans = realnews.gold_spans(art, text)
        for row in events.get(art["id"], []):
            probs.append(row["confidence"])
            right.append(any(realnews.is_match(row, g, s) for g, s in zip(art["events"], spans)))
    assert abs(sum(probs) / len(probs) - sum(right) / len(right)) < 0.05  # calibrated on the whole
    threshold = calibration.load_model().confident_at
    kept = [ok for p, ok in zip(probs, right) if p >= threshold]
    assert len(kept) >= 0.25 * len(probs) and sum(kept) / len(kept) >= 0.9
