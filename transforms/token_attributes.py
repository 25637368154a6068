"""POS, morphology and lemmas from the model's own attribute_ruler and lemmatizer, computed once
per distinct (word, tag, dependency) instead of once per token.

In `en_core_web_sm` the attribute_ruler (179 Matcher patterns tried at every token) and the rule
lemmatizer (a Python call per token) are a large share of `nlp.pipe` (benchmarks/RESULTS.md), yet their output for a token depends only on its text, its tag and its dependency
label — every pattern but a handful of two-word ones ("there is", "gon na") looks at one token.
So `CachedAttributes` keeps a table (word, tag, dep) → (POS, MORPH, lemma; TAG and DEP as the
ruler leaves them) per pipeline, fills it by running the *real* components on the new keys of a
batch (one small Doc, one token per key), writes a Doc's values with one `Doc.from_array`, and
runs the multi-token patterns with their own small ruler. The result is the model's own annotation, not an approximation: the
tests compare it with the two components token by token.

`IndexList` speeds up the lemmatizer's own lookups (it still runs for every new key, and for the
model as shipped when the cache is off).

Pure: no I/O; the table grows with the vocabulary (bounded by `max_entries`, then it restarts).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy

NAME = "dateline_token_attributes"
"""The pipeline component's factory name."""

REPLACES = ("attribute_ruler", "lemmatizer")
"""The model components whose output this component reproduces (they are disabled in its favour)."""

_ROW_BYTES = numpy.dtype((numpy.void, 24))  # one (ORTH, TAG, DEP) row of uint64s as a hashable bytes key
_VALUE_BYTES = numpy.dtype((numpy.void, 48))  # its six uint64 values, packed (~200 bytes an entry in all)

MAX_ENTRIES = 150_000
"""Keys held before the table restarts (~200 bytes each, so ≤ ~30 MB). 1,000 news articles give
~86,000 keys; number-heavy wire text (every figure its own word) grows faster, and a bound keeps
memory flat however many articles a long run reads."""


class IndexList(list):
    """A list with set-speed membership, for the rule lemmatizer's word index.

    spaCy's rule lemmatizer asks `form in index` for every candidate form of a new word, and the
    model stores each part of speech's index as a plain list (57,528 nouns): a linear scan per
    candidate. Same items and order, so the answers and serialisation (msgpack sees a list) are
    unchanged; read-only after construction (the set is not kept in step with mutations).
    """

    def __init__(self, items):
        super().__init__(items)
        self._members = frozenset(self)

    def __contains__(self, item) -> bool:
        return item in self._members


def index_lemmas_by_set(nlp) -> None:
    """Give the lemmatizer's `lemma_index` lists set-speed membership (see `IndexList`)."""
    if "lemmatizer" not in nlp.component_names:
        return
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return
    table = lookups.get_table("lemma_index")
    for key in list(table.keys()):
        if isinstance(table[key], list) and not isinstance(table[key], IndexList):
            table[key] = IndexList(table[key])


def _split_patterns(patterns: list[dict]) -> tuple[list[dict], list[dict]]:
    """(single-token patterns, patterns with a token sequence): only the first kind is cacheable."""
    single, multi = [], []
    for p in patterns:
        (multi if any(len(seq) > 1 for seq in p["patterns"]) else single).append(p)
    return single, multi


