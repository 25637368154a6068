"""Real-news event yardstick: the flow's events on 30 hand-coded whole articles (realnews_dev).

    .venv/bin/python benchmarks/realnews.py [--half even|odd] [--misses N] [--json]

The articles go through the flow's own pure path (`build_articles` → `annotate`: cleaning, one
spaCy pass, entities, events), with their publication dates. Scored as the set's README suggests:
  - match: a predicted event whose evidence sentence (start_char..end_char) contains a gold cue of
    the same article and whose type is one of the gold event's types;
  - precision = matched predicted / predicted; recall = matched gold / gold (micro, all articles);
  - fully right: a match whose actor1 and actor2 countries equal the gold's (null equals null)
    and whose modality is one the gold accepts; reported as a share of gold events and of
    predictions;
  - per-type recall (by the gold's first type) and the confusion between types: for gold events
    whose sentence holds predictions but none of an accepted type, what was predicted instead;
  - a precision/recall curve over `confidence` (predictions at or above each threshold).
`--half even|odd` keeps every other article (by position in gold.jsonl): tune on one, check on the
other. Nothing here feeds the extractor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOLD = ROOT.parent / "shared" / "corpora" / "events" / "realnews_dev" / "gold.jsonl"


@dataclass
class Scored:
    predicted: int = 0
    predicted_matched: int = 0
    predicted_full: int = 0
    gold: int = 0
    gold_matched: int = 0
    gold_full: int = 0
    actor1_right: int = 0
    actor2_right: int = 0
    modality_right: int = 0
    dated_gold: int = 0  # matched gold events whose text gives a date
    date_right: int = 0  # … carried by a matching prediction (at the gold's precision or finer)
    undated_gold: int = 0  # matched gold events whose text gives no date
    date_invented: int = 0  # … where every matching prediction carries one anyway


def load_gold(half: str | None) -> list[dict]:
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    if half == "even":
        rows = rows[0::2]
    elif half == "odd":
        rows = rows[1::2]
    return rows


def predict(articles: list[dict], calibration: object = "bundled") -> tuple[dict[str, str], dict[str, list[dict]]]:
    """Clean text and event rows per gold id, through the flow's pure transforms (`calibration`
    as `annotate` takes it: None keeps the rules' own scores)."""
    from dateline.settings import Settings
    from flows.model import load_pipeline
    from transforms.articles import build_articles
    from transforms.nlp import annotate

    settings = Settings()
    raws = [{"text": a["text"], "title": a["title"], "url": a["url"], "published_at": a["published_at"],
             "id": a["id"], "source_key": a["id"]} for a in articles]
    built = build_articles(raws, run_id="bench", pipeline_version=settings.pipeline_version,
                           now=dt.datetime.now(dt.timezone.utc))
    nlp = load_pipeline(*settings.pipeline_spec)
    ann = annotate(nlp, built.articles, run_id="bench", pipeline_version=settings.pipeline_version,
                   calibration=calibration)
    by_aid = {r["article_id"]: r for r in built.articles.to_dicts()}
    texts = {r["external_id"]: r["text"] for r in by_aid.values()}
    events: dict[str, list[dict]] = defaultdict(list)
    for e in ann.events.to_dicts():
        events[by_aid[e["article_id"]]["external_id"]].append(e)
    return texts, events


def gold_spans(art: dict, text: str) -> list[tuple[int, int]]:
    """Where each gold event's cue sits in the clean text ((-1, …) when it is not there)."""
    spans = []
    for g in art["events"]:
        at = text.find(g["cue"])
        spans.append((at, at + len(g["cue"])))
    return spans


def holds_cue(p: dict, span: tuple[int, int]) -> bool:
    """The prediction's evidence sentence holds the gold cue at `span`."""
    return span[0] >= 0 and p["start_char"] <= span[0] and span[1] <= p["end_char"]


def is_match(p: dict, g: dict, span: tuple[int, int]) -> bool:
    """The prediction's sentence holds the gold cue and its type is one the gold accepts."""
    return holds_cue(p, span) and p["event_type"] in g["types"]


def date_matches(p: dict, gold_date: str) -> bool:
    """The prediction's date agrees with the gold's YYYY, YYYY-MM or YYYY-MM-DD (a finer
    prediction inside the gold period counts)."""
    if p["event_date"] is None or p["date_precision"] in (None, "none"):
        return False
    width = {"year": 4, "month": 7, "day": 10}.get(p["date_precision"], 10)
    return width >= len(gold_date) and str(p["event_date"])[: len(gold_date)] == gold_date


