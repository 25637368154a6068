"""Reading a fetched body under the policy's caps: bytes on the wire and bytes after decompression.

gzip and deflate are undone here, in pieces of at most 64 KiB, so a compression bomb is stopped
one piece past ``max_decompressed_bytes`` instead of being inflated whole; the total deadline is
checked between chunks.
"""

from __future__ import annotations

import time
import zlib
from typing import Iterator

import httpx

from flows.fetch_policy import FetchFailed, FetchPolicy, FetchTimeout, FetchTooLarge

_PIECE = 64 * 1024  # decompression output granularity


# --------------------------------------------------------------------------------------------
# bounded decompression


class _Inflater:
    """gzip / deflate decoder that never returns more than _PIECE bytes per step."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._d: zlib._Decompress | None = None
        self._started = False

    def _new(self, first: bytes) -> zlib._Decompress:
        if self.encoding == "deflate":  # RFC says zlib-wrapped; many servers send raw deflate
            zlib_header = len(first) >= 2 and first[0] & 0x0F == 8 and ((first[0] << 8) | first[1]) % 31 == 0
            return zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
        return zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._d is None:
            if not data:
                return
            self._d = self._new(data)
        while True:
            out = self._d.decompress(data, _PIECE)
            if out:
                yield out
            data = self._d.unconsumed_tail
            if self._d.eof:
                rest = self._d.unused_data
                if self.encoding != "deflate" and rest.strip(b"\0"):  # concatenated gzip members
                    self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    data = rest
                    continue
                return
            if not data and len(out) < _PIECE:
                return

    def finish(self) -> None:
        if self._d is not None and not self._d.eof:
            raise zlib.error("compressed body ends early")


def _decoders(content_encoding: str, url: str) -> list[_Inflater]:
    names = [e.strip().lower() for e in content_encoding.split(",") if e.strip()]
    out = []
    for name in reversed(names):  # the last encoding applied is undone first
        if name in ("identity", ""):
            continue
        if name in ("gzip", "x-gzip", "deflate"):
            out.append(_Inflater("deflate" if name == "deflate" else "gzip"))
        else:
            raise FetchFailed(url, f"unsupported Content-Encoding {name!r}")
    return out


def _through(decoders: list[_Inflater], data: bytes) -> Iterator[bytes]:
    if not decoders:
        if data:
            yield data
        return
    first, rest = decoders[0], decoders[1:]
    for piece in first.feed(data):
        yield from _through(rest, piece)


def _read_body(response: httpx.Response, policy: FetchPolicy, label: str, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchTooLarge(label, f"Content-Length {declared} is over the {policy.max_bytes}-byte cap")
    decoders = _decoders(response.headers.get("content-encoding", ""), label)
    body = bytearray()
    received = 0
    try:
        for chunk in response.iter_raw():
            received += len(chunk)
            if received > policy.max_bytes:
                raise FetchTooLarge(label, f"body is over the {policy.max_bytes}-byte cap")
            for piece in _through(decoders, chunk):
                body += piece
                if len(body) > policy.max_decompressed_bytes:
                    raise FetchTooLarge(label, f"decompressed body is over the {policy.max_decompressed_bytes}"
                                               f"-byte cap ({received} bytes received): compression bomb?")
            if time.monotonic() > deadline:
                raise FetchTimeout(label, f"total deadline of {policy.timeout_s:g}s exceeded while reading "
                                          f"({received} bytes received)")
        for d in decoders:
            d.finish()
    except zlib.error as exc:
        raise FetchFailed(label, f"cannot decode {response.headers.get('content-encoding')} body: {exc}") from None
    return bytes(body)
