"""Entity rules on top of the statistical NER: what the small model gets wrong on news, fixed by
rules that generalise.

`resolve(doc, ner)` takes the model's entities and returns corrected ones:

1. **ALL-CAPS lines** (headlines, datelines, results tables): the model reads case, so it misses or
   mislabels names in capitals. Each such line is truecased — a word takes the casing it has
   elsewhere in the article, else a gazetteer name keeps its casing, else a common English word is
   lowercased, else it is capitalised — and the line's entities come from the NER run again on the
   truecased words (same tokens, so offsets are unchanged).
2. **Split** spans that run across a line break, a bracket, a spaced dash, a comma or a semicolon
   ("Romania - Cosmin Contra", "Scott Draper ( Australia").
3. **Trim** leading articles and trailing possessives, punctuation, numbers ("Durham 114") and
   lowercase words ("Interfax news agency" → "Interfax"); drop spans with no capital letter.
4. **Initials** before a person ("G. Kersey").
5. **Acronym in parentheses** after a long name: "Korean Central News Agency (KCNA)" tags both.
6. **Gazetteer ruler**: countries, capitals, large cities, demonyms and international organisations
   (`transforms.gazetteer.surfaces`) tag names the model missed and fix labels it got wrong; a
   name inside a longer entity ("Bank of England") is left to the longer one.
7. **One article, one reading**: a surname of a person named in full is that person ("Jordan"
   after "Michael Jordan"); a name tagged somewhere in the article takes its majority label
   everywhere and is tagged where the model missed it.

Spans of other labels (DATE, CARDINAL, …) are kept unless a named span now covers them. The
`dateline_ruler` pipeline component (added after "ner" by `flows.model.load_pipeline`) writes the
result to `doc.ents`, so everything downstream (mentions, events' `ent_type_`) sees one reading.
Pure: reads only the package's data files.

Rule 1 lives in `transforms.recase`, rules 2–5 and the `Ent` span type in `transforms.ruler_spans`,
rules 6–7 in `transforms.ruler_consistency`; this module is the pipeline component and the order
the rules run in.
"""

from __future__ import annotations

from transforms.recase import _caps_segments, _membership, _recase_caps, _truecased_doc, remember_lexicon
from transforms.ruler_consistency import _consistency, _drop_initial_common_words, _gazetteer, _teams
from transforms.ruler_spans import NAMED_LABELS, Ent, _acronyms, _initials, _split, _trim

DONE = "dateline_ruler"
"""`doc.user_data` key set once `apply` has rewritten a Doc's entities."""


# ---------------------------------------------------------------- the pipeline component


def apply(doc, ner=None, recased=None, caps=None):
    """Rewrite `doc.ents` with the resolved entities; mark the Doc so it is not done twice."""
    from spacy.tokens import Span

    from spacy.util import filter_spans

    # Rules may propose overlapping spans (e.g. a gazetteer name inside a re-split span); keep
    # the longest of each overlap so set_ents never sees a token twice.
    named = filter_spans([Span(doc, e.start, e.end, label=e.label) for e in resolve(doc, ner, recased, caps)])
    taken = {i for e in named for i in range(e.start, e.end)}
    others = [e for e in doc.ents
              if e.label_ not in NAMED_LABELS and not any(i in taken for i in range(e.start, e.end))]
    doc.set_ents(sorted(named + others, key=lambda e: e.start), default="outside")
    doc.user_data[DONE] = True
    return doc


class DatelineRuler:
    """spaCy component: `apply` with the pipeline's own NER for capitals lines."""

    def __init__(self, ner):
        self.ner = ner

    def __call__(self, doc):
        return apply(doc, self.ner)

    def pipe(self, docs, batch_size: int = 128):
        """Like __call__ over a stream, but the capitals lines of a whole batch of articles go to
        the NER in one call: many one-Doc NER calls are several times slower (thinc/BLAS set-up
        per call), badly so on a loaded machine."""
        from spacy.util import minibatch

        for batch in minibatch(docs, size=batch_size):
            subs, owners = [], []
            caps = [_caps_segments(doc) for doc in batch]
            for k, doc in enumerate(batch):
                if caps[k] and self.ner is not None:
                    sub, origin = _truecased_doc(doc, caps[k])
                    subs.append(sub)
                    owners.append((k, origin))
            recased: dict[int, tuple] = {}
            if subs:
                for (k, origin), sub in zip(owners, self.ner.pipe(subs, batch_size=len(subs))):
                    recased[k] = (sub, origin)
            for k, doc in enumerate(batch):
                yield apply(doc, None, recased.get(k), caps[k])


def register() -> None:
    """Register the `dateline_ruler` factory with spaCy (idempotent)."""
    from spacy.language import Language

    if Language.has_factory(DONE):
        return

    @Language.factory(DONE)
    def _make(nlp, name):  # noqa: ARG001 - spaCy's factory signature
        remember_lexicon(nlp)
        return DatelineRuler(nlp.get_pipe("ner") if "ner" in nlp.pipe_names else None)


# ---------------------------------------------------------------- resolve


def resolve(doc, ner=None, recased=None, caps=None) -> list[Ent]:
    """The article's named entities after all rules (see the module docstring).

    `ner` re-reads capitals lines; `recased` is that reading done beforehand (by
    `DatelineRuler.pipe`, one NER batch for many articles): (truecased Doc, origin indices);
    `caps` the capitals lines if already found.
    """
    ents = [Ent(e.start, e.end, e.label_) for e in doc.ents]
    caps = _caps_segments(doc) if caps is None else caps
    if caps and recased is None and ner is not None:
        sub, origin = _truecased_doc(doc, caps)
        recased = (ner(sub), origin)
    if caps and recased is not None:
        ents = _recase_caps(doc, ents, caps, recased)
    in_caps = _membership(caps)
    ents = [e for e in ents if e.label in NAMED_LABELS]
    ents = [piece for e in ents for piece in _split(doc, e)]
    ents = [t for t in (_trim(doc, e) for e in ents) if t is not None]
    ents = [_initials(doc, e) for e in ents]
    ents = _acronyms(doc, ents)
    ents = _gazetteer(doc, ents, in_caps)
    ents = _drop_initial_common_words(doc, ents, in_caps)
    teams = _teams(doc)
    ents = _consistency(doc, ents, in_caps, teams)
    return sorted(ents, key=lambda e: e.start)
