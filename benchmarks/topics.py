"""Train and check the article-topic model (`transforms/topics.py`) on BBC News's topic folders.

    .venv/bin/python benchmarks/topics.py            # train on the even-numbered files, score the odd
    .venv/bin/python benchmarks/topics.py --write    # then train on all and write transforms/data/topics.json.gz

The shipped model is trained on all 2,225 files; its accuracy is the one measured here, on files
the even-half model never saw. Only word statistics are written, never text.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transforms import topics  # noqa: E402

BBC = ROOT.parent / "shared" / "corpora" / "articles" / "bbc_news" / "bbc"


def bbc_docs() -> list[tuple[str, str, int]]:
    """(topic, text, file number) for every BBC file (cp1252 like the corpus)."""
    out = []
    for folder in sorted(p for p in BBC.iterdir() if p.is_dir()):
        for path in sorted(folder.glob("*.txt")):
            out.append((folder.name, path.read_bytes().decode("cp1252", "replace"), int(path.stem)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    docs = bbc_docs()
    train = [(t, x) for t, x, n in docs if n % 2 == 0]
    test = [(t, x) for t, x, n in docs if n % 2 == 1]
    data = topics.train(train)
    m = topics.TopicModel(tuple(data["topics"]), tuple(data["log_prior"]),
                          {w: tuple(v) for w, v in data["log_prob"].items()})
    confusion: Counter = Counter()
    confident = right_confident = 0
    for gold, text in test:
        got, p = topics.topic_of(text, m)
        confusion[(gold, got)] += 1
        if p >= 0.9:
            confident += 1
            right_confident += got == gold
    right = sum(n for (g, p), n in confusion.items() if g == p)
    print(f"trained on {len(train)} even-numbered files, scored on {len(test)} odd-numbered ones")
    print(f"accuracy {right / len(test):.3f} ({right}/{len(test)}); at p >= 0.9: "
          f"{right_confident / max(1, confident):.3f} ({right_confident}/{confident})")
    print("confusions:", {f"{g}->{p}": n for (g, p), n in sorted(confusion.items()) if g != p})
    if args.write:
        full = topics.train([(t, x) for t, x, _ in docs])
        topics.MODEL.write_bytes(gzip.compress(json.dumps(full, separators=(",", ":")).encode(), mtime=0))
        print(f"wrote {topics.MODEL} ({topics.MODEL.stat().st_size:,} bytes, {len(full['log_prob'])} words)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
