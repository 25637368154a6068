"""Near-duplicate detection (syndicated wire copies) with MinHash over word shingles — pure.

* `shingles(text, k)` — the set of k-word shingles of the normalised text (case-folded, Unicode
  NFKC, punctuation dropped), hashed to 64-bit integers (blake2b, stable across processes).
* `minhash(text, num_perm, seed)` — a `uint64` signature of `num_perm` values, one per universal
  hash ``(a·x + b) mod p`` with the Mersenne prime p = 2**61 − 1 (the construction datasketch
  uses); the share of equal positions in two signatures estimates the Jaccard similarity of the
  shingle sets.
* `near_duplicates(ids, texts, threshold)` — LSH banding (b bands × r rows chosen for the
  threshold) proposes candidate pairs in ~O(n); each candidate is confirmed on the estimated
  Jaccard; clusters are the connected components of confirmed pairs; every later member maps to
  the earliest id of its cluster (input order = "earliest").
* `MinHashIndex` — the same over signatures stored as bytes (`signature_to_bytes`), so new texts
  can be compared with articles already in the warehouse without their text.

All signatures in one comparison must come from the same `num_perm` and `seed`.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np

__all__ = [
    "DEFAULT_NUM_PERM", "DEFAULT_SEED", "DEFAULT_K", "shingles", "minhash", "jaccard", "estimate_jaccard",
    "signature_to_bytes", "signature_from_bytes", "lsh_params", "near_duplicates", "MinHashIndex",
]

DEFAULT_NUM_PERM = 128
DEFAULT_SEED = 1
DEFAULT_K = 5
_MERSENNE = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)
_WORD = re.compile(r"\w+", re.UNICODE)
_EMPTY = np.uint64(np.iinfo(np.uint64).max)  # signature value for a text without shingles


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text or "").casefold())


def shingles(text: str, k: int = DEFAULT_K) -> set[int]:
    """Hashes (32-bit) of the k-word shingles; a text shorter than k words is one shingle."""
    if k < 1:
        raise ValueError("k must be at least 1")
    words = _words(text)
    if not words:
        return set()
    grams = [" ".join(words[i : i + k]) for i in range(max(1, len(words) - k + 1))]
    return {int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=4).digest(), "little") for g in grams}


def jaccard(a: str, b: str, k: int = DEFAULT_K) -> float:
    """Exact Jaccard similarity of the shingle sets (for tests and small checks)."""
    sa, sb = shingles(a, k), shingles(b, k)
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


@lru_cache(maxsize=16)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(seed)
    a = rng.randint(1, int(_MERSENNE), size=num_perm, dtype=np.uint64)
    b = rng.randint(0, int(_MERSENNE), size=num_perm, dtype=np.uint64)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def _signature(hashes: Iterable[int], num_perm: int, seed: int) -> np.ndarray:
    hv = np.fromiter(hashes, dtype=np.uint64)
    if hv.size == 0:
        return np.full(num_perm, _EMPTY, dtype=np.uint64)
    a, b = _permutations(num_perm, seed)
    # (a*x + b) mod p with a < 2**61 and x < 2**32 wraps uint64 exactly as datasketch does
    # (the product is taken mod 2**64 first): deterministic, and what matters is consistency.
    with np.errstate(over="ignore"):
        phv = ((hv[:, None] * a[None, :] + b[None, :]) % _MERSENNE) & _MAX_HASH
    return phv.min(axis=0).astype(np.uint64)


def minhash(text: str, num_perm: int = DEFAULT_NUM_PERM, seed: int = DEFAULT_SEED, k: int = DEFAULT_K) -> np.ndarray:
    """MinHash signature (uint64 array of length num_perm) of the text's k-word shingles."""
    return _signature(shingles(text, k), num_perm, seed)


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    if sig_a.shape != sig_b.shape:
        raise ValueError("signatures of different lengths (different num_perm)")
    if (sig_a == _EMPTY).all() or (sig_b == _EMPTY).all():
        return 0.0  # an empty text is nobody's duplicate
    return float(np.mean(sig_a == sig_b))


def signature_to_bytes(sig: np.ndarray) -> bytes:
    """Little-endian uint64s, for a BLOB column."""
    return np.asarray(sig, dtype="<u8").tobytes()


def signature_from_bytes(data: bytes) -> np.ndarray:
    if len(data) % 8:
        raise ValueError("a MinHash signature is a whole number of 8-byte values")
    return np.frombuffer(data, dtype="<u8").astype(np.uint64)


