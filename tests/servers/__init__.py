"""Real servers on 127.0.0.1 that the tests talk to instead of Twilio and a mail relay."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nobody listens on right now (for servers that cannot bind port 0 themselves)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
