"""Events from a parsed article: who did what to whom, when and where (PLOVER/CAMEO coded).

A trigger (a verb or an event nominal whose lemma is in the PLOVER lexicon, disambiguated by its
objects, particles, prepositions and modifiers) gives the event type; actor1 comes from the subject
side (or a passive's "by" agent), actor2 from the object / "against" / "with" side; the location is a
place attached to the clause; the date comes from date words on the trigger's own clause. Every
event keeps its sentence, trigger and actor offsets as evidence. `confidence` = the lexicon entry's
confidence × the factors of the rules that fired, clipped to [0, 1].

Split by concern so each rule family can be read alone: `triggers` (which tokens are events),
`roles` (which token fills actor1/actor2), `actors` (token → Actor), `countries` (nationality and
place), `clauses` (intention, refusal, obligation, background), `timing` (dates), `extract` (the
loop); English word lists are data in `transforms/data/event_words.toml` (`words`).
Pure: takes a parsed Doc and the article's mentions, returns plain records.
"""

from transforms.events.countries import article_country
from transforms.events.extract import doc_events
from transforms.events.mentions import dateline_end
from transforms.events.model import Actor, Event

__all__ = ["Actor", "Event", "article_country", "dateline_end", "doc_events"]
