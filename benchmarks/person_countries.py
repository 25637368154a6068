"""Mine `transforms/data/person_countries.csv`: the country of people the news names, learnt
from the articles that state it.

    .venv/bin/python benchmarks/person_countries.py [--limit N] [--check]

An article that writes "U.S. Secretary of State Antony Blinken" or "Kim Jong-un, North Korea's
leader" tells a reader where that person is from; the next article may just say "Mr Blinken met
Marcelo Ebrard in Mexico City". The entity rules (`transforms.entities._affiliations`) read such a
stated country inside one article; this script counts them over the shared corpora (dai2017 and
the BBC articles) and keeps a person when at least MIN_ARTICLES articles state a country and
at least SHARE of them state the same one. The 30 realnews_dev articles are left out, so the
yardstick does not score knowledge taken from its own texts. The file records how many articles
gave the country (its provenance); `doc_mentions` uses it only when the article itself says nothing.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPORA = ROOT.parent / "shared" / "corpora"
DAI = CORPORA / "articles" / "news_articles_dai2017" / "NewsArticles.csv.gz"
BBC = CORPORA / "articles" / "bbc_news" / "bbc_news.jsonl.gz"
GOLD = CORPORA / "events" / "realnews_dev" / "gold.jsonl"
OUT = ROOT / "transforms" / "data" / "person_countries.csv"
MIN_ARTICLES = 2
SHARE = 0.8
FIRST_NAME = "\0first name"


def texts(limit: int | None) -> list[str]:
    """Article texts of dai2017 (minus the realnews_dev articles) and the BBC corpus."""
    held = {json.loads(line)["id"].removeprefix("dai2017-") for line in GOLD.read_text(encoding="utf-8").splitlines()}
    csv.field_size_limit(1 << 24)
    out = []
    with gzip.open(DAI, "rt", encoding="utf-8", errors="replace") as fh:
        for row in csv.DictReader(fh):
            if row["article_id"] not in held and row["text"]:
                out.append(row["text"])
    with gzip.open(BBC, "rt", encoding="utf-8") as fh:
        out.extend(json.loads(line)["text"] for line in fh)
    return out[:limit] if limit else out


def mine(docs) -> tuple[dict[str, Counter], dict[str, Counter]]:
    """(votes, surnames): canonical person name → Counter of countries, one vote per article that
    states one; surname → Counter of the full names carrying it, one per article."""
    from transforms.entities import doc_mentions

    votes: dict[str, Counter] = defaultdict(Counter)
    surnames: dict[str, Counter] = defaultdict(Counter)
    for doc in docs:
        people = [m for m in doc_mentions(doc, people={}) if m.label == "PERSON"]
        for name, country in {(m.name, m.country_code) for m in people if m.country_code}:
            votes[name][country] += 1
        for name in {m.name for m in people if " " in m.name}:
            first, last = name.split(" ", 1)[0], name.rsplit(" ", 1)[1]
            surnames[last][name] += 1
            surnames[first][FIRST_NAME] += 1  # "Gabriel" opens other names: not a surname to trust
    return votes, surnames


def keep(votes: dict[str, Counter], surnames: dict[str, Counter]) -> list[tuple[str, str, int, int, str]]:
    """(name, country, articles stating it, articles stating any, full name) for people clear
    enough to keep: full names (two words or more), and a surname of four letters or more when one
    kept person carries SHARE of the names that hold it in the corpus, as surname or first name
    ("Trump" → Donald Trump; "Smith", "Gabriel" → nobody)."""
    rows = []
    for name, counter in votes.items():
        country, n = counter.most_common(1)[0]
        total = sum(counter.values())
        if " " in name and n >= MIN_ARTICLES and n >= SHARE * total:
            rows.append((name, country, n, total, name))
    kept = {r[0]: r for r in rows}
    for surname, names in surnames.items():
        full, n = names.most_common(1)[0]
        if full in kept and len(surname) >= 4 and n >= SHARE * sum(names.values()):
            rows.append((surname, kept[full][1], kept[full][2], kept[full][3], full))
    return sorted(rows, key=lambda r: (-r[2], r[0]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--check", action="store_true", help="print the people kept without writing the file")
    args = ap.parse_args(argv)
    from dateline.settings import Settings
    from flows.model import load_pipeline

    nlp = load_pipeline(*Settings().pipeline_spec)
    corpus = texts(args.limit)
    rows = keep(*mine(nlp.pipe(corpus, batch_size=16, n_process=2)))
    print(f"{len(corpus)} articles → {len(rows)} people")
    for row in rows[:30]:
        print(row)
    if not args.check:
        with OUT.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["name", "country", "articles", "articles_stating_any", "person"])
            w.writerows(rows)
        print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
