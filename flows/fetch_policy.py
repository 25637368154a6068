"""The fetcher's address policy: what a fetch may reach, checked before any byte leaves the machine.

:class:`FetchPolicy` (limits and allow lists), :class:`FetchResult`, the :class:`FetchError` family,
host normalisation the way ``inet_aton`` reads it, the verdict on one address
(:func:`address_refusal`), DNS resolution with a deadline, and :func:`check_url`, which parses,
resolves and checks one URL. Kept apart from the sockets (``flows.fetch_transport``) and the body
reader (``flows.fetch_body``) so the rules can be read, and tested, on their own.
"""

from __future__ import annotations

import concurrent.futures
import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import httpx

Resolver = Callable[[str, int], Sequence[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_USER_AGENT = "Dateline/0.1 (+https://github.com/dateline)"


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

