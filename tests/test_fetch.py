"""flows.fetch against a real HTTP server on 127.0.0.1; hostile addresses refused before connecting.

No test connects anywhere but 127.0.0.1: `guard_sockets` fails any other connect, and the SSRF
cases use an injected resolver and assert that no socket was opened at all.
"""

from __future__ import annotations

import gzip
import ipaddress
import socket
import threading
import time

import pytest

import flows.fetch_transport as transport_mod
from flows.fetch import (FetchFailed, FetchPolicy, FetchRefused, FetchTimeout, FetchTooLarge, address_refusal,
                         fetch, make_client, normalise_host)
from http_server import (LocalServer, chunked, gzip_bomb, gzipped, redirect, send, silent, slow_drip,
                         static)

LOCAL = ("127.0.0.1/32",)


def policy(**kw) -> FetchPolicy:
    base = dict(allow_networks=LOCAL, timeout_s=5.0, retries=0, backoff_s=0.01)
    base.update(kw)
    return FetchPolicy(**base)


@pytest.fixture(autouse=True)
def guard_sockets(monkeypatch):
    """Fail loudly on any connection to anything but 127.0.0.1 and count the ones made."""
    real = socket.create_connection
    made: list[tuple] = []

    def guarded(address, *args, **kwargs):
        if address[0] != "127.0.0.1":
            raise AssertionError(f"test tried to connect to {address}")
        made.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    return made


@pytest.fixture
def connects(monkeypatch):
    """Every connection the fetcher opens (ip, port): `_connect` is looked up in flows.fetch_transport."""
    seen: list[tuple[str, int]] = []
    real = transport_mod._connect

    def spy(ip, port, *args, **kwargs):
        seen.append((ip, port))
        return real(ip, port, *args, **kwargs)

    monkeypatch.setattr(transport_mod, "_connect", spy)
    return seen


@pytest.fixture
def server():
    srv = LocalServer()
    yield srv
    srv.close()


# ---------------------------------------------------------------------------------------------
# addresses


@pytest.mark.parametrize("host", ["2130706433", "0177.0.0.1", "127.1", "0x7f.1", "0x7f000001", "127.0.0.1.",
                                  "[::ffff:127.0.0.1]", "::ffff:7f00:1"])
def test_obfuscated_loopback_forms_normalise_to_127_0_0_1(host):
    ip = normalise_host(host)
    assert ip is not None
    v4 = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else ip
    assert str(v4) == "127.0.0.1"


def test_names_are_not_taken_for_addresses():
    assert normalise_host("example.com") is None
    assert normalise_host("123.example") is None
    assert normalise_host("deadbeef") is None


