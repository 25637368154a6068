"""Modality of an event trigger from its dependency parse: did it happen, will it, only if, or says who?

News reports many events that did not (yet) happen — predicted ("will likely continue tests"),
conditional ("if provoked ... retaliate"), negated ("didn't elaborate") or merely claimed by a
source ("The NIS said North Korea has conducted tests"). Downstream tables keep the label so
analysts can filter; the `negated` flag and the claimant are returned independently of the label.

Precedence when several apply: negated > conditional > predicted > claimed > asserted.
Lexical negatives ("refused", "rejected") are REJECT events, not negation.
Pure: needs only a parsed spaCy Token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from spacy.tokens import Token

FUTURE_AUX = frozenset({"will", "wo", "'ll", "’ll", "ll", "would", "'d", "’d", "shall", "could", "may", "might", "should", "must", "can", "ca"})
"""Modal auxiliaries (tag MD): the event is predicted, possible or obliged — not reported as done."""

PREDICT_ADVERBS = frozenset({"likely", "probably", "possibly", "perhaps", "maybe", "potentially"})

PREDICT_GOVERNORS = frozenset({
    # verbs whose to-infinitive (xcomp) or object describes an event that has not happened yet
    "expect", "plan", "aim", "intend", "set", "schedule", "prepare", "threaten", "vow", "pledge", "promise",
    "seek", "hope", "want", "wish", "plot", "propose", "agree", "decide", "offer", "consider", "mull",
    "weigh", "urge", "ask", "call", "demand", "order", "need", "go", "warn", "appeal", "push", "press",
    "request", "vote", "move", "mean", "look", "design",
    # adjectives in "is likely to", "is set to", "is due to", "is poised to" ...
    "likely", "unlikely", "due", "poised", "ready", "willing", "about", "able", "eager", "keen", "determined", "bound",
})

PREDICT_MODIFIERS = frozenset({
    "planned", "plan", "possible", "potential", "future", "upcoming", "proposed", "propose", "expected",
    "prospective", "imminent", "likely", "looming", "anticipated", "anticipate", "scheduled", "schedule",
    "would-be", "threatened", "threaten", "next", "coming", "impending", "further",
})

LIGHT_VERBS = frozenset({
    # support verbs whose object noun *is* the event ("launch an attack", "hold talks", "there was no attack")
    "launch", "carry", "conduct", "stage", "stag", "hold", "make", "take", "have", "mount", "perform", "begin",
    "start", "continue", "resume", "undertake", "execute", "happen", "occur", "proceed", "materialize", "be",
    "go", "give", "pay", "wage", "unleash", "commit",
})

REPORTING_VERBS = frozenset({
    "say", "tell", "report", "claim", "allege", "announce", "state", "add", "note", "insist", "assert",
    "confirm", "reveal", "disclose", "declare", "write", "quote", "argue", "maintain", "acknowledge",
    "explain", "testify", "contend", "indicate", "suggest", "believe", "estimate", "assess", "conclude",
})

HEDGES = frozenset({"reportedly", "allegedly", "apparently", "purportedly", "supposedly", "alleged", "suspected",
                    "purported", "reported", "presumed"})
"""Adverbs on a clause ("reportedly attacked") or modifiers of a nominal ("the alleged attack"): the
act is only claimed, by an unnamed source."""
ACCUSING_VERBS = frozenset({"accuse", "suspect", "blame", "charge", "indict", "allege", "condemn", "criticize", "criticise"})
"""Verbs whose "of"/"for" complement is the act charged ("accused the government of killing …"):
that act is the accuser's claim."""
CONDITION_MARKERS = frozenset({"if", "unless"})
NEGATORS = frozenset({"not", "n't", "never", "no", "nt", "n’t"})
_ARG_DEPS = frozenset({"dobj", "obj", "attr", "nsubj", "nsubjpass", "dative", "oprd"})
_SUBJ_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})


def _is_verbal(token: "Token") -> bool:
    return token.pos_ in {"VERB", "AUX"}