def score(articles: list[dict], texts: dict[str, str], events: dict[str, list[dict]], min_conf: float = 0.0,
          misses: list | None = None) -> tuple[Scored, dict]:
    s = Scored()
    per_type: dict[str, Counter] = defaultdict(Counter)
    confusion: Counter = Counter()
    unfound = 0
    for art in articles:
        text = texts.get(art["id"], "")
        preds = [e for e in events.get(art["id"], []) if (e["confidence"] or 0) >= min_conf]
        spans = gold_spans(art, text)
        unfound += sum(span[0] < 0 for span in spans)
        s.predicted += len(preds)
        s.gold += len(art["events"])

        def full(p, g):
            return (p["actor1_country"] == g["actor1"] and p["actor2_country"] == g["actor2"]
                    and p["modality"] in g["modality"])

        for p in preds:
            hits = [g for g, span in zip(art["events"], spans) if is_match(p, g, span)]
            s.predicted_matched += bool(hits)
            s.predicted_full += any(full(p, g) for g in hits)
            if not hits and misses is not None:
                misses.append(("FP", art["id"], p["event_type"], p["trigger"], text[p["start_char"]:p["end_char"]][:160]))
        for g, span in zip(art["events"], spans):
            first = g["types"][0]
            per_type[first]["gold"] += 1
            same_sentence = [p for p in preds if holds_cue(p, span)]
            hits = [p for p in same_sentence if p["event_type"] in g["types"]]
            if hits:
                s.gold_matched += 1
                per_type[first]["matched"] += 1
                s.actor1_right += any(p["actor1_country"] == g["actor1"] for p in hits)
                s.actor2_right += any(p["actor2_country"] == g["actor2"] for p in hits)
                s.modality_right += any(p["modality"] in g["modality"] for p in hits)
                if g.get("date"):
                    s.dated_gold += 1
                    s.date_right += any(date_matches(p, g["date"]) for p in hits)
                else:
                    s.undated_gold += 1
                    s.date_invented += all(p["event_date"] is not None for p in hits)
                if any(full(p, g) for p in hits):
                    s.gold_full += 1
                    per_type[first]["full"] += 1
            else:
                for p in same_sentence:
                    confusion[(first, p["event_type"])] += 1
                if not same_sentence:
                    confusion[(first, "-")] += 1
                if misses is not None:
                    misses.append(("FN", art["id"], "/".join(g["types"]), g["cue"],
                                   [p["event_type"] for p in same_sentence]))
    return s, {"per_type": per_type, "confusion": confusion, "cues_not_found": unfound}


def _r(n: int, d: int) -> str:
    return f"{n / d:.3f} ({n}/{d})" if d else "n/a"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--half", choices=["even", "odd"], default=None)
    ap.add_argument("--misses", type=int, default=0, help="print this many false positives and misses")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    articles = load_gold(args.half)
    texts, events = predict(articles)
    misses: list = []
    s, extra = score(articles, texts, events, misses=misses)
    p, r = s.predicted_matched / max(1, s.predicted), s.gold_matched / max(1, s.gold)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"## Real-news events ({len(articles)} articles{', ' + args.half + ' half' if args.half else ''})\n")
    print("| measure | value |\n|---|---|")
    print(f"| precision | {_r(s.predicted_matched, s.predicted)} |")
    print(f"| recall | {_r(s.gold_matched, s.gold)} |")
    print(f"| F1 | {f1:.3f} |")
    print(f"| fully right, of gold events | {_r(s.gold_full, s.gold)} |")
    print(f"| fully right, of predictions | {_r(s.predicted_full, s.predicted)} |")
    print(f"| actor1 country right, of matched gold | {_r(s.actor1_right, s.gold_matched)} |")
    print(f"| actor2 country right, of matched gold | {_r(s.actor2_right, s.gold_matched)} |")
    print(f"| modality right, of matched gold | {_r(s.modality_right, s.gold_matched)} |")
    print(f"| date carried, of matched gold the text dates | {_r(s.date_right, s.dated_gold)} |")
    print(f"| a date where the text gives none, of matched undated gold | {_r(s.date_invented, s.undated_gold)} |")
    print(f"| gold cues not found in the clean text | {extra['cues_not_found']} |")
    print("\n| type (gold first) | gold | recall | fully right |\n|---|---|---|---|")
    for t, c in sorted(extra["per_type"].items(), key=lambda kv: -kv[1]["gold"]):
        print(f"| {t} | {c['gold']} | {_r(c['matched'], c['gold'])} | {_r(c['full'], c['gold'])} |")
    print("\nTop confusions (gold first type → predicted type in the same sentence; '-' = nothing there):\n")
    print("| gold | predicted | count |\n|---|---|---|")
    for (g, pr), n in extra["confusion"].most_common(15):
        print(f"| {g} | {pr} | {n} |")
    print("\nPrecision/recall over confidence:\n\n| confidence ≥ | predictions | precision | recall |\n|---|---|---|---|")
    curve = []
    from transforms.calibration import load_model

    confident_at = load_model().confident_at  # the `events_confident` view's threshold
    for t in sorted({0.0, 0.5, 0.6, 0.7, 0.8, 0.9, confident_at}):
        c, _ = score(articles, texts, events, min_conf=t)
        curve.append((t, c.predicted, c.predicted_matched / max(1, c.predicted), c.gold_matched / max(1, c.gold)))
        label = f"{t:.3f} (events_confident)" if t == confident_at else f"{t:.1f}"
        print(f"| {label} | {c.predicted} | {curve[-1][2]:.3f} | {curve[-1][3]:.3f} |")
    for m in misses[: args.misses]:
        print(" ", m)
    if args.json:
        print(json.dumps({"precision": p, "recall": r, "f1": f1, "fully_right": s.gold_full / max(1, s.gold),
                          "predicted": s.predicted, "gold": s.gold, "curve": curve}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
