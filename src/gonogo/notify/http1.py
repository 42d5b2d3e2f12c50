"""One keep-alive HTTP/1.1 connection, spoken to directly: the request written in one
go, the answer read with a small parser.

`http.client` opens the connection (DNS, TCP_NODELAY, TLS, a proxy's CONNECT tunnel);
its per-request machinery (header checks, `email.parser` for the answer's headers)
is most of the CPU of a small POST, so the exchange itself is done here. The answer
is read as HTTP/1.1 says: informational answers skipped, the body by
`Content-Length`, chunked, or up to the close; `Connection: close` and HTTP/1.0 end
the connection. Anything else is a `http.client.HTTPException`.
"""

from __future__ import annotations

import http.client
import select
import socket
from typing import BinaryIO

MAX_LINE = 65536  # as http.client: a longer status or header line is not HTTP
MAX_HEADERS = 100
NO_BODY = (204, 304)


class Connection:
    """`conn`'s socket, opened when needed; not thread-safe (one per thread)."""

    def __init__(self, conn: http.client.HTTPConnection) -> None:
        self._conn = conn
        self._reader: BinaryIO | None = None

    def open(self) -> None:
        """Connect unless an open connection is still usable. Raises `OSError` (or
        `ValueError` for a host name no DNS query can carry): nothing was sent."""
        sock = self._conn.sock
        if sock is not None and self._reader is not None and not _dropped(sock):
            return
        self.close()
        try:
            self._conn.connect()
        except BaseException:
            self.close()
            raise
        self._reader = self._conn.sock.makefile("rb")

    def exchange(self, request: bytes) -> tuple[int, bytes]:
        """Send `request` (whole: head and body) and read the answer: status and body.
        Raises `OSError` or `http.client.HTTPException`, after which the connection is
        closed (the request may or may not have arrived)."""
        if self._reader is None:
            raise http.client.NotConnected("open() first")
        try:
            self._conn.sock.sendall(request)
            status, body, closing = _answer(self._reader)
        except BaseException:
            self.close()
            raise
        if closing:
            self.close()
        return status, body

    def close(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()
        self._conn.close()


def _answer(reader: BinaryIO) -> tuple[int, bytes, bool]:
    """Status, body, and whether the server ends the connection after it."""
    while True:
        version, status = _status(_line(reader))
        headers = _headers(reader)
        if not 100 <= status < 200:  # 1xx: informational, the answer follows
            break
    connection = headers.get("connection", "").lower()
    closing = connection == "close" or (version == "HTTP/1.0" and connection != "keep-alive")
    if status in NO_BODY:
        return status, b"", closing
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return status, _chunked(reader), closing
    length = headers.get("content-length")
    if length is None:
        return status, reader.read(), True  # the body runs to the close
    try:
        size = int(length)
    except ValueError:
        raise http.client.HTTPException(f"bad Content-Length {length!r}") from None
    return status, _exactly(reader, size), closing


def _status(line: bytes) -> tuple[str, int]:
    if not line:
        raise http.client.RemoteDisconnected("Remote end closed connection without response")
    version, _, rest = line.decode("iso-8859-1").rstrip("\r\n").partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/") or not code.isdigit():
        raise http.client.BadStatusLine(line.decode("iso-8859-1", "replace")[:80])
    return version, int(code)


def _headers(reader: BinaryIO) -> dict[str, str]:
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADERS + 1):
        line = _line(reader)
        if line in (b"\r\n", b"\n", b""):
            return headers
        name, colon, value = line.decode("iso-8859-1").partition(":")
        if not colon:
            raise http.client.HTTPException(f"bad header line {line[:80]!r}")
        headers[name.strip().lower()] = value.strip()
    raise http.client.HTTPException(f"more than {MAX_HEADERS} headers")


def _chunked(reader: BinaryIO) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = _line(reader).split(b";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise http.client.HTTPException(f"bad chunk size {size_line[:20]!r}") from None
        if size == 0:
            _headers(reader)  # trailers, up to the blank line
            return b"".join(parts)
        parts.append(_exactly(reader, size))
        _exactly(reader, 2)  # the chunk's CRLF


def _exactly(reader: BinaryIO, size: int) -> bytes:
    data = reader.read(size)
    if len(data) < size:
        raise http.client.IncompleteRead(data, size - len(data))
    return data


def _line(reader: BinaryIO) -> bytes:
    line = reader.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise http.client.LineTooLong("answer line")
    return line


def _dropped(sock: socket.socket) -> bool:
    """An idle keep-alive connection the server closed (or wrote to) is not reused: it
    would fail the next request as if the request had been lost (urllib3 does the same)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)
