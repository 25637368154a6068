"""`dateline run` uses a Prefect server already answering on `ui_port`, and only a healthy one."""

from __future__ import annotations

import http.server
import socket
import threading

import pytest

from dateline.prefect_server import local_prefect_api


def _serve(status: int, body: bytes):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(status if self.path == "/api/health" else 404)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.mark.parametrize("status, body, found", [(200, b"true", True), (200, b"false", False),
                                                 (503, b"true", False), (200, b"<html>", False)])
def test_only_a_healthy_prefect_server_is_used(status, body, found):
    httpd = _serve(status, body)
    try:
        port = httpd.server_address[1]
        assert local_prefect_api(port) == (f"http://127.0.0.1:{port}/api" if found else None)
    finally:
        httpd.shutdown()


def test_no_server_and_a_silent_port_cost_little():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    assert local_prefect_api(closed) is None  # refused at once
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        assert local_prefect_api(silent.getsockname()[1], timeout_s=0.2) is None
