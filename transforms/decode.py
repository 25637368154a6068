"""Bytes to text the way a browser would do it, without ever raising.

Scraped pages arrive as raw bytes whose charset may come from an HTTP header, a ``<meta>`` tag,
an XML declaration, a BOM, or nowhere at all. We follow the WHATWG "encoding sniffing" order so
that what we decode matches what a reader saw in the browser:

    BOM  ->  declared charset (HTTP header / caller)  ->  <meta>/<?xml?> prescan  ->
    strict UTF-8  ->  windows-1252  (errors="replace" only as the very last resort)

Labels go through the WHATWG alias table, so ``latin-1``/``iso-8859-1``/``ascii`` mean
windows-1252, as they do in every browser (publishers mislabel cp1252 text as latin-1 constantly).
"""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_bytes", "looks_binary", "normalize_label"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16be"),
    (codecs.BOM_UTF16_LE, "utf-16le"),
)

# WHATWG label -> WHATWG encoding name (subset that matters for news pages).
_ALIASES: dict[str, str] = {}


def _alias(name: str, *labels: str) -> None:
    for label in (name, *labels):
        _ALIASES[label] = name


_alias("utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8")
_alias("utf-16le", "utf-16", "ucs-2", "unicode", "unicodefeff", "iso-10646-ucs-2", "csunicode")
_alias("utf-16be", "unicodefffe")
_alias(
    "windows-1252",
    "ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1",
    "iso-ir-100", "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1",
    "latin-1", "us-ascii", "x-cp1252",
)
_alias("windows-1250", "cp1250", "x-cp1250")
_alias("windows-1251", "cp1251", "x-cp1251")
_alias("windows-1253", "cp1253", "x-cp1253")
_alias(
    "windows-1254", "cp1254", "csisolatin5", "iso-8859-9", "iso-ir-148", "iso8859-9", "iso88599",
    "iso_8859-9", "iso_8859-9:1989", "l5", "latin5", "x-cp1254",
)
_alias("windows-1255", "cp1255", "x-cp1255")
_alias("windows-1256", "cp1256", "x-cp1256")
_alias("windows-1257", "cp1257", "x-cp1257")
_alias("windows-1258", "cp1258", "x-cp1258")
_alias("windows-874", "dos-874", "iso-8859-11", "iso8859-11", "iso885911", "tis-620")
_alias("iso-8859-2", "csisolatin2", "iso-ir-101", "iso8859-2", "iso88592", "iso_8859-2", "l2", "latin2")
_alias("iso-8859-3", "csisolatin3", "iso-ir-109", "iso8859-3", "iso88593", "iso_8859-3", "l3", "latin3")
_alias("iso-8859-4", "csisolatin4", "iso-ir-110", "iso8859-4", "iso88594", "iso_8859-4", "l4", "latin4")
_alias("iso-8859-5", "csisolatincyrillic", "cyrillic", "iso-ir-144", "iso8859-5", "iso88595", "iso_8859-5")
_alias("iso-8859-6", "arabic", "asmo-708", "csisolatinarabic", "ecma-114", "iso-ir-127", "iso8859-6", "iso88596", "iso_8859-6")
_alias("iso-8859-7", "csisolatingreek", "ecma-118", "elot_928", "greek", "greek8", "iso-ir-126", "iso8859-7", "iso88597", "iso_8859-7", "sun_eu_greek")
_alias("iso-8859-8", "csisolatinhebrew", "hebrew", "iso-ir-138", "iso8859-8", "iso88598", "iso_8859-8", "visual", "iso-8859-8-i", "logical")
_alias("iso-8859-10", "csisolatin6", "iso-ir-157", "iso8859-10", "iso885910", "l6", "latin6")
_alias("iso-8859-13", "iso8859-13", "iso885913")
_alias("iso-8859-14", "iso8859-14", "iso885914")
_alias("iso-8859-15", "csisolatin9", "iso8859-15", "iso885915", "iso_8859-15", "l9", "latin9", "latin-9")
_alias("iso-8859-16")
_alias("koi8-r", "cskoi8r", "koi", "koi8", "koi8_r")
_alias("koi8-u", "koi8-ru")
_alias("macintosh", "csmacintosh", "mac", "x-mac-roman")
_alias("x-mac-cyrillic", "x-mac-ukrainian")
_alias("gbk", "chinese", "csgb2312", "csiso58gb231280", "gb2312", "gb_2312", "gb_2312-80", "iso-ir-58", "x-gbk")
_alias("gb18030")
_alias("big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5")
_alias("euc-jp", "cseucpkdfmtjapanese", "x-euc-jp")
_alias("iso-2022-jp", "csiso2022jp")
_alias("shift_jis", "csshiftjis", "ms932", "ms_kanji", "shift-jis", "sjis", "windows-31j", "x-sjis")
_alias("euc-kr", "cseuckr", "csksc56011987", "iso-ir-149", "korean", "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601", "ksc_5601", "windows-949")

# WHATWG encoding name -> Python codec implementing it (or its closest superset).
_PY_CODEC: dict[str, str] = {
    "utf-8": "utf-8",
    "utf-16le": "utf-16-le",
    "utf-16be": "utf-16-be",
    "windows-874": "cp874",
    "gbk": "gb18030",  # WHATWG's GBK decoder is gb18030's decoder
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "euc-kr": "cp949",
    "macintosh": "mac-roman",
    "x-mac-cyrillic": "mac-cyrillic",
    "iso-8859-8": "iso8859-8",
}

