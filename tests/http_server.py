"""A real HTTP server on 127.0.0.1 (random free port) for fetch/feed tests.

Routes map a path (without query) to a function ``(handler) -> None`` that writes the whole
response. Helpers build the common ones: `static`, `redirect`, `gzip_bomb`, `slow_drip`, `silent`.
Every request is logged (`server.requests`: path, headers, client address).
"""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import urlsplit

Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    client: str


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, format, *args):  # quiet
        pass

    def do_GET(self):
        path = urlsplit(self.path).path
        with self.server.lock:
            self.server.requests.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()},
                                             self.client_address[0]))
        route = self.server.routes.get(path)
        if route is None:
            for prefix, r in self.server.prefix_routes.items():
                if path.startswith(prefix):
                    route = r
                    break
        if route is None:
            send(self, 404, b"not found", "text/plain")
            return
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):  # clients hanging up early is the point of some tests
        pass


def send(h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
         headers: dict[str, str] | None = None) -> None:
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.end_headers()
    h.wfile.write(body)


def static(body: bytes, ctype: str = "text/html; charset=utf-8", status: int = 200,
           headers: dict[str, str] | None = None) -> Route:
    return lambda h: send(h, status, body, ctype, headers)


def redirect(location: str, status: int = 302) -> Route:
    return lambda h: send(h, status, b"", "text/plain", {"Location": location})


def gzip_bomb(decompressed_mb: int = 200) -> Route:
    """~200 KB of gzip that inflates to `decompressed_mb` MB of zeros (built once, lazily)."""
    cache: dict[str, bytes] = {}

    def route(h: BaseHTTPRequestHandler) -> None:
        if "body" not in cache:
            comp = zlib.compressobj(9, zlib.DEFLATED, 31)
            block = b"\0" * (1 << 20)
            cache["body"] = b"".join(comp.compress(block) for _ in range(decompressed_mb)) + comp.flush()
        send(h, 200, cache["body"], "text/html", {"Content-Encoding": "gzip"})

    return route


def gzipped(body: bytes, ctype: str = "text/html; charset=utf-8") -> Route:
    data = gzip.compress(body)
    return lambda h: send(h, 200, data, ctype, {"Content-Encoding": "gzip"})


def slow_drip(interval_s: float = 0.1, total_s: float = 30.0) -> Route:
    """Headers at once, then one byte every `interval_s` (no Content-Length, connection close)."""

    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.flush()
        end = time.monotonic() + total_s
        while time.monotonic() < end:
            h.wfile.write(b"<")
            h.wfile.flush()
            time.sleep(interval_s)
        h.close_connection = True

    return route


def silent(after_headers: bool, hold_s: float = 30.0) -> Route:
    """Send nothing (or only headers) and hold the connection open."""

    def route(h: BaseHTTPRequestHandler) -> None:
        if after_headers:
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", "100000")
            h.end_headers()
            h.wfile.flush()
        time.sleep(hold_s)
        h.close_connection = True

    return route


def chunked(body: bytes, chunk: int = 65536, ctype: str = "text/html") -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", ctype)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        for i in range(0, len(body), chunk):
            part = body[i : i + chunk]
            h.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        h.wfile.write(b"0\r\n\r\n")

    return route


@dataclass
class LocalServer:
    routes: dict[str, Route] = field(default_factory=dict)
    prefix_routes: dict[str, Route] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.routes = self.routes
        self._server.prefix_routes = self.prefix_routes
        self._server.requests = []
        self._server.lock = threading.Lock()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    @property
    def requests(self) -> list[Seen]:
        return self._server.requests

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
