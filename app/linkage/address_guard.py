"""Where a webhook may be sent: public addresses only, unless the configuration trusts a host.

An administrator types a partner's URL and the worker POSTs case data to it, so a URL naming
``127.0.0.1``, ``169.254.169.254`` (a cloud's metadata service) or ``10.0.0.1`` would make
the server reach what only it can reach. Every name is resolved (``socket.getaddrinfo``) and
each address it resolves to is judged with ``ipaddress``: loopback, link-local, private,
unspecified, multicast, reserved and other non-global addresses are refused, unless the host or
the address is on ``JIEFEN_WEBHOOK_ALLOWED_HOSTS`` (comma-separated host names, addresses and
networks, e.g. ``hook.police.lan,10.20.0.0/16``: partner agencies on the government network).

The check runs when the settings are saved and again at every delivery, on the addresses the
connection then uses (:func:`guarded_handlers`): a name that resolves elsewhere later, or
differently between the check and the connection, cannot slip through.
"""
from __future__ import annotations

import functools
import http.client
import ipaddress
import socket
import urllib.request
from dataclasses import dataclass

from flask import current_app, has_app_context

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class AddressRefused(OSError):
    """``host`` resolves to ``address``, which is of ``kind`` (loopback, private, …) and not
    allowed. An ``OSError`` so that a refusal inside ``urllib`` reads as a failed connection."""

    def __init__(self, host: str, address: str, kind: str):
        super().__init__(f"{host} resolves to {address} ({kind})")
        self.host = host
        self.address = address
        self.kind = kind


@dataclass(frozen=True)
class AllowList:
    """Host names and networks trusted although their addresses are not public."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, text: str) -> "AllowList":
        """From ``"hook.lan, 127.0.0.1, 10.20.0.0/16"``: each entry an address or network
        (``ipaddress.ip_network``, host bits allowed) or else a host name."""
        hosts, networks = set(), []
        for entry in (text or "").split(","):
            entry = entry.strip().lower().rstrip(".")
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.add(entry)
        return cls(frozenset(hosts), tuple(networks))

    def trusts_host(self, host: str) -> bool:
        """True when ``host`` is named on the list."""
        return host.lower().rstrip(".") in self.hosts

    def trusts_address(self, ip: IPAddress) -> bool:
        """True when ``ip`` is inside a listed network."""
        return any(ip.version == net.version and ip in net for net in self.networks)


def configured_allow_list() -> AllowList:
    """``JIEFEN_WEBHOOK_ALLOWED_HOSTS`` of the running app (empty outside one)."""
    return AllowList.parse(current_app.config.get("JIEFEN_WEBHOOK_ALLOWED_HOSTS", "") if has_app_context() else "")


def non_public_kind(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public address (``"loopback"``, ``"private"``, …), or ``None``."""
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:  # ::ffff:127.0.0.1 reaches 127.0.0.1
        ip = mapped
    for kind, flag in (("unspecified", ip.is_unspecified), ("loopback", ip.is_loopback),
                       ("link-local", ip.is_link_local), ("multicast", ip.is_multicast),
                       ("reserved", ip.is_reserved), ("private", ip.is_private)):
        if flag:
            return kind
    if not ip.is_global:  # shared address space (100.64.0.0/10) and the like
        return "not public"
    return None


def _address(sockaddr) -> IPAddress:
    return ipaddress.ip_address(sockaddr[0].split("%", 1)[0])  # an IPv6 scope (fe80::1%eth0) is no part of it


def checked_addresses(host: str, port: int, allow: AllowList | None = None) -> list[tuple]:
    """``getaddrinfo`` results for ``host``, every one of them allowed; :class:`AddressRefused`
    naming the first that is not. ``socket.gaierror`` when the name does not resolve."""
    allow = configured_allow_list() if allow is None else allow
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    if allow.trusts_host(host):
        return infos
    for info in infos:
        ip = _address(info[4])
        kind = non_public_kind(ip)
        if kind and not allow.trusts_address(ip):
            raise AddressRefused(host, str(ip), kind)
    return infos


def check_url_host(host: str, port: int, allow: AllowList | None = None) -> AddressRefused | None:
    """The refusal of ``host`` if it resolves to an address not allowed; ``None`` when every
    address is allowed or the name does not resolve now (each delivery checks it again)."""
    try:
        checked_addresses(host, port, allow)
    except AddressRefused as refused:
        return refused
    except (OSError, UnicodeError):
        return None
    return None


def _guarded_create_connection(allow: AllowList, address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT,
                               source_address=None, **_kw):
    """``socket.create_connection`` to the checked addresses only: the address judged is the
    address connected to (no second lookup between them)."""
    host, port = address
    error: OSError | None = None
    for family, socktype, proto, _canon, sockaddr in checked_addresses(host, port, allow):
        sock = socket.socket(family, socktype, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    raise error or OSError(f"{host}: no address")


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, allow: AllowList, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = functools.partial(_guarded_create_connection, allow)


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, allow: AllowList, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = functools.partial(_guarded_create_connection, allow)


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, allow: AllowList):
        super().__init__()
        self._allow = allow

    def http_open(self, req):
        return self.do_open(functools.partial(_GuardedHTTPConnection, allow=self._allow), req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, allow: AllowList):
        super().__init__()
        self._allow = allow

    def https_open(self, req):
        # the default SSL context checks the certificate against the host name
        return self.do_open(functools.partial(_GuardedHTTPSConnection, allow=self._allow), req)


def guarded_handlers(allow: AllowList | None = None) -> list[urllib.request.BaseHandler]:
    """``urllib`` handlers for http and https that connect only to allowed addresses; a refused
    one fails the request with ``URLError(reason=AddressRefused)``."""
    allow = configured_allow_list() if allow is None else allow
    return [_GuardedHTTPHandler(allow), _GuardedHTTPSHandler(allow)]
