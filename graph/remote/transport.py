"""The one HTTP request layer of the remote clients (``push``, ``query --endpoint``).

What it will and will not do, whatever the server answers:

- only ``http`` and ``https`` URLs with a host; anything else is a usage error (exit 2);
- a login (``Authorization``) goes only to the origin (scheme, host, port) the user named:
  a redirect to another origin is refused with an error naming its target, never followed;
  a redirect within the origin is followed (at most ``MAX_REDIRECTS``; 303 as GET);
- one deadline for the whole request, redirects included: a watchdog shuts the socket at
  ``timeout_s``, so a server that trickles bytes cannot keep it waiting (a socket timeout
  would only limit each read);
- at most ``max_bytes`` of answer (a larger ``Content-Length`` is refused before reading).

Built on ``http.client``; certificates are checked with the default SSL context.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass
from email.message import Message
from typing import Mapping

from vexas_kg.errors import EndpointError, UsageError

MAX_RESPONSE_BYTES = 256 * 1024 * 1024
"""Largest answer read from a store (the whole graph as N-Triples is about 2 MB)."""
MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Response:
    """A complete answer: status, headers, body, and the URL that gave it (after redirects)."""

    status: int
    headers: Message
    body: bytes
    url: str

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()


def check_url(url: str) -> urllib.parse.SplitResult:
    """``url`` split, if it is an http(s) URL with a host; otherwise a UsageError that says why."""
    if any(ord(c) < 33 or c == "\x7f" for c in url):
        raise UsageError(f"the endpoint URL {url!r} contains spaces or control characters")
    try:
        split = urllib.parse.urlsplit(url)
        split.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as exc:
        raise UsageError(f"the endpoint URL {url!r} is malformed: {exc}") from None
    if split.scheme.lower() not in ("http", "https"):
        raise UsageError(f"the endpoint URL {url!r} is not an http:// or https:// URL")
    if not split.hostname:
        raise UsageError(f"the endpoint URL {url!r} has no host")
    if split.username is not None or split.password is not None:
        raise UsageError(f"the endpoint URL {url!r} holds a login; give --user (or a netrc entry) instead")
    return split


def origin(split: urllib.parse.SplitResult) -> tuple[str, str, int]:
    """Scheme, host and port (the default port filled in): what a login is bound to."""
    scheme = split.scheme.lower()
    return scheme, (split.hostname or "").lower(), split.port or (443 if scheme == "https" else 80)


def request(method: str, url: str, timeout_s: float, body: bytes | None = None,
            headers: Mapping[str, str] | None = None, authorization: str | None = None,
            max_bytes: int = MAX_RESPONSE_BYTES) -> Response:
    """Send one request and read the whole answer within ``timeout_s``; EndpointError on any failure."""
    deadline = time.monotonic() + timeout_s
    first = check_url(url)
    current = first
    for _ in range(MAX_REDIRECTS + 1):
        sent = dict(headers or {})
        if authorization is not None:
            sent["Authorization"] = authorization
        response = _once(method, current, deadline, timeout_s, body, sent, max_bytes)
        if response.status not in REDIRECTS or not response.headers.get("Location"):
            return response
        target = urllib.parse.urljoin(urllib.parse.urlunsplit(current), response.headers["Location"])
        try:
            following = check_url(target)
        except UsageError:
            following = None
        if following is None or origin(following) != origin(first):
            raise EndpointError(
                f"{method} {url} was redirected (HTTP {response.status}) to {target}, another origin; "
                "requests and logins go only to the URL given: use that URL if you trust it")
        if response.status == 303 and method != "HEAD":
            method, body = "GET", None
            headers = {k: v for k, v in (headers or {}).items() if k.lower() != "content-type"}
        current = following
    raise EndpointError(f"{method} {url} was redirected more than {MAX_REDIRECTS} times")


def _once(method: str, split: urllib.parse.SplitResult, deadline: float, timeout_s: float, body: bytes | None,
          headers: Mapping[str, str], max_bytes: int) -> Response:
    url = urllib.parse.urlunsplit(split)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise EndpointError(f"{method} {url} failed: no complete answer within {timeout_s:g} s")
    scheme, host, port = origin(split)
    connection: http.client.HTTPConnection
    if scheme == "https":
        connection = http.client.HTTPSConnection(host, port, timeout=remaining, context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(host, port, timeout=remaining)
    expired = threading.Event()
    opened: list[socket.socket] = []  # kept here: http.client drops ``connection.sock`` once a response will close

    def expire() -> None:
        expired.set()
        for sock in opened:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(remaining, expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        target = urllib.parse.urlunsplit(("", "", split.path or "/", split.query, ""))
        connection.connect()
        opened.append(connection.sock)
        if expired.is_set():
            expire()
        connection.request(method, target, body=body, headers=dict(headers))
        answer = connection.getresponse()
        length = answer.getheader("Content-Length")
        if length is not None and length.isdigit() and int(length) > max_bytes:
            raise EndpointError(f"{method} {url} failed: the answer is {length} bytes, more than the limit of {max_bytes}")
        chunks, size = [], 0
        while True:
            chunk = answer.read1(65536)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise EndpointError(f"{method} {url} failed: the answer is larger than the limit of {max_bytes} bytes")
            chunks.append(chunk)
            if expired.is_set():
                break
        if expired.is_set():
            raise EndpointError(f"{method} {url} failed: no complete answer within {timeout_s:g} s")
        return Response(answer.status, answer.msg, b"".join(chunks), url)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if expired.is_set():
            raise EndpointError(f"{method} {url} failed: no complete answer within {timeout_s:g} s") from None
        raise EndpointError(f"{method} {url} failed: {one_line(exc)}") from None
    finally:
        watchdog.cancel()
        connection.close()


def one_line(exc: BaseException) -> str:
    """The error's message on one line, at most 400 characters (its class name if it has none)."""
    text = " ".join(str(exc).split())
    return text[:400] if text else type(exc).__name__
