"""Fit `events.confidence` on the real-news gold and write `transforms/data/calibration.json`.

    .venv/bin/python benchmarks/calibrate.py [--check] [--l2 1.0]

Each predicted event of the 30 realnews_dev articles is labelled right when its sentence holds a
gold event of its type (the yardstick's precision rule, `benchmarks/realnews.py`). The model
(`transforms/calibration.py`) is fitted on the even articles and scored on the odd ones, and the
other way round; those out-of-half probabilities give the figures printed (Brier score against the
rules' own score and against one constant rate, a reliability table) and `confident_at`, the lowest
probability whose rows were right ≥ 90 % of the time. The model written is then fitted on all 30.
`--check` prints without writing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import realnews  # noqa: E402

from transforms import calibration  # noqa: E402
from transforms.lexicon import load_event_types  # noqa: E402


def labelled(articles: list[dict]) -> list[tuple[int, dict, str, bool]]:
    """(half, row, sentence, right) for every event the rules give, with the rules' own scores."""
    texts, events = realnews.predict(articles, calibration=None)
    out = []
    for k, art in enumerate(articles):
        text = texts.get(art["id"], "")
        spans = realnews.gold_spans(art, text)
        for row in events.get(art["id"], []):
            right = any(realnews.is_match(row, g, span) for g, span in zip(art["events"], spans))
            out.append((k % 2, row, text[row["start_char"]:row["end_char"]], right))
    return out


def _brier(p: list[float], y: list[bool]) -> float:
    return sum((a - b) ** 2 for a, b in zip(p, y)) / max(1, len(y))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="print the figures, do not write the model")
    ap.add_argument("--l2", type=float, default=1.0)
    args = ap.parse_args(argv)
    articles = realnews.load_gold(None)
    rows = labelled(articles)
    names = calibration.feature_names(sorted(load_event_types()))
    x = [calibration.features(r, s, names) for _, r, s, _ in rows]
    y = [ok for *_, ok in rows]
    crossed = [0.0] * len(rows)
    for half in (0, 1):
        train = [i for i, (h, *_) in enumerate(rows) if h == half]
        w = calibration.fit([x[i] for i in train], [y[i] for i in train], l2=args.l2)
        model = calibration.Calibration(tuple(names), tuple(w), 1.0)
        for i, (h, row, sent, _) in enumerate(rows):
            if h != half:
                crossed[i] = calibration.probability(row, sent, model)
    at = calibration.confident_threshold(crossed, y, 0.9)
    kept = [ok for p, ok in zip(crossed, y) if p >= at]
    base = sum(y) / len(y)
    print(f"{len(rows)} predicted events, {sum(y)} right ({base:.3f})")
    print(f"Brier, each half scored by the other's model: {_brier(crossed, y):.4f} "
          f"(rule score {_brier([r['confidence'] for _, r, _, _ in rows], y):.4f}, one rate {_brier([base] * len(y), y):.4f})")
    print(f"confident_at {at:.3f}: {len(kept)} rows kept, right {sum(kept) / max(1, len(kept)):.3f}, "
          f"{sum(kept)}/{sum(y)} of the right rows")
    print("\n| probability | rows | right |\n|---|---|---|")
    for lo in (0.0, 0.5, 0.6, 0.7, 0.8, 0.9):
        hi = lo + 0.1 if lo else 0.5
        band = [ok for p, ok in zip(crossed, y) if lo <= p < hi or (hi >= 1.0 and p >= lo)]
        print(f"| {lo:.1f}–{hi:.1f} | {len(band)} | {sum(band) / max(1, len(band)):.3f} |")
    weights = calibration.fit(x, y, l2=args.l2)
    out = {
        "features": names,
        "weights": [round(v, 6) for v in weights],
        "confident_at": round(at, 3),
        "fitted_on": f"realnews_dev: {len(articles)} articles, {len(rows)} predicted events, {sum(y)} right",
        "fitted": dt.date.today().isoformat(),
        "l2": args.l2,
        "cross_half": {"brier": round(_brier(crossed, y), 4), "kept": len(kept), "kept_right": sum(kept),
                       "right": sum(y)},
    }
    if not args.check:
        calibration.MODEL.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {calibration.MODEL.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