@pytest.mark.parametrize("ip,word", [
    ("127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("172.16.5.4", "private"), ("192.168.0.1", "private"),
    ("169.254.169.254", "metadata"), ("169.254.1.1", "link-local"), ("100.64.0.1", "CGNAT"),
    ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"), ("240.0.0.1", ""),
    ("255.255.255.255", ""), ("::1", "loopback"), ("::", "unspecified"), ("fe80::1", "link-local"),
    ("fc00::1", "private"), ("::ffff:127.0.0.1", "IPv4-mapped"), ("::ffff:10.0.0.1", "IPv4-mapped"),
    ("64:ff9b::7f00:1", "NAT64"), ("64:ff9b::a9fe:a9fe", "NAT64"), ("64:ff9b:1::1", "NAT64"),
    ("2002:7f00:1::", "6to4"), ("ff02::1", "multicast"), ("198.18.0.1", ""), ("192.0.2.1", ""),
])
def test_non_global_addresses_are_refused(ip, word):
    reason = address_refusal(ip)
    assert reason is not None and word in reason


@pytest.mark.parametrize("ip", ["8.8.8.8", "93.184.215.14", "2606:4700::1111", "64:ff9b::808:808"])
def test_global_addresses_pass(ip):
    assert address_refusal(ip) is None


def test_allow_networks_opens_only_the_named_network():
    p = FetchPolicy(allow_networks=LOCAL)
    assert address_refusal("127.0.0.1", p) is None
    assert address_refusal("127.0.0.2", p) is not None
    assert address_refusal("::ffff:127.0.0.1", p) is None  # the mapped form of an allowed address
    assert address_refusal("10.0.0.1", p) is not None


def test_policy_rejects_a_bad_network():
    with pytest.raises(ValueError, match="not a network"):
        FetchPolicy(allow_networks=("10.0.0.300/8",))


# ---------------------------------------------------------------------------------------------
# SSRF: refused before any connection


def _no_dns(host, port):
    raise AssertionError(f"literal address {host} must not be resolved")


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://127.0.0.1:8080/admin", "http://10.0.0.1/", "http://172.16.0.1/",
    "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/", "http://[::1]/",
    "http://[::ffff:127.0.0.1]/", "http://[::ffff:169.254.169.254]/", "http://[64:ff9b::a00:1]/",
    "http://[64:ff9b::7f00:1]/", "http://2130706433/", "http://0177.0.0.1/", "http://127.1/", "http://0x7f.1/",
    "http://0.0.0.0/", "http://[fe80::1]/", "https://[fd00::1]/", "http://017700000001/", "http://0/",
    "http://[fe80::1%25eth0]/", "http://example.com:99999/",
])
def test_ssrf_literal_addresses_refused_without_connecting(url, connects, guard_sockets):
    with pytest.raises(FetchRefused) as err:
        fetch(url, FetchPolicy(resolver=_no_dns))
    assert url in str(err.value)
    assert connects == [] and guard_sockets == []


@pytest.mark.parametrize("answer", ["127.0.0.1", "10.0.0.5", "172.31.255.1", "192.168.10.10", "169.254.169.254",
                                    "100.100.100.200", "::1", "::ffff:127.0.0.1", "64:ff9b::c0a8:101", "fe80::2"])
def test_ssrf_names_resolving_inward_refused_without_connecting(answer, connects, guard_sockets):
    calls = []

    def resolver(host, port):
        calls.append(host)
        return [answer]

    with pytest.raises(FetchRefused, match=r"evil\.example\.com resolves to"):
        fetch("https://evil.example.com/feed.xml", FetchPolicy(resolver=resolver))
    assert calls == ["evil.example.com"]
    assert connects == [] and guard_sockets == []


def test_one_inward_address_among_several_refuses(connects):
    resolver = lambda host, port: ["93.184.215.14", "10.0.0.7"]  # noqa: E731
    with pytest.raises(FetchRefused, match="10.0.0.7"):
        fetch("http://mixed.example/", FetchPolicy(resolver=resolver))
    assert connects == []


def test_default_policy_refuses_the_local_test_server(server, connects):
    server.routes["/"] = static(b"<p>hi</p>")
    with pytest.raises(FetchRefused, match="loopback"):
        fetch(server.url("/"))
    assert connects == [] and server.requests == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://127.0.0.1:70/",
                                 "javascript:alert(1)", "//example.com/x", "not a url"])
def test_only_http_and_https(url, connects):
    with pytest.raises(FetchRefused):
        fetch(url, FetchPolicy(resolver=_no_dns))
    assert connects == []


def test_redirect_to_metadata_address_refused(server, connects):
    server.routes["/r"] = redirect("http://169.254.169.254/latest/meta-data/iam")
    with pytest.raises(FetchRefused) as err:
        fetch(server.url("/r"), policy())
    assert "redirect 1" in str(err.value) and "169.254.169.254" in str(err.value)
    assert connects == [("127.0.0.1", server.port)]


