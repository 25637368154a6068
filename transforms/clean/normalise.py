"""Unicode normalisation that every text gets before any rule or heuristic sees it.

Mojibake is repaired (ftfy), text is NFC, invisible and control characters are dropped, horizontal
whitespace is collapsed and paragraph breaks become exactly one blank line: the rules then match
one canonical form of a line whatever encoding accidents the source went through.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy


# fix_character_width is off: full-width punctuation (：？，) is the correct form in CJK text.
_FTFY = ftfy.TextFixerConfig(
    uncurl_quotes=False, unescape_html=False, fix_character_width=False, explain=False
)
# Invisible format characters that only get in the way of matching (soft hyphen, zero-width
# space/joiners used as "word joiner", BOM). ZWJ/ZWNJ are kept: they matter in Persian, Indic
# scripts and emoji.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff\u180e"), None)
_H_SPACE = re.compile(r"[^\S\n]+")
_MANY_BREAKS = re.compile(r"\n{3,}")


_NOT_PLAIN_ASCII = re.compile(r"[^\x20-\x7e\n\t]")
"""Only these characters can be controls: the common case (printable ASCII) is never looked up."""


def _control_char(match: re.Match[str]) -> str:
    """Drop control, surrogate, private-use and unassigned characters; separators become line breaks."""
    ch = match.group()
    if unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn"):
        return ch
    return "\n" if ch in "\x0b\x0c\x1c\x1d\x1e\x85" else ""


def _normalize_once(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = ftfy.fix_text(text, _FTFY)
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_INVISIBLE)
    text = _NOT_PLAIN_ASCII.sub(_control_char, text)
    text = "\n".join(_H_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    text = _MANY_BREAKS.sub("\n\n", text)
    return text.strip("\n")


def normalize_text(text: str) -> str:
    """Repair mojibake (ftfy; curly quotes kept), NFC, drop control/invisible characters,
    collapse horizontal whitespace, unify line ends and keep paragraph breaks as exactly ``\\n\\n``.

    Idempotent: ftfy can occasionally expose a new fixable sequence after whitespace collapsing, so
    the fix is repeated until it reaches a fixed point.
    """
    if not text:
        return ""
    out = _normalize_once(text)
    if out.isascii():
        # Nothing left for another pass to change: every step that could expose a new fix (ftfy,
        # NFC) acts only on non-ASCII characters, and the control characters are gone.
        return out
    for _ in range(4):
        again = _normalize_once(out)
        if again == out:
            break
        out = again
    return out
