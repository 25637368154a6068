"""A safe HTTP(S) fetcher for feeds and article pages.

Every fetch is checked before any byte leaves the machine:

* only ``http``/``https``; the host is normalised the way a browser/``inet_aton`` would read it
  (``2130706433``, ``0177.0.0.1``, ``127.1``, ``0x7f.1`` are all 127.0.0.1) and resolved, and every
  resolved address must be global: loopback, private, link-local (169.254.169.254 included), CGNAT
  100.64/10, multicast, reserved, unspecified, IPv4-mapped/NAT64/6to4 forms of those are refused
  unless the policy explicitly allows the host or network (``allow_hosts`` / ``allow_networks``,
  empty by default);
* redirects are followed by hand, at most ``max_redirects``, and every hop is checked again;
* **DNS pinning**: the addresses that passed the check are the ones the socket connects to. The
  client built by :func:`make_client` uses an httpcore network backend whose ``connect_tcp`` looks the
  host up in the per-thread pin table that :func:`fetch` filled for this hop (and resolves + checks
  itself when nothing is pinned), then connects to that IP. httpcore still starts TLS with
  ``server_hostname`` = the URL's host and httpx sends ``Host:`` from the URL, so SNI and certificate
  verification are unchanged. A second DNS answer (rebinding) is never consulted. Environment proxies
  are ignored (``trust_env=False``): a proxy would resolve names itself and defeat the check;
* one total wall-clock deadline per attempt (httpx's timeouts are per socket operation): the pinned
  stream clamps every connect/read/write/TLS timeout to the time left, so a slow-drip server is cut
  off at the deadline, not at ``n × read timeout``;
* a cap on bytes received and a separate cap on decompressed bytes; bodies are decompressed here,
  in bounded pieces, so a gzip bomb never inflates more than one 64 KiB piece past the cap;
* at most ``per_host_concurrency`` requests per host at a time (process-wide), a User-Agent, and a
  few retries with exponential back-off and jitter for transient failures (connect errors, 429, 5xx).

Errors are :class:`FetchRefused`, :class:`FetchTooLarge`, :class:`FetchTimeout` and
:class:`FetchFailed` (all :class:`FetchError`); the message names the URL and what went wrong.

The address rules live in :mod:`flows.fetch_policy`, the pinned sockets in
:mod:`flows.fetch_transport` and the capped body reader in :mod:`flows.fetch_body`; this module
holds the redirect loop, retries and per-host slots, and is the import path for all public names.
"""

from __future__ import annotations

import random
import threading
import time
from contextlib import contextmanager
from typing import Iterator, Mapping

import httpx
import tenacity

from flows.fetch_body import _read_body
from flows.fetch_policy import (FetchError, FetchFailed, FetchPolicy, FetchRefused, FetchResult, FetchTimeout,
                                FetchTooLarge, _canonical_host, address_refusal, check_url, normalise_host)
from flows.fetch_transport import _pinned, make_client

__all__ = [
    "FetchPolicy", "FetchResult", "FetchError", "FetchRefused", "FetchTooLarge", "FetchTimeout",
    "FetchFailed", "fetch", "make_client", "check_url", "address_refusal", "normalise_host",
]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


# --------------------------------------------------------------------------------------------
# per-host politeness

_slots: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


@contextmanager
def _host_slot(host: str, limit: int, wait_s: float, url: str) -> Iterator[None]:
    key = (_canonical_host(host), limit)
    with _slots_lock:
        sem = _slots.setdefault(key, threading.BoundedSemaphore(limit))
    if not sem.acquire(timeout=max(wait_s, 0.0)):
        raise FetchTimeout(url, f"no free connection slot for {host} within {wait_s:.1f}s "
                                f"(per-host limit {limit})", transient=True)
    try:
        yield
    finally:
        sem.release()


# --------------------------------------------------------------------------------------------
# fetch


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


