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
"""

from __future__ import annotations

import concurrent.futures
import ipaddress
import random
import socket
import threading
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping, Sequence

import httpcore
import httpx

__all__ = [
    "FetchPolicy", "FetchResult", "FetchError", "FetchRefused", "FetchTooLarge", "FetchTimeout",
    "FetchFailed", "fetch", "make_client", "check_url", "address_refusal", "normalise_host",
]

Resolver = Callable[[str, int], Sequence[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_USER_AGENT = "Dateline/0.1 (+https://github.com/dateline)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_PIECE = 64 * 1024  # decompression output granularity


# --------------------------------------------------------------------------------------------
# policy, result, errors


@dataclass(frozen=True)
class FetchPolicy:
    """How far a fetch may go. The defaults refuse every non-global address."""

    timeout_s: float = 20.0  # total wall-clock deadline per request (redirects included)
    connect_timeout_s: float = 5.0
    max_bytes: int = 20 * 1024 * 1024  # bytes on the wire
    max_decompressed_bytes: int = 50 * 1024 * 1024  # bytes after Content-Encoding is undone
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT
    per_host_concurrency: int = 2
    allow_hosts: frozenset[str] = frozenset()  # host names allowed whatever they resolve to
    allow_networks: tuple[str, ...] = ()  # CIDRs allowed even when not global, e.g. "127.0.0.1/32"
    retries: int = 2  # extra attempts after a transient failure
    backoff_s: float = 0.5  # first back-off; doubles each retry, with jitter
    backoff_max_s: float = 8.0  # longest back-off (and longest Retry-After honoured)
    resolver: Resolver | None = field(default=None, repr=False)  # (host, port) -> IPs; tests inject

    def __post_init__(self) -> None:
        hosts = frozenset(_canonical_host(h) for h in self.allow_hosts)
        object.__setattr__(self, "allow_hosts", hosts)
        nets = tuple(str(n) for n in self.allow_networks)
        for net in nets:
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError as exc:
                raise ValueError(f"FetchPolicy.allow_networks: {net!r} is not a network: {exc}") from None
        object.__setattr__(self, "allow_networks", nets)
        if self.timeout_s <= 0 or self.connect_timeout_s <= 0:
            raise ValueError("FetchPolicy timeouts must be positive")
        if self.per_host_concurrency < 1:
            raise ValueError("FetchPolicy.per_host_concurrency must be at least 1")

    @property
    def networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(ipaddress.ip_network(n, strict=False) for n in self.allow_networks)


@dataclass(frozen=True)
class FetchResult:
    url: str  # what was asked for
    final_url: str  # after redirects
    status: int
    headers: Mapping[str, str]  # lower-case names
    content: bytes  # decompressed body
    charset: str | None  # from Content-Type, if declared

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def text(self) -> str:
        from transforms.decode import decode_bytes

        return decode_bytes(self.content, self.charset)[0]


class FetchError(Exception):
    """A fetch that did not produce a body; ``str(exc)`` is ``"<url>: <reason>"``."""

    def __init__(self, url: str, reason: str, *, status: int | None = None, transient: bool = False,
                 retry_after: float | None = None) -> None:
        self.url, self.reason, self.status = url, reason, status
        self.transient, self.retry_after = transient, retry_after
        super().__init__(f"{url}: {reason}")


class FetchRefused(FetchError):
    """The URL or an address it resolves/redirects to is not allowed by the policy."""


class FetchTooLarge(FetchError):
    """The body (raw or decompressed) went over the policy's cap."""


class FetchTimeout(FetchError):
    """The total deadline passed (or a connect timed out)."""


class FetchFailed(FetchError):
    """Anything else: DNS failure, connection error, HTTP error status, bad encoding."""


# --------------------------------------------------------------------------------------------
# hosts and addresses

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


def _canonical_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def normalise_host(host: str) -> IPAddress | None:
    """The IP a host string denotes literally, or None for a name that needs DNS.

    Reads IPv4 the way ``inet_aton`` (and so ``getaddrinfo`` and browsers) do: ``2130706433``,
    ``0177.0.0.1``, ``0x7f.1`` and ``127.1`` are all 127.0.0.1.
    """
    h = _canonical_host(host)
    if not h:
        return None
    if ":" in h:
        try:
            return ipaddress.IPv6Address(h)
        except ValueError:
            return None
    try:
        return ipaddress.IPv4Address(h)
    except ValueError:
        pass
    if all(c in "0123456789abcdefx." for c in h) and h[0].isdigit():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(h))
        except OSError:
            return None
    return None


