"""Cleaning quality benchmark: clean_html vs plain trafilatura, clean_text_dump vs doing nothing.

Why: boilerplate rules are easy to over-fit to the one seed article; this scores them on the
shared, gold-annotated HTML corpora (read in place by path, never copied into the repo).

Metrics (per document, macro-averaged over documents with non-empty gold):
  * tok  - bag-of-tokens precision/recall/F1 (multiset overlap; CJK/Thai characters are tokens)
  * 4g   - word 4-gram shingle precision/recall/F1 (multiset overlap), sensitive to order/chrome
  * title - exact match (after whitespace/NFC normalisation) where the gold has a title

Two experiments:
  html - clean_html(html) vs trafilatura.extract(html) with defaults
  dump - each page rendered to a browser-like text dump (all visible text incl. nav, captions,
         footers; one block element per line), then clean_text_dump(dump) vs the raw dump

Usage: .venv/bin/python benchmarks/cleaning.py [--limit N] [--sets a,b] [--only html|dump]
                                               [--half even|odd]

--half keeps every other page (counted over all selected sets in order): tune a rule on one
half and confirm it on the other, so a gain that only fits the dev pages shows up.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transforms.clean import clean_html, clean_text_dump, normalize_text  # noqa: E402
from transforms.decode import decode_bytes  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora" / "html"


@dataclass
class Page:
    set: str
    name: str
    html: str
    gold_text: str
    gold_title: str | None


# ----------------------------------------------------------------------------------------------
# rendering HTML to a browser-like dump
# ----------------------------------------------------------------------------------------------

_SKIP = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object", "embed",
         "select", "option", "textarea", "input", "canvas", "video", "audio", "map"}
_BLOCK = {"address", "article", "aside", "blockquote", "body", "br", "dd", "details", "dialog",
          "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
          "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav", "ol", "p", "pre",
          "section", "summary", "table", "tr", "ul", "caption", "center", "html", "title"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


_WS = re.compile(r"\s+")


def render_dump(html: str) -> str:
    """Visible text, one block element per line (like a browser's innerText, no CSS).

    Whitespace inside text nodes (including the source's own hard line breaks) collapses to one
    space as a browser does; only block elements and <br> start a new line (<pre> keeps its
    breaks). Without this, pages whose HTML source is hard-wrapped rendered as one sentence
    fragment per line, which no browser or real scraper produces.
    """
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", html))
    except Exception:
        return ""
    out: list[str] = []

    def walk(el: etree._Element, pre: bool = False) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower().split("}")[-1]
        flat = (lambda t: t) if pre else (lambda t: _WS.sub(" ", t))
        if not tag or tag in _SKIP or el.get("hidden") is not None or el.get("aria-hidden") == "true" \
                or _HIDDEN_STYLE.search(el.get("style") or ""):
            if el.tail:
                out.append(flat(el.tail))
            return
        block = tag in _BLOCK
        inner = pre or tag == "pre"
        if block:
            out.append("\n")
        if tag in {"td", "th"}:
            out.append(" ")
        if el.text:
            out.append(el.text if inner else _WS.sub(" ", el.text))
        for child in el:
            walk(child, inner)
        if block:
            out.append("\n")
        if el.tail:
            out.append(flat(el.tail))

    body = root.find(".//body")
    walk(body if body is not None else root)
    text = "".join(out)
    lines = [re.sub(r"\s+", " ", l).strip() for l in text.split("\n")]
    return "\n".join(l for l in lines if l)


# ----------------------------------------------------------------------------------------------
# corpora
# ----------------------------------------------------------------------------------------------


def _read_html(path: Path) -> str:
    data = gzip.open(path, "rb").read()
    return decode_bytes(data)[0]


def _spread(items: list, limit: int | None) -> list:
    """Deterministic, evenly spaced sample (fundus is sorted by country, so head-N would be biased)."""
    if not limit or len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def load_readability(limit: int | None) -> Iterator[Page]:
    base = CORPORA / "mozilla_readability"
    for d in _spread(sorted(p for p in base.iterdir() if (p / "source.html.gz").exists()), limit):
        meta = json.loads((d / "expected-metadata.json").read_text(encoding="utf-8"))
        gold = render_dump(_read_html(d / "expected.html.gz"))
        yield Page("readability", d.name, _read_html(d / "source.html.gz"), gold, meta.get("title"))


def load_newspaper4k(limit: int | None) -> Iterator[Page]:
    base = CORPORA / "newspaper4k"
    names = sorted(p.name[: -len(".html.gz")] for p in (base / "html").glob("*.html.gz"))
    names = [n for n in names if (base / "txt" / f"{n}.txt").exists()]
    for n in _spread(names, limit):
        title = None
        meta = base / "metadata" / f"{n}.json"
        if meta.exists():
            title = json.loads(meta.read_text(encoding="utf-8")).get("title")
        gold = (base / "txt" / f"{n}.txt").read_text(encoding="utf-8", errors="replace")
        yield Page("newspaper4k", n, _read_html(base / "html" / f"{n}.html.gz"), gold, title)


def load_legacy(limit: int | None) -> Iterator[Page]:
    base = CORPORA / "newspaper_legacy"
    names = sorted(p.name[: -len(".html.gz")] for p in (base / "html").glob("*.html.gz"))
    names = [n for n in names if (base / "text" / f"{n}.txt").exists()
             and (base / "text" / f"{n}.txt").read_text(encoding="utf-8", errors="replace").strip()]
    for n in _spread(names, limit):
        gold = (base / "text" / f"{n}.txt").read_text(encoding="utf-8", errors="replace")
        yield Page("newspaper_legacy", n, _read_html(base / "html" / f"{n}.html.gz"), gold, None)


def load_fundus(limit: int | None) -> Iterator[Page]:
    base = CORPORA / "fundus"
    rows = [json.loads(l) for l in (base / "fundus_index.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    rows = [r for r in rows if (r.get("body_text") or "").strip()]
    for r in _spread(rows, limit):
        yield Page("fundus", r["html_file"], _read_html(base / r["html_file"]), r["body_text"], r.get("title"))


LOADERS: dict[str, Callable[[int | None], Iterator[Page]]] = {
    "readability": load_readability,
    "newspaper4k": load_newspaper4k,
    "newspaper_legacy": load_legacy,
    "fundus": load_fundus,
}


# ----------------------------------------------------------------------------------------------
# metrics
# ----------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f\u1000-\u109f]|\w+", re.UNICODE
)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFC", text or "").casefold())


def prf(pred: Counter, gold: Counter) -> tuple[float, float, float]:
    if not gold:
        return (0.0, 0.0, 0.0)
    overlap = sum((pred & gold).values())
    p = overlap / sum(pred.values()) if pred else 0.0
    r = overlap / sum(gold.values())
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def shingles(toks: list[str], n: int = 4) -> Counter:
    if len(toks) < n:
        return Counter([tuple(toks)]) if toks else Counter()
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def _norm_title(t: str | None) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", t or "")).strip()


class Scores:
    def __init__(self) -> None:
        self.rows: list[tuple[float, ...]] = []
        self.titles: list[bool] = []
        self.empty = 0

    def add(self, pred: str, page: Page, title: str | None = None, score_title: bool = False) -> None:
        gt, pt = tokens(page.gold_text), tokens(pred)
        self.rows.append(prf(Counter(pt), Counter(gt)) + prf(shingles(pt), shingles(gt)))
        self.empty += not pt
        if score_title and page.gold_title:
            self.titles.append(_norm_title(title) == _norm_title(page.gold_title))

    def mean(self) -> list[float]:
        if not self.rows:
            return [float("nan")] * 6
        return [sum(col) / len(self.rows) for col in zip(*self.rows)]


# ----------------------------------------------------------------------------------------------
# runner
# ----------------------------------------------------------------------------------------------


def run(sets: list[str], limit: int | None, only: str | None, half: str | None = None) -> None:
    import trafilatura

    results: dict[tuple[str, str, str], Scores] = {}
    counts: dict[str, int] = {}
    t0 = time.time()
    position = -1
    for s in sets:
        for page in LOADERS[s](limit):
            position += 1
            if half and position % 2 != (1 if half == "odd" else 0):
                continue
            counts[s] = counts.get(s, 0) + 1
            if only in (None, "html"):
                art = clean_html(page.html)
                results.setdefault(("html", s, "clean_html"), Scores()).add(art.text, page, art.title, True)
                try:
                    base = trafilatura.extract(page.html) or ""
                except Exception:
                    base = ""
                results.setdefault(("html", s, "trafilatura.extract"), Scores()).add(base, page)
            if only in (None, "dump"):
                dump = render_dump(page.html)
                art = clean_text_dump(dump)
                results.setdefault(("dump", s, "clean_text_dump"), Scores()).add(art.text, page, art.title, True)
                results.setdefault(("dump", s, "do nothing"), Scores()).add(normalize_text(dump), page)

    print(f"\npages: {counts}  ({time.time() - t0:.0f}s)\n")
    print("| exp | set | method | n | tok P | tok R | tok F1 | 4g P | 4g R | 4g F1 | empty | title EM |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for exp in ("html", "dump"):
        agg: dict[str, list[tuple[float, ...]]] = {}
        agg_t: dict[str, list[bool]] = {}
        for (e, s, method), sc in results.items():
            if e != exp:
                continue
            m = sc.mean()
            title = f"{sum(sc.titles) / len(sc.titles):.2f} ({len(sc.titles)})" if sc.titles else "-"
            print(f"| {exp} | {s} | {method} | {len(sc.rows)} | " + " | ".join(f"{x:.3f}" for x in m)
                  + f" | {sc.empty} | {title} |")
            agg.setdefault(method, []).extend(sc.rows)
            agg_t.setdefault(method, []).extend(sc.titles)
        for method, rows in agg.items():
            m = [sum(c) / len(rows) for c in zip(*rows)]
            ts = agg_t[method]
            title = f"{sum(ts) / len(ts):.2f} ({len(ts)})" if ts else "-"
            print(f"| {exp} | **all** | **{method}** | {len(rows)} | " + " | ".join(f"{x:.3f}" for x in m)
                  + f" | - | {title} |")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=25, help="pages per set (evenly spaced); 0 = all")
    ap.add_argument("--sets", default=",".join(LOADERS), help="comma-separated: " + ",".join(LOADERS))
    ap.add_argument("--only", choices=["html", "dump"], default=None)
    ap.add_argument("--half", choices=["even", "odd"], default=None,
                    help="every other page only (0-based even/odd position over the selected sets)")
    args = ap.parse_args(argv)
    if not CORPORA.exists():
        sys.exit(f"corpora not found at {CORPORA}")
    sets = [s for s in args.sets.split(",") if s]
    unknown = set(sets) - set(LOADERS)
    if unknown:
        sys.exit(f"unknown sets: {sorted(unknown)}")
    run(sets, args.limit or None, args.only, args.half)


if __name__ == "__main__":
    main()