def _noun_governor(trigger: "Token") -> tuple["Token | None", str]:
    """Verb an event nominal depends on, and how: "arg" (subject/object: "continue weapons tests"),
    "for" ("called for readiness", "prepare for war") or "prep" (any other preposition: "during a visit")."""
    t = trigger
    for _ in range(4):
        if t.head.i == t.i:
            break
        if t.dep_ in {"conj", "appos", "compound"} and not _is_verbal(t.head):
            t = t.head
            continue
        if t.dep_ in _ARG_DEPS and _is_verbal(t.head):
            return t.head, "arg"
        if t.dep_ == "pobj" and t.head.dep_ == "prep" and _is_verbal(t.head.head):
            return t.head.head, ("for" if t.head.lower_ == "for" else "prep")
        if t.dep_ == "pobj" and t.head.lower_ == "of" and t.head.head.pos_ in {"NOUN", "PROPN", "PRON"}:
            t = t.head.head  # "details of its discussions": the verb governs the whole NP
            continue
        break
    return None, "none"


def _has_own_subject(token: "Token") -> bool:
    return any(c.dep_ in _SUBJ_DEPS for c in token.children)


def _clause_chain(start: "Token") -> list["Token"]:
    """`start` and the verbs it is a complement / subject-sharing conjunct of (xcomp, conj)."""
    chain = [start]
    t = start
    for _ in range(6):
        if t.head.i == t.i:
            break
        if t.dep_ == "xcomp" or (t.dep_ == "conj" and not _has_own_subject(t)):
            t = t.head
            chain.append(t)
            continue
        break
    return chain


def _ancestors_and_self(token: "Token") -> Iterator["Token"]:
    yield token
    yield from token.ancestors


def _has_neg(token: "Token") -> bool:
    return any(
        c.dep_ == "neg" or (c.dep_ in {"det", "advmod"} and c.lower_ in {"no", "never"}) for c in token.children
    )


def _has_future_aux(token: "Token") -> bool:
    return any(
        c.dep_ == "aux" and c.tag_ == "MD" and (c.lower_ in FUTURE_AUX or c.lemma_.lower() in FUTURE_AUX)
        for c in token.children
    )


def _has_predict_adverb(token: "Token") -> bool:
    return any(c.dep_ == "advmod" and c.lower_ in PREDICT_ADVERBS for c in token.children)


def _conditional_clause(token: "Token") -> bool:
    """True for an adverbial clause introduced by if/unless."""
    return token.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in CONDITION_MARKERS for c in token.children)


def _phrase_text(token: "Token") -> str:
    """A noun phrase up to its head ("The NIS", "Lee Sang-sook"; appositions and PPs dropped)."""
    doc = token.doc
    text = doc[token.left_edge.i : token.i + 1].text
    return text.strip(" ,;:.\"'“”‘’()")


def _subject_text(verb: "Token") -> str | None:
    """The reporting verb's subject, inherited through conj/xcomp; the agent of a passive."""
    t = verb
    for _ in range(4):
        for c in t.children:
            if c.dep_ in {"nsubj", "nsubjpass"} and not (c.dep_ == "nsubjpass" and c.lower_ == "it"):
                return _phrase_text(c)
        for c in t.children:
            if c.dep_ == "agent":
                pobj = next((g for g in c.children if g.dep_ == "pobj"), None)
                if pobj is not None:
                    return _phrase_text(pobj)
        if t.dep_ in {"conj", "xcomp"} and t.head.i != t.i:
            t = t.head
            continue
        break
    return None


def _according_to(token: "Token") -> str | None:
    """Source named by an "according to X" attached to `token`."""
    for c in token.children:
        if c.dep_ == "prep" and c.lower_ == "according":
            for to in c.children:
                pobj = next((g for g in to.children if g.dep_ == "pobj"), None)
                if pobj is not None:
                    return _phrase_text(pobj)
    return None


def _claim(start: "Token") -> tuple[bool, str | None]:
    """(claimed?, claimant) — nearest reporting verb governing `start` via ccomp, or "according to"."""
    t = start
    for _ in range(8):
        source = _according_to(t)
        if source is not None:
            return True, source
        for c in t.children:  # "X attacked Y, officials said" parsed as parataxis
            if c.dep_ == "parataxis" and c.lemma_.lower() in REPORTING_VERBS:
                return True, _subject_text(c)
        if t.head.i == t.i:
            break
        if t.dep_ == "ccomp" and t.head.lemma_.lower() in REPORTING_VERBS:
            return True, _subject_text(t.head)
        if t.dep_ in {"pcomp", "pobj"} and t.head.lower_ in {"of", "for"}:
            verb = t.head.head if t.head.head.dep_ != "dobj" else t.head.head.head  # "of" on the verb or its object
            if verb.lemma_.lower() in ACCUSING_VERBS:
                return True, _subject_text(verb)  # "accused the government of killing …"
        if t.dep_ not in {"xcomp", "conj", "ccomp", "advcl", "acl", "relcl", "pcomp", "prep", "pobj", "dobj", "attr", "nsubj", "nsubjpass"}:
            break
        if t.dep_ == "conj" and _has_own_subject(t) and t.head.lemma_.lower() in REPORTING_VERBS:
            break  # "KCNA said X, but didn't elaborate": the conjunct is KCNA's own act
        t = t.head
    return False, None


