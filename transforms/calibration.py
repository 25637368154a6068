"""`events.confidence` as a probability: how often a careful coder accepts a row like this one as
a real event of its type.

The rules give each event a score (lexicon entry × role and clause factors) that orders rows but
is not a probability: on hand-coded real news, rows scored 0.3 were right 61 % of the time. A
logistic regression over that score and a few facts any event row has (its type, its modality,
whether its sentence is a quotation) maps it to one. It is fitted by `benchmarks/calibrate.py` on
the realnews_dev gold (each article's events against every event a coder found there) and kept as
weights in `data/calibration.json`; `confident_at` is the lowest probability at which the rows
kept were right at least 9 times in 10 when each half of the articles was scored by a model
fitted on the other (`events_confident` keeps those rows).

Pure: reads only that data file; numpy only for the fit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MODEL = Path(__file__).parent / "data" / "calibration.json"
_QUOTES = ('"', "“", "”")
_FLOOR = 0.02  # a rule score of 0 or 1 is not certainty; keep the logit finite


@dataclass(frozen=True)
class Calibration:
    features: tuple[str, ...]
    weights: tuple[float, ...]
    confident_at: float


def _logit(p: float) -> float:
    p = min(max(p, _FLOOR), 1.0 - _FLOOR)
    return math.log(p / (1.0 - p))


def feature_names(event_types: Sequence[str]) -> list[str]:
    return ["bias", "rule_score_logit", *(f"type={t}" for t in event_types),
            "modality=predicted", "modality=claimed", "negated", "quoted"]


def features(row: dict, sentence: str, names: Sequence[str]) -> list[float]:
    """The row's values for each named feature (a type the model never saw counts for nothing)."""
    have = {
        "bias": 1.0,
        "rule_score_logit": _logit(float(row["confidence"] or 0.0)),
        f"type={row['event_type']}": 1.0,
        "modality=predicted": float(row["modality"] == "predicted"),
        "modality=claimed": float(row["modality"] == "claimed"),
        "negated": float(bool(row["negated"])),
        "quoted": float(any(q in sentence for q in _QUOTES)),
    }
    return [have.get(name, 0.0) for name in names]


def probability(row: dict, sentence: str, model: Calibration) -> float:
    z = sum(w * x for w, x in zip(model.weights, features(row, sentence, model.features)))
    return 1.0 / (1.0 + math.exp(-z))


def calibrate_rows(rows: list[dict], text: str, model: Calibration) -> list[dict]:
    """The event rows of one article with `confidence` replaced by the calibrated probability."""
    for row in rows:
        row["confidence"] = round(probability(row, text[row["start_char"]:row["end_char"]], model), 3)
    return rows


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL) -> Calibration:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Calibration(tuple(data["features"]), tuple(data["weights"]), float(data["confident_at"]))


def fit(x: Sequence[Sequence[float]], y: Sequence[bool], l2: float = 1.0, steps: int = 50) -> list[float]:
    """L2-regularised logistic regression by Newton's method (the bias is not shrunk): a few
    hundred rows and ~20 features, so no library is worth its import."""
    import numpy as np

    X, t = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    w = np.zeros(X.shape[1])
    penalty = l2 * np.eye(X.shape[1])
    penalty[0, 0] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-X @ w))
        grad = X.T @ (p - t) + penalty @ w
        hess = X.T @ (X * (p * (1.0 - p))[:, None]) + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-9:
            break
    return [float(v) for v in w]


def confident_threshold(probabilities: Sequence[float], right: Sequence[bool], precision: float = 0.9) -> float:
    """The lowest probability at which the rows at or above it are right at least `precision` of
    the time (1.0 when no threshold reaches it)."""
    ranked = sorted(zip(probabilities, right), key=lambda pr: -pr[0])
    best, hits = 1.0, 0
    for n, (p, ok) in enumerate(ranked, start=1):
        hits += bool(ok)
        nxt = ranked[n][0] if n < len(ranked) else None
        if hits / n >= precision and nxt != p:  # never split rows that share a probability
            best = p
    return best
