"""An article's broad topic (politics, business, sport, entertainment, tech), to tell which sense
a trigger is read in: "beat", "attack" and "defeat" in a match report are not assaults, an index
"rallying" is not a protest.

A multinomial naive Bayes model over lower-cased words, trained on the BBC News corpus's five
topic folders by `benchmarks/topics.py` and kept as word statistics in `data/topics.json.gz`
(no article text). Pure: reads only that data file.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MODEL = Path(__file__).parent / "data" / "topics.json.gz"
_WORD = re.compile(r"[a-z][a-z'’-]+")
SAMPLE_CHARS = 4000  # the opening of an article says what it is about


@dataclass(frozen=True)
class TopicModel:
    topics: tuple[str, ...]
    log_prior: tuple[float, ...]
    log_prob: dict[str, tuple[float, ...]]  # word → log P(word | topic) per topic


def words(text: str) -> list[str]:
    return _WORD.findall(text[:SAMPLE_CHARS].lower())


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL) -> TopicModel:
    data = json.loads(gzip.decompress(path.read_bytes()))
    return TopicModel(tuple(data["topics"]), tuple(data["log_prior"]),
                      {w: tuple(v) for w, v in data["log_prob"].items()})


def topic_of(text: str, model: TopicModel | None = None) -> tuple[str, float]:
    """The most probable topic and its posterior probability (words the model does not list
    count for nothing)."""
    model = model or load_model()
    scores = list(model.log_prior)
    for w in words(text):
        probs = model.log_prob.get(w)
        if probs is not None:
            for k, lp in enumerate(probs):
                scores[k] += lp
    top = max(range(len(scores)), key=scores.__getitem__)
    total = sum(math.exp(s - scores[top]) for s in scores)
    return model.topics[top], 1.0 / total


def train(docs: list[tuple[str, str]], vocabulary: int = 6000, min_docs: int = 3) -> dict:
    """Word statistics for `topic_of` from (topic, text) pairs: the `vocabulary` words whose
    probabilities differ most between topics, Laplace-smoothed."""
    topics = sorted({t for t, _ in docs})
    counts = {t: {} for t in topics}
    doc_freq: dict[str, int] = {}
    n_docs = {t: 0 for t in topics}
    for topic, text in docs:
        n_docs[topic] += 1
        ws = words(text)
        for w in ws:
            counts[topic][w] = counts[topic].get(w, 0) + 1
        for w in set(ws):
            doc_freq[w] = doc_freq.get(w, 0) + 1
    vocab = [w for w, n in doc_freq.items() if n >= min_docs]
    totals = {t: sum(counts[t].get(w, 0) for w in vocab) + len(vocab) for t in topics}
    log_prob = {w: [math.log((counts[t].get(w, 0) + 1) / totals[t]) for t in topics] for w in vocab}
    spread = sorted(vocab, key=lambda w: max(log_prob[w]) - min(log_prob[w]), reverse=True)[:vocabulary]
    return {
        "topics": topics,
        "log_prior": [math.log(n_docs[t] / len(docs)) for t in topics],
        "log_prob": {w: [round(x, 4) for x in log_prob[w]] for w in sorted(spread)},
    }