def test_redirect_to_name_resolving_private_refused(server, connects):
    server.routes["/r"] = redirect("http://intranet.corp.example/secret")
    resolver = lambda host, port: {"intranet.corp.example": ["10.20.30.40"]}[host]  # noqa: E731
    with pytest.raises(FetchRefused, match="intranet.corp.example resolves to 10.20.30.40"):
        fetch(server.url("/r"), policy(resolver=resolver))
    assert connects == [("127.0.0.1", server.port)]


def test_redirect_to_obfuscated_loopback_refused_when_only_named_host_allowed(server):
    # allow the test server by name only; a redirect to 2130706433 (127.0.0.1) is still refused
    server.routes["/r"] = redirect(f"http://2130706433:{server.port}/x")
    p = FetchPolicy(allow_hosts=frozenset({"feeds.test"}), resolver=lambda h, port: ["127.0.0.1"])
    with pytest.raises(FetchRefused, match="loopback"):
        fetch(f"http://feeds.test:{server.port}/r", p)


# ---------------------------------------------------------------------------------------------
# DNS pinning


def test_connection_goes_to_the_checked_address_with_the_original_host_header(server, connects):
    server.routes["/a"] = static(b"<p>pinned</p>")
    answers = iter([["127.0.0.1"], ["10.9.9.9"]])  # a rebinding resolver: second answer is inward
    calls = []

    def resolver(host, port):
        calls.append(host)
        return next(answers)

    res = fetch(f"http://news.example.test:{server.port}/a", policy(resolver=resolver))
    assert res.content == b"<p>pinned</p>"
    assert calls == ["news.example.test"]  # looked up once; the connect used that answer
    assert connects == [("127.0.0.1", server.port)]
    assert server.requests[-1].headers["host"] == f"news.example.test:{server.port}"


def test_allow_hosts_permits_a_named_intranet_host(server):
    server.routes["/"] = static(b"ok")
    p = FetchPolicy(allow_hosts=frozenset({"Intranet.Test"}), resolver=lambda h, port: ["127.0.0.1"])
    assert fetch(f"http://intranet.test:{server.port}/", p).content == b"ok"


def test_a_plain_make_client_request_is_checked_too(server, connects):
    """Requests that bypass fetch() still go through the pinned backend's check."""
    with make_client(FetchPolicy()) as client:
        with pytest.raises(FetchRefused, match="loopback"):
            client.get(server.url("/"))
    assert connects == []


# ---------------------------------------------------------------------------------------------
# ordinary fetches


def test_fetch_page_user_agent_and_charset(server):
    server.routes["/p"] = static("<p>Café</p>".encode("cp1252"), "text/html; charset=windows-1252")
    res = fetch(server.url("/p"), policy())
    assert res.status == 200 and res.final_url == server.url("/p")
    assert res.charset == "windows-1252" and res.text() == "<p>Café</p>"
    seen = server.requests[-1].headers
    assert seen["user-agent"] == "Dateline/0.1 (+https://github.com/dateline)"
    assert "gzip" in seen["accept-encoding"]


def test_gzip_body_is_decoded(server):
    page = b"<html><body>" + b"<p>paragraph</p>" * 5000 + b"</body></html>"
    server.routes["/g"] = gzipped(page)
    assert fetch(server.url("/g"), policy()).content == page


def test_relative_redirects_are_followed_and_limited(server):
    server.routes["/a"] = redirect("/b", 301)
    server.routes["/b"] = redirect("c", 307)
    server.routes["/c"] = static(b"done")
    res = fetch(server.url("/a"), policy())
    assert res.content == b"done" and res.final_url == server.url("/c")
    server.routes["/loop"] = redirect("/loop")
    with pytest.raises(FetchFailed, match="more than 3 redirects"):
        fetch(server.url("/loop"), policy(max_redirects=3))


def test_http_errors_are_fetch_failed_with_status(server):
    with pytest.raises(FetchFailed) as err:
        fetch(server.url("/missing"), policy(retries=3))
    assert err.value.status == 404 and "HTTP 404" in str(err.value)
    assert len(server.requests) == 1  # a 404 is not retried


