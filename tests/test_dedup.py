"""MinHash near-duplicates: a wire story reprinted with small edits clusters; other stories do not."""

from __future__ import annotations

import random

import numpy as np
import pytest

from transforms import dedup
from transforms.dedup import (MinHashIndex, estimate_jaccard, jaccard, lsh_params, minhash, near_duplicates,
                              shingles, signature_from_bytes, signature_to_bytes)

WIRE = """SEOUL, South Korea (AP) — North Korea fired a long-range ballistic missile into the sea off its east
coast on Monday, South Korea's military said, days after the North vowed a stern response to what it called
hostile joint drills by the United States and South Korea. The Joint Chiefs of Staff in Seoul said the
missile was launched from near Pyongyang at about 8:20 a.m. and flew roughly 1,000 kilometers before
landing in waters outside Japan's exclusive economic zone. Japan's defense ministry confirmed the launch
and said there were no reports of damage to ships or aircraft. The launch was the North's first test of a
long-range weapon in about two months. Analysts say Pyongyang is trying to pressure Washington into
accepting it as a nuclear power and to win relief from sanctions. The United States condemned the launch
and urged the North to return to talks without preconditions, a State Department spokesperson said in a
statement. The U.N. Security Council is expected to meet later this week to discuss the test, diplomats
said, although Russia and China have blocked previous attempts to tighten sanctions on the North."""

# the same story as three sites printed it: a new dateline/credit, a trimmed last sentence, a
# rewritten first paragraph, an inserted "Related:" line, different punctuation
COPY_A = WIRE.replace("SEOUL, South Korea (AP) —", "By The Associated Press\nSEOUL —").replace(
    "diplomats\nsaid, although Russia and China have blocked previous attempts to tighten sanctions on the North.",
    "diplomats said.")
COPY_B = WIRE.replace("on Monday", "early Monday").replace("about 8:20 a.m.", "8:20 a.m. local time") + (
    "\nCopyright 2024 The Associated Press. All rights reserved.")
COPY_C = WIRE.replace("The launch was the North's first", "RELATED: Kim inspects new submarine\nThe launch was the North's first")

OTHER_1 = """WASHINGTON (Reuters) — The Federal Reserve held interest rates steady on Wednesday and signalled it
still expects to cut borrowing costs later this year, even as inflation has proved stickier than officials
had hoped. Fed Chair Jerome Powell told reporters that policymakers need greater confidence that price
pressures are easing before lowering rates, and that recent data had not provided it. Markets rose after
the announcement, with the S&P 500 closing at a record high, while Treasury yields fell."""

OTHER_2 = """NAIROBI, Kenya — Heavy rains and flooding have killed at least 38 people in Kenya over the past week,
the interior ministry said on Friday, as rivers burst their banks and landslides cut off roads in several
counties. Thousands of families have been displaced and schools in the worst-hit areas will stay closed,
officials said. The Kenya Red Cross said it had rescued dozens of people trapped by floodwaters in
Nairobi's informal settlements and warned that more rain was forecast for the coming days."""

# a different story on the same topic: shares entities and phrases, but it is not a copy
SAME_TOPIC = """SEOUL, South Korea — South Korea and the United States began their largest joint military drills
in years on Monday, a move North Korea has repeatedly called a rehearsal for invasion. The Joint Chiefs of
Staff said the exercises would run for 11 days and include live-fire training near the border. North
Korea's state media warned of overwhelming countermeasures. Analysts expect the North to respond with
more missile launches in the coming weeks, as it did after similar drills last year."""


def test_shingles_normalise_case_and_punctuation():
    assert shingles("The Quick, brown fox!", k=2) == shingles("the quick brown — FOX", k=2)
    assert len(shingles("one two three four five six", k=5)) == 2
    assert len(shingles("short text", k=5)) == 1
    assert shingles("", k=5) == set() and shingles("  ,; ", k=5) == set()
    with pytest.raises(ValueError):
        shingles("x", k=0)


def test_minhash_is_deterministic_and_estimates_jaccard():
    sig = minhash(WIRE)
    assert sig.dtype == np.uint64 and sig.shape == (128,)
    assert np.array_equal(sig, minhash(WIRE))
    assert not np.array_equal(sig, minhash(WIRE, seed=2))
    for other in (COPY_A, COPY_B, COPY_C, SAME_TOPIC, OTHER_1):
        assert abs(estimate_jaccard(sig, minhash(other)) - jaccard(WIRE, other)) < 0.15


