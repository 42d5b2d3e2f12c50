"""Exactly once against a queueing Twilio: a stop by SIGTERM and a kill -9 mid-fan-out.

The server is the tests' Twilio-compatible one, queueing as Twilio does (a queued
Message has `date_sent` null) and creating a Message even when its client is gone.
`bench/crash_trials.py` runs the same trials at 2,000 recipients, as many as asked.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest
from tests.cli import crash

from servers.twilio_fake import TwilioFake


@pytest.mark.slow
def test_sigterm_mid_fan_out_leaves_nothing_in_doubt(tmp_path: Path) -> None:
    trials = crash.load()
    phones = trials.numbers(300)
    runbook = trials.write_runbook(tmp_path / "rb", phones, 16)
    state = tmp_path / "state"
    with TwilioFake(latency=0.1, segments_per_second=50) as twilio:
        env = {**os.environ, **twilio.env()}
        sender = subprocess.Popen(
            [*trials.gonogo(state, "start", str(runbook)), "--yes"], env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while len(twilio.messages) < 100 and sender.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.005)
        sender.send_signal(signal.SIGTERM)
        _out, err = sender.communicate(timeout=120)
        assert sender.returncode == 143, err
        assert "Traceback" not in err
        assert "stopped by a signal while sending:" in err
        assert "`gonogo resume` finishes them" in err

        with closing(sqlite3.connect(state / "21.0" / "real" / "journal.sqlite")) as db:
            latest = Counter(
                status for (status,) in db.execute(
                    "SELECT l.status FROM delivery_log l JOIN (SELECT MAX(seq) AS seq FROM"
                    " delivery_log GROUP BY delivery) m ON l.seq = m.seq"
                )
            )  # fmt: skip
        assert latest["in_flight"] == 0  # a graceful stop leaves nothing in doubt
        assert latest["sent"] == len(twilio.messages) < 300
        assert latest["pending"] == 300 - latest["sent"]

        resumed = subprocess.run(
            [*trials.gonogo(state, "resume"), "--yes"], env=env, capture_output=True,
            text=True, timeout=300, check=False, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert resumed.returncode == 0, resumed.stderr
        assert "sms var på väg" not in resumed.stdout  # nothing needed reconciling
        assert twilio.wait_idle()
        assert Counter(m["to"] for m in twilio.messages) == Counter(phones)


@pytest.mark.slow
def test_kill_9_mid_fan_out_then_resume_at_once_is_exactly_once(tmp_path: Path) -> None:
    """Two kill -9 trials of 300 recipients, each at a random point of the fan-out, with
    the queue at 10 segments a second and 200 ms per request: no number gets the body
    twice, none misses it."""
    trials = crash.load()
    args = argparse.Namespace(
        recipients=300, signal="kill", latency=0.2, rate=10.0, concurrency=16, settle=0.0,
        timeout=300.0,
    )  # fmt: skip
    rng = random.Random(18)
    for number in (1, 2):
        trial = trials.run_trial(number, args, rng, tmp_path)
        assert trial.start_exit == 137, trial.line()
        assert trial.resume_exit == 0, trial.resume_tail
        assert (trial.duplicates, trial.losses) == (0, 0), trial.line()
        assert trial.messages == 300