def modality(trigger: "Token") -> tuple[str, bool, str | None]:
    """(modality, negated, claimed_by) for an event trigger token (verb or event nominal)."""
    governor, relation = (None, "none") if _is_verbal(trigger) else _noun_governor(trigger)
    gov_lemma = governor.lemma_.lower() if governor is not None else ""
    if _is_verbal(trigger):
        chain = _clause_chain(trigger)
        inherit = True
    elif governor is not None:
        chain = [trigger] + _clause_chain(governor)
        inherit = relation == "arg" and gov_lemma in LIGHT_VERBS
    else:
        chain = [trigger]
        inherit = False
    irrealis_governor = governor is not None and relation in {"arg", "for"} and gov_lemma in PREDICT_GOVERNORS
    clause = chain[1] if len(chain) > 1 and not _is_verbal(trigger) else trigger

    # negated: neg on the trigger, on its xcomp governor ("did not plan to attack"), or — for a
    # nominal — on its light verb ("did not launch an attack", "there was no attack").
    negated = _has_neg(trigger)
    if not negated and _is_verbal(trigger):
        t = trigger
        while t.dep_ == "xcomp" and t.head.i != t.i and not negated:
            t = t.head
            negated = _has_neg(t)
    if not negated and governor is not None and (inherit or irrealis_governor):
        negated = _has_neg(governor) or (
            governor.dep_ == "xcomp" and _has_neg(governor.head)
        )

    # conditional: an if/unless clause on the trigger's clause chain, or the trigger inside one.
    conditional = any(any(_conditional_clause(c) for c in t.children) for t in chain) or any(
        _conditional_clause(a) for a in _ancestors_and_self(trigger)
    )

    # predicted: modal auxiliaries / "likely" on the chain, an irrealis governor of an xcomp, a
    # purpose infinitive, or a nominal modified by "planned", "possible", "upcoming" ...
    predicted = False
    verbal_chain = chain if inherit or _is_verbal(trigger) else [trigger]
    for t in verbal_chain:
        if _has_future_aux(t) or _has_predict_adverb(t):
            predicted = True
        if t.dep_ in {"advcl", "acl"} and any(c.dep_ == "aux" and c.tag_ == "TO" for c in t.children):
            predicted = True  # purpose infinitive: "... to repel", "... to modernize its arsenal"
        if t.dep_ == "xcomp" and t.head.lemma_.lower() in PREDICT_GOVERNORS:
            if t.head.lemma_.lower() != "go" or t.head.tag_ == "VBG":
                predicted = True
    if not _is_verbal(trigger):
        if any(
            (c.dep_ in {"amod", "compound", "nmod"} and (c.lower_ in PREDICT_MODIFIERS or c.lemma_.lower() in PREDICT_MODIFIERS))
            or (c.dep_ == "det" and c.lower_ == "any")
            for c in trigger.children
        ):
            predicted = True  # "the planned talks", "a possible strike", "against any provocations"
        if irrealis_governor and not inherit:
            predicted = True  # "vowed a stern retaliation", "called for war readiness"
        if governor is not None and relation == "arg" and not inherit:
            # an argument of a clause that is itself predicted: "are expected to publicize
            # details of its discussions", "will announce the talks"
            for t in chain[1:]:
                if _has_future_aux(t) or _has_predict_adverb(t) or (
                    t.dep_ == "xcomp" and t.head.lemma_.lower() in PREDICT_GOVERNORS - {"go"}
                ):
                    predicted = True

    claimed, claimed_by = _claim(clause)
    if not claimed:  # "reportedly attacked", "the alleged attack"
        claimed = any(c.dep_ in {"advmod", "amod"} and c.lower_ in HEDGES for t in [trigger, *chain] for c in t.children)

    if negated:
        label = "negated"
    elif conditional:
        label = "conditional"
    elif predicted:
        label = "predicted"
    elif claimed:
        label = "claimed"
    else:
        label = "asserted"
    return label, negated, claimed_by
