"""Article cleaning: from scraped HTML or browser-like text dumps to a clean body plus metadata.

Two inputs reach the pipeline: raw HTML pages (extracted with trafilatura) and plain-text dumps
that a scraper saved from a browser, which still contain navigation, photo captions glued to their
credits, share widgets and footers. Both go through the same line-level boilerplate rules, which
live as data in ``boilerplate.yaml`` (shape-based, never site-specific) so they can be audited.

Pure functions: str in, values out. The only read is the rules file shipped with the
package (``transforms/boilerplate.yaml``), loaded once and cached.

Split by concern: `normalise` (unicode repair), `rules` (the compiled rules file and the line
measures everyone shares), `regions` (where the body sits in a dump), `dump` (line kinds, the
text-dump and plain-text paths), `metadata` (byline, date, language), `html` (the HTML path);
the returned types are in `model`.
"""

from transforms.clean.dump import clean_text_dump, is_web_dump
from transforms.clean.html import clean_html
from transforms.clean.metadata import detect_language
from transforms.clean.model import CleanArticle, Removed
from transforms.clean.normalise import normalize_text
from transforms.clean.rules import Rules, explain_line, load_rules, rules_from_yaml

__all__ = [
    "CleanArticle",
    "Removed",
    "Rules",
    "clean_html",
    "clean_text_dump",
    "detect_language",
    "explain_line",
    "is_web_dump",
    "load_rules",
    "normalize_text",
    "rules_from_yaml",
]
