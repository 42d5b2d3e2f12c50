"""Keeping to a channel's rate limit."""

from __future__ import annotations

import threading
import time


class TokenBucket:
    """At most `rate` units a second on average, bursts up to `capacity`.

    The default capacity is one: sends are spaced 1/rate apart, so no one-second window
    holds more than `rate` (+1) of them. A capacity of `rate` would let a full second's
    worth go out at once and then the next second's, twice the limit in one window.

    An acquisition may cost more than one unit (an SMS of two segments costs two, as
    Twilio counts its throughput in segments): it goes out once a unit is there, and
    the rest is owed, so the next one waits until the debt is paid off.
    """

    def __init__(self, rate: float, capacity: float = 1.0) -> None:
        self.rate = rate
        self.capacity = capacity
        self._tokens = self.capacity
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self, cost: float = 1.0) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                # max(0): a clock frozen in another thread (tests) must not stall sending.
                elapsed = max(0.0, now - self._stamp)
                self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= cost  # below zero: owed by the next acquisition
                    return
                delay = (1 - self._tokens) / self.rate
            time.sleep(delay)
