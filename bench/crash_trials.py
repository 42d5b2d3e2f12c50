"""Crash trials: kill `gonogo start` mid-fan-out, `gonogo resume --yes` at once, count.

Run with the project's Python:

    python bench/crash_trials.py                                  # quick: 4 trials x 300
    python bench/crash_trials.py --trials 20 --recipients 2000    # what issue 18 asks for

Each trial starts the test suite's Twilio-compatible server on 127.0.0.1 as Twilio
behaves: every request takes `--latency` seconds and is processed even if its client
is gone, and each sender's queue drains `--rate` segments a second, a queued
Message having `date_sent` null until then. `gonogo start RUNBOOK --yes` (a real
night, not a dry run) sends the window's first SMS to `--recipients` numbers; when
the server has received a random share of them, the process gets SIGKILL or SIGTERM
(`--signal`, alternating by default). `gonogo resume --yes` runs as soon as it has
exited (after `--settle` seconds, 0 by default: a tired operator does not wait).
When every request has landed, the server's Messages are counted per number and
body: a number with the same body twice is a duplicate, a number with none a loss.

Prints one line per trial and the totals; exits 1 if any trial has a duplicate or a
loss, or if `resume` did not exit 0.

The phone numbers are +46 70-174 00 00 onwards, generated here for this run and sent
only to the local server (phonenumbers takes them as Swedish mobile numbers).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from servers.twilio_fake import TwilioFake  # noqa: E402  # the tests' server, not a package

SIGNALS = {"kill": signal.SIGKILL, "term": signal.SIGTERM}


@dataclass
class Trial:
    number: int
    signal_name: str
    kill_at: int  # Messages at the server when the signal was sent
    start_exit: int
    queued_at_resume: int  # Messages still in Twilio's queue when resume began
    resume_exit: int
    resume_seconds: float
    messages: int
    duplicates: int  # extra Messages: same number, same body
    losses: int  # numbers without any Message
    resume_tail: str  # the last lines resume printed

    def line(self) -> str:
        return (
            f"trial {self.number:>2}  {self.signal_name:<7} at {self.kill_at:>5} "
            f"start exit {self.start_exit:>4}  queued {self.queued_at_resume:>5}  "
            f"resume exit {self.resume_exit} in {self.resume_seconds:5.1f} s  "
            f"messages {self.messages:>5}  duplicates {self.duplicates:>4}  "
            f"losses {self.losses:>4}"
        )


def numbers(count: int) -> list[str]:
    return [f"+4670174{n:04d}" for n in range(count)]


def write_runbook(directory: Path, phones: list[str], concurrency: int) -> Path:
    """The 21.0 runbook with one SMS audience of `phones`; nobody gets e-mail."""
    shutil.copytree(ROOT / "runbooks", directory)
    header = "name,phone,email,language"
    rows = [f"Mottagare {n},{phone},,sv" for n, phone in enumerate(phones)]
    (directory / "recipients" / "vard.csv").write_text("\n".join([header, *rows]) + "\n")
    for empty in ("apotek", "intern", "press"):
        (directory / "recipients" / f"{empty}.csv").write_text(header + "\n")
    path = directory / "release-21.0.yaml"
    text = path.read_text(encoding="utf-8")
    old = "    rate_limit: 10\n    concurrency: 8\n"
    assert text.count(old) == 1, "the runbook's SMS settings moved: update this bench"
    text = text.replace(old, f"    rate_limit: 5000\n    concurrency: {concurrency}\n")
    path.write_text(text, encoding="utf-8")
    return path


def gonogo(state: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "gonogo", *args, "--state-dir", str(state)]


def run_trial(number: int, args: argparse.Namespace, rng: random.Random, base: Path) -> Trial:
    phones = numbers(args.recipients)
    runbook = write_runbook(base / f"rb{number}", phones, args.concurrency)
    state = base / f"state{number}"
    signal_name = args.signal if args.signal != "both" else ("kill", "term")[number % 2]
    # Not the first few nor the last few: the kill must land mid-fan-out.
    kill_at = rng.randrange(max(1, args.recipients // 20), max(2, args.recipients * 9 // 10))
    with TwilioFake(latency=args.latency, segments_per_second=args.rate) as twilio:
        env = {**os.environ, **twilio.env()}
        with (base / f"start{number}.log").open("wb") as log:
            sender = subprocess.Popen(
                [*gonogo(state, "start", str(runbook)), "--yes"],
                env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            deadline = time.monotonic() + args.timeout
            while len(twilio.messages) < kill_at and sender.poll() is None:
                if time.monotonic() > deadline:
                    sender.kill()
                    raise SystemExit(f"trial {number}: no kill point within {args.timeout} s")
                time.sleep(0.002)
            sender.send_signal(SIGNALS[signal_name])
            # As a shell reports it: 137 for SIGKILL, 143 for SIGTERM.
            start_exit = sender.wait()
            start_exit = 128 - start_exit if start_exit < 0 else start_exit
        if args.settle:
            time.sleep(args.settle)
        queued = twilio.queued
        began = time.monotonic()
        resumed = subprocess.run(
            [*gonogo(state, "resume"), "--yes"],
            env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=args.timeout, check=False,
        )  # fmt: skip
        seconds = time.monotonic() - began
        if not twilio.wait_idle(timeout=args.timeout):
            raise SystemExit(f"trial {number}: the server never became idle")
        sent = Counter((m["to"], m["body"]) for m in twilio.messages)
    reached = {to for to, _body in sent}
    tail = (resumed.stdout + resumed.stderr).strip().splitlines()[-3:]
    return Trial(
        number=number,
        signal_name="SIGKILL" if signal_name == "kill" else "SIGTERM",
        kill_at=kill_at,
        start_exit=start_exit,
        queued_at_resume=queued,
        resume_exit=resumed.returncode,
        resume_seconds=seconds,
        messages=sum(sent.values()),
        duplicates=sum(n - 1 for n in sent.values()),
        losses=sum(1 for phone in phones if phone not in reached),
        resume_tail=" | ".join(tail),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=4)
    parser.add_argument("--recipients", type=int, default=300)
    parser.add_argument("--signal", choices=("kill", "term", "both"), default="both")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per request")
    parser.add_argument(
        "--rate", type=float, default=10.0, help="segments a second per sender (Twilio's queue)"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="the runbook's SMS lane")
    parser.add_argument("--settle", type=float, default=0.0, help="seconds before resume")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per command")
    parser.add_argument("--keep", action="store_true", help="keep the state directories")
    parser.add_argument("--verbose", action="store_true", help="show what resume said")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    rng = random.Random(seed)
    print(
        f"crash trials: {args.trials} x {args.recipients} SMS recipients, seed {seed}, "
        f"{args.latency * 1000:g} ms per request, queue {args.rate:g} segments/s, "
        f"concurrency {args.concurrency}, resume after {args.settle:g} s",
        flush=True,
    )
    base = Path(tempfile.mkdtemp(prefix="gonogo-crash-"))
    trials: list[Trial] = []
    try:
        for number in range(1, args.trials + 1):
            trial = run_trial(number, args, rng, base)
            trials.append(trial)
            print(trial.line(), flush=True)
            if trial.resume_exit != 0 or args.verbose:
                print(f"          resume said: {trial.resume_tail}", flush=True)
    finally:
        if args.keep:
            print(f"state kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    duplicates = sum(t.duplicates for t in trials)
    losses = sum(t.losses for t in trials)
    failed = sum(1 for t in trials if t.resume_exit != 0)
    bad = sum(1 for t in trials if t.duplicates or t.losses or t.resume_exit != 0)
    print(
        f"total: {duplicates} duplicates, {losses} losses, {failed} resume failures; "
        f"{bad} of {len(trials)} trials not exactly once (seed {seed})"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