def address_refusal(ip: IPAddress | str, policy: FetchPolicy | None = None) -> str | None:
    """Why connecting to ``ip`` is refused, or None when it is allowed."""
    if isinstance(ip, str):
        ip = ipaddress.ip_address(ip)
    if policy is not None and any(ip in net for net in policy.networks):
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
        if ip.ipv4_mapped is not None:
            inner = address_refusal(ip.ipv4_mapped, policy)
            return f"IPv4-mapped {ip.ipv4_mapped}: {inner}" if inner else None
        if ip in _NAT64:
            v4 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
            inner = address_refusal(v4, policy)
            return f"NAT64 form of {v4}: {inner}" if inner else None
        if ip in _NAT64_LOCAL:
            return "local-use NAT64 prefix"
        if ip.sixtofour is not None:
            inner = address_refusal(ip.sixtofour, policy)
            if inner:
                return f"6to4 form of {ip.sixtofour}: {inner}"
    if ip in _METADATA:
        return "cloud metadata address"
    if ip.is_unspecified:
        return "unspecified address"
    if ip.is_loopback:
        return "loopback address"
    if ip.is_link_local:
        return "link-local address"
    if ip in _CGNAT:
        return "shared/CGNAT address (100.64.0.0/10)"
    if ip.is_multicast:
        return "multicast address"
    if ip.is_private:
        return "private address"
    if ip.is_reserved:
        return "reserved address"
    if not ip.is_global:
        return "not a global address"
    return None


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for *_, sockaddr in infos:
        if sockaddr[0] not in seen:
            seen.append(sockaddr[0])
    return seen


_DNS_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="dateline-dns")


def _resolve(host: str, port: int, policy: FetchPolicy, url: str, timeout: float) -> list[IPAddress]:
    literal = normalise_host(host)
    if literal is not None:
        return [literal]
    if policy.resolver is not None:
        try:
            answers = list(policy.resolver(host, port))
        except (OSError, UnicodeError, LookupError) as exc:
            raise FetchFailed(url, f"cannot resolve {host}: {exc}") from None
    else:  # getaddrinfo has no timeout of its own
        future = _DNS_POOL.submit(_system_resolver, host, port)
        try:
            answers = future.result(timeout=max(timeout, 0.01))
        except concurrent.futures.TimeoutError:
            raise FetchTimeout(url, f"DNS lookup of {host} took longer than {timeout:.1f}s") from None
        except (socket.gaierror, UnicodeError, OSError) as exc:
            raise FetchFailed(url, f"cannot resolve {host}: {exc}") from None
    ips: list[IPAddress] = []
    for a in answers:
        try:
            ips.append(ipaddress.ip_address(str(a).split("%", 1)[0]))
        except ValueError:
            raise FetchFailed(url, f"resolver returned a non-address for {host}: {a!r}") from None
    if not ips:
        raise FetchFailed(url, f"cannot resolve {host}: no addresses")
    return ips


@dataclass(frozen=True)
class _Target:
    url: httpx.URL
    host: str  # as httpcore will see it (raw host, ascii)
    port: int
    ips: tuple[IPAddress, ...]


def check_url(url: str | httpx.URL, policy: FetchPolicy | None = None, *, label: str | None = None,
              timeout: float | None = None, resolve: bool = True) -> _Target:
    """Parse, resolve and check one URL; raises FetchRefused/FetchFailed naming it.

    With ``resolve=False`` a host name is not looked up (only scheme and literal addresses are
    checked, and the target has no addresses).
    """
    policy = policy or FetchPolicy()
    label = label or str(url)
    try:
        u = url if isinstance(url, httpx.URL) else httpx.URL(str(url).strip())
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchRefused(label, f"not a valid URL: {exc}") from None
    if u.scheme not in ("http", "https"):
        raise FetchRefused(label, f"scheme {u.scheme or '(none)'!r} is not allowed (http and https only)")
    try:
        host = u.raw_host.decode("ascii")
    except UnicodeDecodeError:
        raise FetchRefused(label, "host is not ASCII after IDNA encoding") from None
    if not host:
        raise FetchRefused(label, "URL has no host")
    port = u.port or (443 if u.scheme == "https" else 80)
    if not 0 < port < 65536:
        raise FetchRefused(label, f"port {port} is out of range")
    if not resolve and normalise_host(host) is None:
        return _Target(u, host, port, ())
    ips = _resolve(host, port, policy, label, policy.timeout_s if timeout is None else timeout)
    if _canonical_host(host) not in policy.allow_hosts:
        for ip in ips:
            reason = address_refusal(ip, policy)
            if reason:
                shown = host if str(ip) == _canonical_host(host) else f"{host} resolves to {ip}"
                raise FetchRefused(
                    label, f"refused: {shown} ({reason}); non-global addresses are only fetched "
                    "when FetchPolicy.allow_hosts/allow_networks name them"
                )
    return _Target(u, host, port, tuple(ips))


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
    try:
        attempt = 0
        while True:
            try:
                return _fetch_once(url, policy, client, headers)
            except FetchError as exc:
                if not exc.transient or attempt >= policy.retries:
                    raise
                cap = min(policy.backoff_max_s, policy.backoff_s * (2 ** attempt))
                wait = cap / 2 + random.uniform(0, cap / 2)
                if exc.retry_after is not None:
                    if exc.retry_after > policy.backoff_max_s:
                        raise
                    wait = max(wait, exc.retry_after)
                attempt += 1
                time.sleep(wait)
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