class CachedAttributes:
    """The attribute_ruler + lemmatizer pair, memoised on (ORTH, TAG, DEP)."""

    def __init__(self, vocab, attribute_ruler, lemmatizer, max_entries: int = MAX_ENTRIES):
        from spacy.pipeline import AttributeRuler

        single, multi = _split_patterns(attribute_ruler.patterns)
        self._single = AttributeRuler(vocab)
        self._single.add_patterns(single)
        self._multi = AttributeRuler(vocab) if multi else None
        if self._multi is not None:
            self._multi.add_patterns(multi)
        self._lemmatizer = lemmatizer
        self._vocab = vocab
        # (ORTH, TAG, DEP) as 24 raw bytes → (TAG, DEP, POS, MORPH, ruler lemma, lemma) as 48 raw bytes
        self._table: dict[bytes, bytes] = {}
        self._max = max_entries

    def reset(self) -> None:
        """Forget every key, and the lemmatizer's own cache (spaCy never prunes it: it would grow
        with the vocabulary of a long run). Used on restart and by benchmarks to start cold."""
        self._table.clear()
        getattr(self._lemmatizer, "cache", {}).clear()

    # spaCy calls __call__ for nlp(text) and pipe() for nlp.pipe(texts)
    def __call__(self, doc):
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable, batch_size: int = 256) -> Iterator:
        from spacy.util import minibatch

        for batch in minibatch(docs, size=batch_size):
            yield from self._annotate_batch(batch)

    def _annotate_batch(self, docs: list) -> list:
        """Look each distinct key of the batch up once (numpy does the per-token work)."""
        from spacy.attrs import DEP, ORTH, TAG

        keys = [doc.to_array([ORTH, TAG, DEP]).reshape(-1, 3) for doc in docs]
        distinct, inverse = numpy.unique(numpy.concatenate(keys), axis=0, return_inverse=True)
        distinct_keys = numpy.ascontiguousarray(distinct).view(_ROW_BYTES).ravel().tolist()
        table = self._table
        missing = [k for k in distinct_keys if k not in table]
        if len(table) + len(missing) > self._max:  # restart the table, keeping this batch's keys
            self.reset()
            missing = distinct_keys
        self._learn(missing)
        found = b"".join([table[k] for k in distinct_keys])
        values = numpy.frombuffer(found, dtype="uint64").reshape(-1, 6)[inverse.reshape(-1)]
        offset = 0
        for doc, doc_keys in zip(docs, keys):
            self._annotate(doc, values[offset : offset + len(doc_keys)])
            offset += len(doc_keys)
        return docs

    def _learn(self, keys: list[bytes]) -> None:
        """Run the real components once on each key (one token per key; no pattern sees a neighbour)."""
        from spacy.attrs import DEP, LEMMA, MORPH, POS, TAG
        from spacy.tokens import Doc

        if not keys:
            return
        rows = numpy.frombuffer(b"".join(keys), dtype="uint64").reshape(-1, 3)
        strings = self._vocab.strings
        probe = Doc(self._vocab, words=[strings[o] for o in rows[:, 0].tolist()], spaces=[True] * len(keys))
        probe.from_array([TAG, DEP], numpy.ascontiguousarray(rows[:, 1:]))
        probe = self._single(probe)
        ruler_lemmas = probe.to_array([LEMMA])
        probe = self._lemmatizer(probe)
        values = probe.to_array([TAG, DEP, POS, MORPH, LEMMA])
        rows = numpy.column_stack([values[:, :4], ruler_lemmas, values[:, 4]]).astype("uint64")
        self._table.update(zip(keys, numpy.ascontiguousarray(rows).view(_VALUE_BYTES).ravel().tolist()))

    def _annotate(self, doc, values: numpy.ndarray) -> None:
        """Write the (TAG, DEP, POS, MORPH, lemma) rows to `doc`, then replay the multi-token patterns.

        TAG and DEP are written too because a pattern may set them (whitespace tokens get `_SP`/`dep`).
        """
        from spacy.attrs import DEP, LEMMA, MORPH, POS, TAG

        if not len(doc):
            return
        doc.from_array([TAG, DEP, POS, MORPH, LEMMA], numpy.ascontiguousarray(values[:, [0, 1, 2, 3, 5]]))
        if self._multi is None:
            return
        matches = self._multi.match(doc)
        if not matches:
            return
        # a multi-token pattern acts after the single ones and before the lemmatizer: replay that
        touched = sorted({i for _, _, start, end in matches for i in range(start, end)})
        for i in touched:
            doc[i].lemma = int(values[i, 4])
        self._multi.set_annotations(doc, matches)
        for i in touched:
            token = doc[i]
            if token.lemma == 0:
                token.lemma_ = self._lemmatizer.lemmatize(token)[0]


def register() -> None:
    """Register the component's factory with spaCy (idempotent).

    The factory takes the live attribute_ruler and lemmatizer of the pipeline it is added to, so
    it follows whichever model is configured.
    """
    from spacy.language import Language

    if Language.has_factory(NAME):
        return

    @Language.factory(NAME)
    def _make(nlp, name):  # noqa: ARG001 - spaCy's factory signature
        return CachedAttributes(nlp.vocab, nlp.get_pipe("attribute_ruler"), nlp.get_pipe("lemmatizer"))
