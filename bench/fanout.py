"""How fast a dispatch fans out: 10,000 SMS and 10,000 e-mails through the real CLI path.

Run with the project's Python:  python bench/fanout.py [--count 10000] [--sms-concurrency 64]

1. Starts the test suite's Twilio-compatible server on 127.0.0.1 with 20 ms of latency
   per request, and runs `gonogo start RUNBOOK --yes` (a real, not dry-run night: the
   journal, in-flight marks and all) on a copy of the 21.0 runbook whose audience has
   `--count` SMS recipients. Prints messages per second (first to last message at the
   server, and for the whole command including its start-up) and the peak RSS of the
   gonogo process.
2. Times a plain sequential loop of `client.messages.create` against the same server
   (`--sequential` sends, extrapolated to `--count`), for the ratio.
3. The same CLI run with `--count` e-mail recipients against aiosmtpd (SmtpServer).

The phone numbers are random distinct +4670xxxxxxx numbers (valid Swedish mobile
numbers for phonenumbers), generated in a temporary directory for this run only:
they go to the local fake server and are never written anywhere else.

Targets on the 2-core reference machine: SMS at least 10x the sequential loop and
400/s, peak RSS under 200 MB; e-mail at least 300/s. Exits 1 if one is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from servers.smtp import SmtpServer  # noqa: E402  # the tests' servers, not a package
from servers.twilio_fake import TwilioFake  # noqa: E402

LATENCY = 0.020
TARGET_RATIO = 10.0
TARGET_SMS = 400.0
TARGET_RSS_MB = 200.0
TARGET_EMAIL = 300.0


@dataclass
class Figures:
    count: int
    dispatch_seconds: float  # first to last message at the server
    command_seconds: float  # the whole `gonogo start`, process start-up included
    peak_rss_mb: float
    exit_code: int

    @property
    def dispatch_rate(self) -> float:
        return self.count / self.dispatch_seconds

    @property
    def command_rate(self) -> float:
        return self.count / self.command_seconds


def write_runbook(
    directory: Path, rows: list[str], *, sms_concurrency: int, email_concurrency: int
) -> Path:
    shutil.copytree(ROOT / "runbooks", directory)
    header = "name,phone,email,language"
    (directory / "recipients" / "vard.csv").write_text("\n".join([header, *rows]) + "\n")
    for empty in ("apotek", "intern", "press"):
        (directory / "recipients" / f"{empty}.csv").write_text(header + "\n")
    path = directory / "release-21.0.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in {
        "    rate_limit: 10\n    concurrency: 8\n": (
            f"    rate_limit: 5000\n    concurrency: {sms_concurrency}\n"
        ),
        "    reply_to: servicedesk@example.org\n    rate_limit: 20\n": (
            "    reply_to: servicedesk@example.org\n"
            f"    rate_limit: 5000\n    concurrency: {email_concurrency}\n"
        ),
    }.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


def phone_numbers(count: int) -> list[str]:
    chosen = random.Random(21).sample(range(10_000_000), count)
    return [f"+4670{n:07d}" for n in chosen]


def run_start(runbook: Path, state: Path, env: dict[str, str], received: object) -> Figures:
    """`gonogo start` as a child process; `received()` counts what the server has."""
    assert callable(received)
    first: list[float] = []
    last: list[float] = []
    stop = threading.Event()

    def watch() -> None:
        seen = 0
        while not stop.is_set():
            now = received()
            if now and not first:
                first.append(time.perf_counter())
            if now != seen:
                last[:] = [time.perf_counter()]
                seen = now
            time.sleep(0.002)

    watcher = threading.Thread(target=watch, daemon=True)
    command = [sys.executable, "-m", "gonogo", "start", str(runbook), "--yes"]
    began = time.perf_counter()
    process = subprocess.Popen(
        [*command, "--state-dir", str(state)],
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    watcher.start()
    # wait4 gives this child's own peak RSS (ru_maxrss is in KiB on Linux).
    _pid, status, usage = os.wait4(process.pid, 0)
    ended = time.perf_counter()
    time.sleep(0.05)
    stop.set()
    watcher.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.stderr is not None
    errors = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if process.returncode != 0:
        print(errors, file=sys.stderr)
    count = int(received())
    return Figures(
        count=count,
        dispatch_seconds=(last[0] - first[0]) if first and last else float("nan"),
        command_seconds=ended - began,
        peak_rss_mb=usage.ru_maxrss / 1024,
        exit_code=process.returncode,
    )


def sequential(server: TwilioFake, sends: int) -> float:
    """Messages per second of a plain loop of `client.messages.create`."""
    from twilio.http.http_client import TwilioHttpClient  # noqa: PLC0415
    from twilio.rest import Client  # noqa: PLC0415

    client = Client(
        server.account_sid,
        server.auth_token,
        http_client=TwilioHttpClient(timeout=10),
        environment={"GONOGO": "1"},
    )
    client.api.base_url = server.base_url
    numbers = phone_numbers(sends)
    began = time.perf_counter()
    for number in numbers:
        client.messages.create(
            to=number, body="Nu startar servicefönster.", messaging_service_sid="MG" + "0" * 32
        )
    elapsed = time.perf_counter() - began
    session = client.http_client.session
    if session is not None:
        session.close()
    return sends / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--sequential", type=int, default=300, help="sends of the plain loop")
    parser.add_argument("--sms-concurrency", type=int, default=64)
    parser.add_argument("--email-concurrency", type=int, default=8)
    args = parser.parse_args()
    failed: list[str] = []

    with tempfile.TemporaryDirectory(prefix="gonogo-fanout-") as tmp:
        base = Path(tmp)
        sms_rows = [f"Mottagare {n},{p},,sv" for n, p in enumerate(phone_numbers(args.count))]
        sms_runbook = write_runbook(
            base / "sms", sms_rows,
            sms_concurrency=args.sms_concurrency, email_concurrency=args.email_concurrency,
        )  # fmt: skip
        with TwilioFake(latency=LATENCY) as twilio:
            sms = run_start(sms_runbook, base / "state-sms", twilio.env(),
                            lambda: len(twilio.messages))  # fmt: skip
            twilio_plain = TwilioFake(latency=LATENCY)
        with twilio_plain:
            plain = sequential(twilio_plain, args.sequential)

        mail_rows = [f"Mottagare {n},,user{n}@example.org,sv" for n in range(args.count)]
        mail_runbook = write_runbook(
            base / "mail", mail_rows,
            sms_concurrency=args.sms_concurrency, email_concurrency=args.email_concurrency,
        )  # fmt: skip
        with SmtpServer() as smtp:
            mail = run_start(mail_runbook, base / "state-mail", smtp.env(),
                             lambda: len(smtp.received))  # fmt: skip

    print(f"fan-out bench: {args.count} messages each, Twilio fake latency {LATENCY * 1000:g} ms")
    print(
        f"SMS via `gonogo start` (concurrency {args.sms_concurrency}, journal included): "
        f"{sms.count} sent, exit {sms.exit_code}\n"
        f"  dispatch (first to last message at the server): {sms.dispatch_seconds:.2f} s = "
        f"{sms.dispatch_rate:.0f} msg/s\n"
        f"  whole command incl. start-up and planning:      {sms.command_seconds:.2f} s = "
        f"{sms.command_rate:.0f} msg/s\n"
        f"  peak RSS of the gonogo process: {sms.peak_rss_mb:.0f} MB"
    )
    print(
        f"sequential client.messages.create loop: {args.sequential} sends timed, "
        f"{plain:.1f} msg/s; extrapolated to {args.count}: {args.count / plain:.0f} s"
    )
    ratio = sms.dispatch_rate / plain
    print(f"  ratio (dispatch / sequential): {ratio:.1f}x")
    print(
        f"E-mail via `gonogo start` against aiosmtpd (concurrency {args.email_concurrency}): "
        f"{mail.count} sent, exit {mail.exit_code}\n"
        f"  dispatch: {mail.dispatch_seconds:.2f} s = {mail.dispatch_rate:.0f} msg/s; "
        f"whole command: {mail.command_seconds:.2f} s = {mail.command_rate:.0f} msg/s\n"
        f"  peak RSS of the gonogo process: {mail.peak_rss_mb:.0f} MB"
    )
    checks = [
        (sms.count == args.count and sms.exit_code == 0, "every SMS sent, exit 0"),
        (mail.count == args.count and mail.exit_code == 0, "every e-mail sent, exit 0"),
        (ratio >= TARGET_RATIO, f"SMS >= {TARGET_RATIO:g}x sequential"),
        (sms.dispatch_rate >= TARGET_SMS, f"SMS >= {TARGET_SMS:g}/s"),
        (sms.peak_rss_mb < TARGET_RSS_MB, f"peak RSS < {TARGET_RSS_MB:g} MB"),
        (mail.dispatch_rate >= TARGET_EMAIL, f"e-mail >= {TARGET_EMAIL:g}/s"),
    ]
    for ok, what in checks:
        print(f"  {'ok  ' if ok else 'MISS'} {what}")
        if not ok:
            failed.append(what)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
