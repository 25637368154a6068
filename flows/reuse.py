"""Within one run, a syndicated copy takes the annotation made for an earlier article (`transforms.copies`).

The driver plans each batch before its NLP task is submitted: an article whose annotation key was
annotated in this run's recent batches, or is being annotated now, or appears earlier in the same
batch, goes to no NLP task. When its batch finishes (batches finish in order, so the article it
copies has been annotated by then) its rows are made from that annotation. Only the annotations
of the last few batches are kept, so memory stays bounded by the batch size, not the run.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import polars as pl

from transforms.copies import as_copy, combined, per_article, split_copies
from transforms.nlp import Annotations


@dataclass
class Plan:
    """One batch's split: what goes to NLP, and the copies filled from annotations by key."""

    to_annotate: pl.DataFrame
    copies: dict[str, str]  # copy article_id → annotation key
    annotated: dict[str, str]  # annotation key → article_id annotated in this batch
    order: list[str]  # every article of the batch, in input order (entities are made in it)


@dataclass
class AnnotationReuse:
    """Annotation keys of the run's recent batches, and those batches' annotations."""

    enabled: bool = True
    batches_kept: int = 4
    _recent: deque[tuple[dict[str, str], Annotations]] = field(default_factory=deque)
    _in_flight: dict[str, int] = field(default_factory=dict)  # key → planned batches still annotating it
    copied: int = 0  # articles whose annotation was reused, for the run summary's log

    def plan(self, todo: pl.DataFrame) -> Plan:
        """Split a batch's articles to annotate into the ones NLP must see and their copies."""
        if not self.enabled:
            return Plan(todo, {}, {}, [])
        known = set(self._in_flight)
        for keys, _ in self._recent:
            known.update(keys)
        to_annotate, copies, annotated = split_copies(todo, known)  # each text hashed once
        for key in annotated:
            self._in_flight[key] = self._in_flight.get(key, 0) + 1
        return Plan(to_annotate, copies, annotated, todo["article_id"].to_list())

    def fill(self, plan: Plan, ann: Annotations) -> Annotations:
        """The batch's annotation with its copies' rows added; remembers it for later batches."""
        for key in plan.annotated:
            left = self._in_flight.pop(key) - 1
            if left:
                self._in_flight[key] = left
        self._recent.append((plan.annotated, ann))
        if not plan.copies:
            self._trim()
            return ann
        wanted: dict[str, list[str]] = {}
        for copy_id, key in plan.copies.items():
            wanted.setdefault(key, []).append(copy_id)
        parts = [ann]
        for keys, batch_ann in self._recent:
            sources = {keys[k]: k for k in wanted if k in keys}
            for source_id, source in per_article(batch_ann, list(sources)).items():
                parts.extend(as_copy(source, copy_id) for copy_id in wanted.pop(sources[source_id]))
        if wanted:  # cannot happen while batches finish in the order they were planned
            raise RuntimeError(f"no annotation kept for {sum(map(len, wanted.values()))} planned copies")
        self.copied += len(plan.copies)
        self._trim()
        return combined(parts, plan.order)

    def _trim(self) -> None:
        while len(self._recent) > self.batches_kept:
            self._recent.popleft()