_REFUSED = frozenset(
    {"utf-7", "idna", "punycode", "raw-unicode-escape", "unicode-escape", "undefined", "mbcs",
     "oem", "charmap", "palmos"}
)
_FALLBACK = "windows-1252"
_SNIFF_BYTES = 4096
_BINARY_BYTES = 8192

_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]{1,40})""", re.IGNORECASE
)
_XML_DECL = re.compile(
    rb"""^\s*<\?xml\b[^>]*?encoding\s*=\s*["']([A-Za-z0-9_:.+-]{1,40})["']""", re.IGNORECASE
)
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)


def normalize_label(label: str | None) -> str | None:
    """Map a charset label (``"ISO-8859-1"``, ``"utf8"``, ``' "latin1" '``) to its WHATWG name.

    Unknown labels return None so the caller falls through to the next sniffing step instead of
    trusting a typo. Unknown-to-WHATWG but Python-known labels are accepted as a courtesy.
    """
    if not label:
        return None
    key = label.strip().strip("\"'").strip().lower()
    if not key:
        return None
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        info = codecs.lookup(key)
    except (LookupError, ValueError, TypeError):
        return None
    # Refuse bytes-to-bytes "codecs" (base64, hex, zlib...), text transforms (rot13) and
    # Python-internal or unsafe codecs no browser would apply to a page (UTF-7 is an XSS vector).
    if not getattr(info, "_is_text_encoding", True) or info.name in _REFUSED:
        return None
    return info.name


def _codec(name: str) -> str:
    return _PY_CODEC.get(name, name)


def _sniff_declared(data: bytes) -> str | None:
    """Find a charset declared inside the document (XML declaration or <meta>) in the first 4 KB."""
    head = data[:_SNIFF_BYTES]
    m = _XML_DECL.match(head)
    if m:
        label = normalize_label(m.group(1).decode("ascii", "ignore"))
        if label:
            return label
    for m in _META_CHARSET.finditer(_COMMENT.sub(b"", head)):
        label = normalize_label(m.group(1).decode("ascii", "ignore"))
        if label:
            # A document that can be read as ASCII cannot really be UTF-16 (WHATWG rule).
            return "utf-8" if label in {"utf-16le", "utf-16be"} else label
    return None


def _is_single_byte(name: str) -> bool:
    return name.startswith(("windows-", "iso-8859-", "koi8-", "macintosh", "x-mac-"))


def _try(data: bytes, name: str) -> str | None:
    try:
        return data.decode(_codec(name))
    except Exception:  # UnicodeError, LookupError, or anything odd a codec may raise
        return None


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode page bytes to text; return ``(text, encoding_used)`` and never raise.

    ``declared`` is an HTTP/meta charset the caller already knows; when it is None the first 4 KB
    are sniffed for ``<meta charset>`` / ``http-equiv`` / ``<?xml encoding?>``. A declaration that
    does not decode cleanly, or a single-byte label on bytes that are valid UTF-8 with non-ASCII
    characters, is distrusted (mislabelled pages are common) in favour of strict UTF-8,
    unless UTF-8 fails too, in which case the declared charset is used with replacement characters
    when only a few bytes are bad. windows-1252 is the final fallback.
    """
    if not data:
        return "", "utf-8"
    data = bytes(data)
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(_codec(name), errors="replace"), name

    label = normalize_label(declared) if declared is not None else None
    if label is None:
        label = _sniff_declared(data)
    if label is not None:
        if label != "utf-8" and _is_single_byte(label) and not data.isascii():
            # Deliberate deviation from WHATWG: legacy single-byte text with high bytes is almost
            # never valid UTF-8 by accident, while "latin-1" labels on UTF-8 pages are common.
            text = _try(data, "utf-8")
            if text is not None:
                return text, "utf-8"
        text = _try(data, label)
        if text is not None:
            return text, label

    text = _try(data, "utf-8")
    if text is not None:
        return text, "utf-8"

    if label is not None and label != _FALLBACK:
        try:
            lossy = data.decode(_codec(label), errors="replace")
        except Exception:
            lossy = None
        if lossy is not None and lossy.count("\ufffd") <= max(1, len(data) // 200):
            return lossy, label

    text = _try(data, _FALLBACK)
    if text is not None:
        return text, _FALLBACK
    return data.decode("cp1252", errors="replace"), _FALLBACK


# Unambiguous magic numbers; PDFs in particular start with readable ASCII.
_MAGIC: tuple[bytes, ...] = (
    b"%PDF-", b"\x89PNG\r\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"PK\x03\x04", b"\x1f\x8b",
    b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!\x1a", b"OggS", b"\x7fELF", b"wOFF", b"wOF2",
)
# Control bytes that legitimately occur in text: TAB LF FF CR, ESC (ISO-2022-JP shifts).
_TEXT_CONTROLS = frozenset(b"\t\n\x0c\r\x1b")


def looks_binary(data: bytes) -> bool:
    """True for files that are not text at all (images, PDFs, archives saved as ``.html``).

    Checks known magic numbers, NUL bytes and the share of control bytes in the first 8 KB. UTF-16
    text with a BOM is text even though it is full of NULs.
    """
    head = bytes(data[:_BINARY_BYTES])
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if head.startswith(_MAGIC):
        return True
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 0x20 and b not in _TEXT_CONTROLS) + head.count(0x7F)
    return controls / len(head) > 0.05