def test_signatures_stay_comparable_with_stored_ones():
    """Signatures are stored (`article_signatures`) and compared with new ones in later runs, so
    the shingling, hash and permutations must not change silently: these values come from the
    format in use since f810459, and a change here needs stored signatures recomputed."""
    sig = minhash(WIRE)
    assert sig[:4].tolist() == [4538164, 14895842, 37880534, 6554001]
    assert int(sig.sum()) == 3239619530


def test_signatures_round_trip_through_bytes():
    sig = minhash(COPY_B)
    blob = signature_to_bytes(sig)
    assert isinstance(blob, bytes) and len(blob) == 128 * 8
    assert np.array_equal(signature_from_bytes(blob), sig)
    with pytest.raises(ValueError):
        signature_from_bytes(blob[:-3])


def test_lsh_params_fit_the_signature():
    b, r = lsh_params(0.8, 128)
    assert b * r <= 128 and b > 1 and r > 1


def test_wire_copies_cluster_to_the_earliest_and_other_stories_stay_apart():
    ids = ["ap-1", "other-1", "site-a", "same-topic", "site-b", "other-2", "site-c"]
    texts = [WIRE, OTHER_1, COPY_A, SAME_TOPIC, COPY_B, OTHER_2, COPY_C]
    assert near_duplicates(ids, texts, threshold=0.6) == {"site-a": "ap-1", "site-b": "ap-1", "site-c": "ap-1"}


def test_the_earliest_is_the_cluster_head_even_when_copies_come_first():
    ids = ["c", "b", "a"]
    assert near_duplicates(ids, [COPY_C, COPY_B, WIRE], threshold=0.6) == {"b": "c", "a": "c"}


def test_exact_and_empty_texts():
    assert near_duplicates(["x", "y"], [WIRE, WIRE]) == {"y": "x"}
    assert near_duplicates(["x", "y"], ["", ""]) == {}  # nothing to compare: not duplicates
    assert near_duplicates([], []) == {}
    with pytest.raises(ValueError):
        near_duplicates(["x", "x"], [WIRE, WIRE])
    with pytest.raises(ValueError):
        near_duplicates(["x"], [WIRE, WIRE])


def test_new_texts_against_stored_signatures():
    stored = {"db-1": signature_to_bytes(minhash(WIRE)), "db-2": signature_to_bytes(minhash(OTHER_1))}
    index = MinHashIndex(threshold=0.6)
    for aid, blob in stored.items():
        index.add(aid, signature_from_bytes(blob))
    hits = index.query(minhash(COPY_B))
    assert [h[0] for h in hits] == ["db-1"] and hits[0][1] >= 0.6
    assert index.query(minhash(OTHER_2)) == []
    assert index.query(minhash(SAME_TOPIC)) == []


def _random_story(rng: random.Random, vocab: list[str], n: int = 250) -> str:
    return " ".join(rng.choice(vocab) for _ in range(n))


def test_thousands_of_articles_compare_few_pairs(monkeypatch):
    """LSH keeps the work near-linear: of 1,500 articles' ~1.1 million pairs only bucket
    collisions are compared (counted, not timed: speed belongs in benchmarks)."""
    compared = []
    real = dedup.estimate_jaccard
    monkeypatch.setattr(dedup, "estimate_jaccard", lambda a, b: compared.append(1) or real(a, b))
    rng = random.Random(7)
    vocab = [f"w{i}" for i in range(5000)]
    stories = [_random_story(rng, vocab) for _ in range(1500)]
    ids = [f"a{i}" for i in range(1500)]
    # every 50th article is a lightly edited copy of the one before it
    for i in range(1, 1500, 50):
        words = stories[i - 1].split()
        words[10] = "edited"
        stories[i] = " ".join(words)
    dups = near_duplicates(ids, stories, threshold=0.8)
    assert 30 <= len(compared) < 3 * len(stories)  # the 30 copies at least; never all pairs
    assert dups == {f"a{i}": f"a{i - 1}" for i in range(1, 1500, 50)}