def _fetch_once(url: str, policy: FetchPolicy, client: httpx.Client, headers: Mapping[str, str]) -> FetchResult:
    current: str | httpx.URL = url
    deadline: float | None = None
    for hop in range(policy.max_redirects + 1):
        label = url if hop == 0 else f"{url} (redirect {hop} to {current})"
        left = policy.timeout_s if deadline is None else deadline - time.monotonic()
        if left <= 0:
            raise FetchTimeout(label, f"total deadline of {policy.timeout_s:g}s exceeded")
        target = check_url(current, policy, label=label, timeout=left)
        with _host_slot(target.host, policy.per_host_concurrency, left, label):
            if deadline is None:
                deadline = time.monotonic() + policy.timeout_s
            with _pinned(target, deadline):
                try:
                    left = max(deadline - time.monotonic(), 0.001)
                    timeout = httpx.Timeout(left, connect=min(policy.connect_timeout_s, left))
                    request = client.build_request("GET", target.url, headers=dict(headers), timeout=timeout)
                    response = client.send(request, stream=True, follow_redirects=False)
                except FetchError:
                    raise
                except httpx.TimeoutException as exc:
                    late = time.monotonic() >= deadline
                    what = f"total deadline of {policy.timeout_s:g}s exceeded" if late else f"timed out: {exc}"
                    raise FetchTimeout(label, what, transient=not late) from None
                except httpx.TransportError as exc:
                    raise FetchFailed(label, f"connection failed: {type(exc).__name__}: {exc}",
                                      transient=isinstance(exc, (httpx.ConnectError, httpx.RemoteProtocolError))) from None
                try:
                    status = response.status_code
                    if status in REDIRECT_STATUSES:
                        location = response.headers.get("location")
                        if not location:
                            raise FetchFailed(label, f"HTTP {status} redirect without a Location header", status=status)
                        try:
                            current = target.url.join(location.strip())
                        except (httpx.InvalidURL, ValueError) as exc:
                            raise FetchRefused(label, f"redirect to an invalid URL {location!r}: {exc}") from None
                        continue
                    if status in RETRY_STATUSES:
                        raise FetchFailed(label, f"HTTP {status}", status=status, transient=True,
                                          retry_after=_retry_after(response.headers.get("retry-after")))
                    if status >= 300:
                        raise FetchFailed(label, f"HTTP {status}", status=status)
                    try:
                        content = _read_body(response, policy, label, deadline)
                    except httpx.TimeoutException:
                        raise FetchTimeout(label, f"total deadline of {policy.timeout_s:g}s exceeded while reading") from None
                    except httpx.TransportError as exc:
                        raise FetchFailed(label, f"connection broke while reading: {type(exc).__name__}: {exc}") from None
                    return FetchResult(
                        url=url, final_url=str(target.url), status=status,
                        headers={k.lower(): v for k, v in response.headers.items()},
                        content=content, charset=response.charset_encoding,
                    )
                finally:
                    response.close()
    raise FetchFailed(url, f"more than {policy.max_redirects} redirects (last: {current})")


def _worth_retrying(exc: BaseException, policy: FetchPolicy) -> bool:
    """A transient failure (timeout, reset, 429/5xx) whose server does not ask to wait too long."""
    return isinstance(exc, FetchError) and exc.transient and (
        exc.retry_after is None or exc.retry_after <= policy.backoff_max_s)


def _backoff(state: tenacity.RetryCallState, policy: FetchPolicy) -> float:
    """Exponential back-off with half jitter, at least the server's Retry-After."""
    cap = min(policy.backoff_max_s, policy.backoff_s * (2 ** (state.attempt_number - 1)))
    wait = cap / 2 + random.uniform(0, cap / 2)
    retry_after = getattr(state.outcome.exception(), "retry_after", None) if state.outcome else None
    return max(wait, retry_after) if retry_after is not None else wait


def fetch(url: str, policy: FetchPolicy | None = None, client: httpx.Client | None = None, *,
          accept: str = "*/*") -> FetchResult:
    """GET ``url`` under ``policy``; raises a FetchError naming the URL when it cannot.

    Pass a client from :func:`make_client` to reuse connections across fetches; any other client
    gets the same checks before each hop but no address pinning.
    """
    policy = policy or FetchPolicy()
    own = client is None
    if own:  # refuse a bad first URL before building a client (the check runs again per hop)
        check_url(url, policy, resolve=False)
        client = make_client(policy)
    headers = {"User-Agent": policy.user_agent, "Accept": accept, "Accept-Encoding": "gzip, deflate"}
    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception(lambda exc: _worth_retrying(exc, policy)),
        stop=tenacity.stop_after_attempt(policy.retries + 1),
        wait=lambda state: _backoff(state, policy),
        reraise=True,
    )
    try:
        return retrying(_fetch_once, url, policy, client, headers)
    finally:
        if own:
            client.close()


def policy_from_settings(settings) -> FetchPolicy:
    """The fetch policy a run's settings ask for: non-global addresses refused unless allowed."""
    split = lambda v: tuple(x.strip() for x in v.split(",") if x.strip())  # noqa: E731
    return FetchPolicy(
        timeout_s=settings.fetch_timeout_s,
        max_bytes=settings.fetch_max_bytes,
        max_decompressed_bytes=int(settings.fetch_max_bytes * 2.5),
        allow_hosts=frozenset(split(settings.fetch_allow_hosts)),
        allow_networks=split(settings.fetch_allow_networks),
    )