def test_transient_errors_are_retried_with_backoff(server):
    state = {"n": 0}

    def flaky(h):
        state["n"] += 1
        if state["n"] <= 2:
            send(h, 503 if state["n"] == 1 else 429, b"busy", "text/plain", {"Retry-After": "0"})
        else:
            send(h, 200, b"finally")

    server.routes["/f"] = flaky
    t = time.monotonic()
    assert fetch(server.url("/f"), policy(retries=2, backoff_s=0.05)).content == b"finally"
    assert state["n"] == 3 and time.monotonic() - t >= 0.05
    state["n"] = 0
    with pytest.raises(FetchFailed, match="HTTP 503"):
        fetch(server.url("/f"), policy(retries=0))


def test_connection_refused_is_a_clear_failure():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchFailed, match="connection failed"):
        fetch(f"http://127.0.0.1:{port}/", policy(retries=1, backoff_s=0.01))


# ---------------------------------------------------------------------------------------------
# hostile servers: caps and deadline


def test_gzip_bomb_is_capped(server):
    server.routes["/bomb"] = gzip_bomb(64)  # ~64 KB on the wire, 64 MB inflated
    t = time.monotonic()
    with pytest.raises(FetchTooLarge, match="decompressed body is over") as err:
        fetch(server.url("/bomb"), policy(max_decompressed_bytes=2 * 1024 * 1024))
    assert time.monotonic() - t < 5
    assert server.url("/bomb") in str(err.value)


def test_declared_and_streamed_size_caps(server):
    big = b"x" * (3 * 1024 * 1024)
    server.routes["/declared"] = static(big)
    server.routes["/chunked"] = chunked(big)
    with pytest.raises(FetchTooLarge, match="Content-Length"):
        fetch(server.url("/declared"), policy(max_bytes=1024 * 1024))
    with pytest.raises(FetchTooLarge, match="1048576-byte cap"):
        fetch(server.url("/chunked"), policy(max_bytes=1024 * 1024))
    assert len(fetch(server.url("/chunked"), policy()).content) == len(big)


def test_slow_drip_is_cut_off_by_the_total_deadline(server):
    server.routes["/drip"] = slow_drip(interval_s=0.05, total_s=20)  # each read succeeds quickly
    t = time.monotonic()
    with pytest.raises(FetchTimeout, match="total deadline of 1s exceeded"):
        fetch(server.url("/drip"), policy(timeout_s=1.0))
    assert time.monotonic() - t < 1.6


@pytest.mark.parametrize("after_headers", [False, True])
def test_silent_server_is_cut_off_by_the_total_deadline(server, after_headers):
    server.routes["/s"] = silent(after_headers, hold_s=10)
    t = time.monotonic()
    with pytest.raises(FetchTimeout):
        fetch(server.url("/s"), policy(timeout_s=0.8, retries=2))
    assert time.monotonic() - t < 1.4  # a total-deadline timeout is not retried


def test_unknown_content_encoding_is_refused(server):
    server.routes["/br"] = static(b"\x0b\x02\x80hello\x03", "text/html", headers={"Content-Encoding": "br"})
    with pytest.raises(FetchFailed, match="unsupported Content-Encoding 'br'"):
        fetch(server.url("/br"), policy())


def test_truncated_gzip_is_a_failure(server):
    data = gzip.compress(b"<p>" + b"y" * 100000 + b"</p>")[:-20]
    server.routes["/t"] = static(data, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchFailed, match="cannot decode gzip body"):
        fetch(server.url("/t"), policy())


def test_per_host_concurrency_limit(server):
    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def slow(h):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.15)
        with lock:
            state["now"] -= 1
        send(h, 200, b"ok")

    server.routes["/slow"] = slow
    p = policy(per_host_concurrency=2)
    with make_client(p) as client:
        threads = [threading.Thread(target=fetch, args=(server.url("/slow"), p, client)) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert state["max"] == 2
    assert len(server.requests) == 6
