"""Tests for transforms.decode: WHATWG-style sniffing order and the never-raise guarantee."""

from __future__ import annotations

import codecs

import pytest

from transforms.decode import decode_bytes, looks_binary, normalize_label

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is a dev dependency
    given = None


def test_utf8_bom_wins_over_declared_charset() -> None:
    data = codecs.BOM_UTF8 + "café".encode("utf-8")
    assert decode_bytes(data, declared="windows-1252") == ("café", "utf-8")


@pytest.mark.parametrize(
    ("bom", "codec", "name"),
    [(codecs.BOM_UTF16_LE, "utf-16-le", "utf-16le"), (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16be")],
)
def test_utf16_bom(bom: bytes, codec: str, name: str) -> None:
    data = bom + "<p>Grüße ☃</p>".encode(codec)
    assert decode_bytes(data) == ("<p>Grüße ☃</p>", name)


def test_cp1252_bytes_without_declaration_fall_back_to_windows_1252() -> None:
    text, enc = decode_bytes(b"caf\xe9 \x93quoted\x94")
    assert enc == "windows-1252"
    assert text == "café “quoted”"


def test_latin1_label_means_windows_1252() -> None:
    # 0x93/0x94 are C1 controls in real ISO-8859-1 but curly quotes in browsers.
    text, enc = decode_bytes(b"\x93hi\x94 na\xefve", declared="ISO-8859-1")
    assert (text, enc) == ("“hi” naïve", "windows-1252")
    assert normalize_label("latin-1") == normalize_label("ascii") == "windows-1252"


def test_declared_charset_is_used() -> None:
    data = "Привет, мир".encode("koi8-r")
    assert decode_bytes(data, declared="koi8-r") == ("Привет, мир", "koi8-r")
    data = "日本語のニュース".encode("cp932")
    assert decode_bytes(data, declared="Shift_JIS") == ("日本語のニュース", "shift_jis")


def test_declared_single_byte_label_on_valid_utf8_uses_utf8() -> None:
    text, enc = decode_bytes("Zürich – “quotes”".encode("utf-8"), declared="iso-8859-1")
    assert (text, enc) == ("Zürich – “quotes”", "utf-8")


def test_unknown_declared_label_is_ignored() -> None:
    assert decode_bytes("naïve".encode("utf-8"), declared="no-such-charset") == ("naïve", "utf-8")
    assert decode_bytes(b"abc", declared="base64") == ("abc", "utf-8")


def test_meta_charset_sniffed() -> None:
    html = '<html><head><meta charset="windows-1251"></head><body>Новости</body></html>'
    text, enc = decode_bytes(html.encode("cp1251"))
    assert enc == "windows-1251"
    assert "Новости" in text


def test_meta_http_equiv_sniffed() -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "</head><body>北京新闻</body></html>"
    )
    text, enc = decode_bytes(html.encode("gb2312"))
    assert enc == "gbk"
    assert "北京新闻" in text


def test_xml_declaration_sniffed() -> None:
    xml = '<?xml version="1.0" encoding="ISO-8859-7"?><rss><title>Ειδήσεις</title></rss>'
    text, enc = decode_bytes(xml.encode("iso-8859-7"))
    assert enc == "iso-8859-7"
    assert "Ειδήσεις" in text


def test_meta_charset_inside_comment_is_ignored() -> None:
    html = b'<!-- <meta charset="koi8-r"> --><p>caf\xc3\xa9</p>'
    assert decode_bytes(html) == ('<!-- <meta charset="koi8-r"> --><p>café</p>', "utf-8")


def test_explicit_declared_overrides_meta() -> None:
    html = '<meta charset="utf-8"><p>Ελλάδα</p>'.encode("iso-8859-7")
    text, enc = decode_bytes(html, declared="iso-8859-7")
    assert enc == "iso-8859-7" and "Ελλάδα" in text


def test_invalid_utf8_never_raises_and_replaces_undefined_cp1252_bytes() -> None:
    # 0x81 0x8D 0x8F 0x90 0x9D are undefined in windows-1252: last-resort replacement.
    text, enc = decode_bytes(b"ok \xff\xfe\x81\x8d\x8f\x90\x9d end")
    assert enc == "windows-1252"
    assert text.startswith("ok ") and text.endswith(" end")
    assert "\ufffd" in text


def test_truncated_utf8_sequence_falls_back() -> None:
    text, enc = decode_bytes("déjà".encode("utf-8")[:-1])
    assert enc == "windows-1252"
    assert text.startswith("d")


def test_broken_declared_multibyte_keeps_declared_when_few_errors() -> None:
    body = ("日本語のニュース記事です。" * 40).encode("cp932") + b"\x82"
    text, enc = decode_bytes(body, declared="shift_jis")
    assert enc == "shift_jis"
    assert text.startswith("日本語のニュース記事です。")


def test_empty_bytes() -> None:
    assert decode_bytes(b"") == ("", "utf-8")


def test_looks_binary() -> None:
    assert looks_binary(b"\x89PNG\r\n\x1a\n" + bytes(100))
    assert looks_binary(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    assert looks_binary(b"\x1f\x8b\x08\x00" + bytes(50))
    assert looks_binary(b"<html>\x00\x00\x00</html>")
    assert looks_binary(bytes(range(1, 32)) * 20)
    assert not looks_binary(b"<!doctype html><html><body><p>Hello</p></body></html>")
    assert not looks_binary("<p>Grüße</p>".encode("utf-16"))  # BOM'd UTF-16 is text
    assert not looks_binary("日本語".encode("iso-2022-jp"))  # ESC sequences are text
    assert not looks_binary(b"")


if given is not None:

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=2048), st.one_of(st.none(), st.text(max_size=20)))
    def test_decode_never_raises(data: bytes, declared: str | None) -> None:
        text, enc = decode_bytes(data, declared)
        assert isinstance(text, str) and isinstance(enc, str) and enc

    @settings(max_examples=200, deadline=None)
    @given(st.text(max_size=500))
    def test_utf8_round_trip(text: str) -> None:
        data = text.encode("utf-8", "surrogatepass")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return
        decoded, enc = decode_bytes(data)
        if not data.startswith(codecs.BOM_UTF8):
            assert decoded == text
