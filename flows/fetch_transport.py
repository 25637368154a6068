"""Pinned, deadline-aware connections for the fetcher: the only code that opens a socket.

The client from :func:`make_client` runs httpx over an httpcore backend whose ``connect_tcp``
connects to the addresses :func:`flows.fetch_policy.check_url` accepted for this hop (the
per-thread pin table that ``_pinned`` fills), or checks the host itself when nothing is pinned,
and whose streams cut every operation short at the thread's fetch deadline. TLS still uses the
URL's host for SNI and certificate checks.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterator

import httpcore
import httpx

from flows.fetch_policy import FetchPolicy, _Target, check_url

# --------------------------------------------------------------------------------------------
# pinned, deadline-aware connections

_state = threading.local()  # .pins {(host, port): (ip, ...)}, .deadline (monotonic) for this thread


def _remaining() -> float | None:
    deadline = getattr(_state, "deadline", None)
    return None if deadline is None else deadline - time.monotonic()


def _clamp(timeout: float | None, exc: type[Exception]) -> float | None:
    left = _remaining()
    if left is None:
        return timeout
    if left <= 0:
        raise exc("total deadline exceeded")
    return left if timeout is None else min(timeout, left)


@contextmanager
def _pinned(target: _Target, deadline: float) -> Iterator[None]:
    pins = getattr(_state, "pins", None)
    if pins is None:
        pins = _state.pins = {}
    old_pin, old_deadline = pins.get((target.host, target.port)), getattr(_state, "deadline", None)
    pins[(target.host, target.port)] = target.ips
    _state.deadline = deadline
    try:
        yield
    finally:
        if old_pin is None:
            pins.pop((target.host, target.port), None)
        else:
            pins[(target.host, target.port)] = old_pin
        _state.deadline = old_deadline


def _connect(ip: str, port: int, timeout: float | None, local_address: str | None,
             socket_options) -> httpcore.NetworkStream:
    """The one place a socket is opened (tests replace it to prove nothing was connected)."""
    return httpcore.SyncBackend().connect_tcp(ip, port, timeout=timeout, local_address=local_address,
                                              socket_options=socket_options)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation is cut short at the thread's fetch deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None, timeout: float | None = None):
        inner = self._inner.start_tls(ssl_context, server_hostname, _clamp(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options=None) -> httpcore.NetworkStream:
        ips = getattr(_state, "pins", {}).get((host, port))
        if ips is None:  # a request that did not come through fetch(): check here, same rules
            scheme = "https" if port == 443 else "http"
            ips = check_url(f"{scheme}://{host if ':' not in host else f'[{host}]'}:{port}/", self.policy).ips
        timeout = _clamp(timeout, httpcore.ConnectTimeout)
        last: Exception | None = None
        for ip in ips:
            try:
                return _DeadlineStream(_connect(str(ip), port, timeout, local_address, socket_options))
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(self, *args, **kwargs):  # pragma: no cover - never used
        raise httpcore.ConnectError("unix sockets are not allowed")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


_ssl_lock = threading.Lock()
_ssl_ctx: list = []


def _ssl_context():
    """One verifying SSL context per process (loading the CA bundle costs ~20 ms)."""
    with _ssl_lock:
        if not _ssl_ctx:
            _ssl_ctx.append(httpx.create_ssl_context(trust_env=False))
        return _ssl_ctx[0]


class _PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport with its connection pool swapped for one on the pinned backend."""

    def __init__(self, policy: FetchPolicy, limits: httpx.Limits) -> None:
        # verify=False only spares loading the CA bundle for a pool that is replaced right below
        super().__init__(verify=False, trust_env=False, limits=limits)
        if not isinstance(getattr(self, "_pool", None), httpcore.ConnectionPool):  # httpx internals moved
            raise RuntimeError("httpx.HTTPTransport has no httpcore pool to pin; check the httpx version")
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_PinnedBackend(policy),
        )


def make_client(policy: FetchPolicy | None = None) -> httpx.Client:
    """An httpx client whose connections go only to addresses the policy accepted (close it after use)."""
    policy = policy or FetchPolicy()
    limits = httpx.Limits(max_connections=20, max_keepalive_connections=10, keepalive_expiry=30.0)
    return httpx.Client(
        transport=_PinnedTransport(policy, limits), trust_env=False, follow_redirects=False,
        headers={"User-Agent": policy.user_agent}, timeout=policy.timeout_s,
    )