def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) with bands·rows ≤ num_perm minimising false positives + false negatives
    around the threshold (the optimisation datasketch's MinHashLSH does, by numeric integration)."""
    if not 0.0 < threshold < 1.0:
        raise ValueError("threshold must be between 0 and 1")

    def area(f, lo: float, hi: float, steps: int = 200) -> float:
        xs = np.linspace(lo, hi, steps)
        ys = f(xs)
        return float(np.sum((ys[1:] + ys[:-1]) / 2 * np.diff(xs)))

    best, best_err = (1, num_perm), math.inf
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = area(lambda s: 1 - (1 - s**r) ** b, 0.0, threshold)
            fn = area(lambda s: (1 - s**r) ** b, threshold, 1.0)
            err = 0.5 * fp + 0.5 * fn
            if err < best_err:
                best, best_err = (b, r), err
    return best


_lsh_cache: dict[tuple[float, int], tuple[int, int]] = {}


def _params(threshold: float, num_perm: int) -> tuple[int, int]:
    key = (round(threshold, 4), num_perm)
    if key not in _lsh_cache:
        _lsh_cache[key] = lsh_params(threshold, num_perm)
    return _lsh_cache[key]


class MinHashIndex:
    """LSH index over signatures; `query` returns stored ids whose estimated Jaccard ≥ threshold.

    Feed it the stored signatures of already-loaded articles (`add(id, signature_from_bytes(blob))`),
    then `query(minhash(new_text))` finds the copies among them.
    """

    def __init__(self, threshold: float = 0.8, num_perm: int = DEFAULT_NUM_PERM) -> None:
        self.threshold, self.num_perm = threshold, num_perm
        self.bands, self.rows = _params(threshold, num_perm)
        self._buckets: list[dict[bytes, list[str]]] = [{} for _ in range(self.bands)]
        self._sigs: dict[str, np.ndarray] = {}
        self._order: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._sigs)

    def __contains__(self, key: str) -> bool:
        return key in self._sigs

    def _keys(self, sig: np.ndarray) -> Iterable[tuple[int, bytes]]:
        if sig.shape != (self.num_perm,):
            raise ValueError(f"signature has {sig.shape[0]} values, index expects {self.num_perm}")
        if (sig == _EMPTY).all():
            return []
        raw = np.asarray(sig, dtype="<u8")
        return [(i, raw[i * self.rows : (i + 1) * self.rows].tobytes()) for i in range(self.bands)]

    def add(self, key: str, sig: np.ndarray) -> None:
        if key in self._sigs:
            raise ValueError(f"{key!r} is already in the index")
        self._sigs[key] = sig
        self._order[key] = len(self._order)
        for band, bucket in self._keys(sig):
            self._buckets[band].setdefault(bucket, []).append(key)

    def candidates(self, sig: np.ndarray) -> list[str]:
        seen: dict[str, None] = {}
        for band, bucket in self._keys(sig):
            for key in self._buckets[band].get(bucket, ()):
                seen.setdefault(key, None)
        return list(seen)

    def query(self, sig: np.ndarray) -> list[tuple[str, float]]:
        """(id, estimated Jaccard) of stored near-duplicates, oldest first."""
        hits = [(k, estimate_jaccard(sig, self._sigs[k])) for k in self.candidates(sig)]
        hits = [(k, s) for k, s in hits if s >= self.threshold]
        return sorted(hits, key=lambda h: self._order[h[0]])


def near_duplicates(
    ids: Sequence[str],
    texts: Sequence[str],
    threshold: float = 0.8,
    *,
    num_perm: int = DEFAULT_NUM_PERM,
    seed: int = DEFAULT_SEED,
    k: int = DEFAULT_K,
    signatures: Sequence[np.ndarray] | None = None,
) -> dict[str, str]:
    """{later copy id: earliest id of its cluster} for texts that are near-duplicates.

    Order of `ids` is the age order (earliest first). Pass precomputed `signatures` to skip hashing.
    A cluster is transitive (A~B, B~C puts C with A even when A and C differ more).
    """
    if len(ids) != len(texts):
        raise ValueError("ids and texts differ in length")
    if len(set(ids)) != len(ids):
        raise ValueError("ids must be unique")
    sigs = list(signatures) if signatures is not None else [minhash(t, num_perm, seed, k) for t in texts]
    index = MinHashIndex(threshold, num_perm)
    parent = list(range(len(ids)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    position = {key: i for i, key in enumerate(ids)}
    for i, (key, sig) in enumerate(zip(ids, sigs)):
        for other, _score in index.query(sig):
            a, b = find(position[other]), find(i)
            if a != b:
                parent[max(a, b)] = min(a, b)  # the root is always the earliest member
        index.add(key, sig)
    return {ids[i]: ids[find(i)] for i in range(len(ids)) if find(i) != i}


def assign_dup_of(
    index: MinHashIndex,
    ids: Sequence[str],
    texts: Sequence[str],
    dup_of_known: dict[str, str | None] | None = None,
) -> tuple[list[str | None], list[np.ndarray]]:
    """For a batch (oldest first), the cluster root each article copies, against `index`.

    The index holds earlier articles (previous batches and runs); each article is added after
    it is checked, so a later copy in the same batch finds an earlier one. A copy of a copy
    points at the cluster's root (`dup_of_known` gives the roots of indexed articles).
    """
    roots = dict(dup_of_known or {})
    out: list[str | None] = []
    sigs: list[np.ndarray] = []
    for key, text in zip(ids, texts):
        sig = minhash(text, index.num_perm)
        hits = [h for h, _ in index.query(sig) if h != key]
        root = (roots.get(hits[0]) or hits[0]) if hits else None
        out.append(root)
        roots[key] = root
        if key not in index:
            index.add(key, sig)
        sigs.append(sig)
    return out, sigs
