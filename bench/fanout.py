"""How fast a dispatch fans out: SMS and e-mails through the real CLI path, against anchors.

Run with the project's Python:  python bench/fanout.py [--count 10000] [--anchor-sends 2000]

1. For each (server latency, concurrency) of (20 ms, 32) and (150 ms, 64): starts the
   test suite's Twilio-compatible server on 127.0.0.1 with that latency per request and
   runs `gonogo start RUNBOOK --yes` (a real, not dry-run night: the journal, in-flight
   marks and all) on a copy of the 21.0 runbook whose audience has `--count` SMS
   recipients, its SMS concurrency set to the same figure and its rate limit raised
   to 5,000 segments a second (21.0's own is 10: see the pace printed at the end).
   The anchor, on a fresh server with the same latency: a `ThreadPoolExecutor` of the
   same concurrency looping `client.messages.create` with one twilio `Client`
   (`--anchor-sends` messages). Targets: gonogo's rate at least 1.1x the anchor's,
   within 10 % of the bound (concurrency / latency) at 150 ms, CPU at most 1.0 ms a
   message (the gonogo process's user + system time, start-up and planning included).
2. The same CLI run with `--count` e-mail recipients against aiosmtpd, and the anchor:
   a plain smtplib loop on one connection, `--anchor-sends` messages. Target: at least
   the anchor's rate.

The phone numbers are random distinct +4670xxxxxxx numbers (valid Swedish mobile
numbers for phonenumbers), generated in a temporary directory for this run only:
they go to the local fake server and are never written anywhere else.
Exits 1 if a target is missed.
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

# (server latency in seconds, concurrency): each measured with its own anchor.
SMS_CASES = ((0.020, 32), (0.150, 64))
TARGET_RATIO = 1.1  # gonogo's SMS rate over the ThreadPoolExecutor anchor's
TARGET_BOUND = 0.9  # share of concurrency / latency to reach at 150 ms
TARGET_CPU_MS = 1.0  # CPU a message
RUNBOOK_PACE = 10  # release 21.0's own rate_limit: SMS segments a second


@dataclass
class Figures:
    count: int
    dispatch_seconds: float  # first to last message at the server
    command_seconds: float  # the whole `gonogo start`, process start-up included
    peak_rss_mb: float
    exit_code: int
    cpu_seconds: float = 0.0  # the gonogo process's user + system time

    @property
    def cpu_ms_per_message(self) -> float:
        return self.cpu_seconds * 1000 / max(self.count, 1)

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
        cpu_seconds=usage.ru_utime + usage.ru_stime,
    )


def sms_anchor(server: TwilioFake, sends: int, concurrency: int) -> float:
    """Messages per second of `concurrency` threads looping `client.messages.create`,
    sharing one twilio `Client` (what a script would do without gonogo)."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    from twilio.http.http_client import TwilioHttpClient  # noqa: PLC0415
    from twilio.rest import Client  # noqa: PLC0415

    client = Client(
        server.account_sid,
        server.auth_token,
        http_client=TwilioHttpClient(timeout=10, pool_connections=True),
        environment={"GONOGO": "1"},
    )
    client.api.base_url = server.base_url
    numbers = phone_numbers(sends)

    def send(number: str) -> None:
        client.messages.create(
            to=number, body="Nu startar servicefönster.", messaging_service_sid="MG" + "0" * 32
        )

    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(send, numbers))
    elapsed = time.perf_counter() - began
    return sends / elapsed


def smtp_anchor(server: SmtpServer, sends: int) -> float:
    """Messages per second of a plain smtplib loop on one connection."""
    import smtplib  # noqa: PLC0415
    from email.message import EmailMessage  # noqa: PLC0415

    began = time.perf_counter()
    with smtplib.SMTP(server.host, server.port, timeout=10) as smtp:
        for n in range(sends):
            message = EmailMessage()
            message["From"] = "noreply@example.org"
            message["To"] = f"user{n}@example.org"
            message["Subject"] = "Servicefönster"
            message.set_content("Nu startar servicefönster.")
            smtp.send_message(message)
    return sends / (time.perf_counter() - began)


def sms_case(base: Path, count: int, latency: float, concurrency: int, sends: int) -> list[str]:
    """One latency and concurrency: gonogo, then the anchor; returns the targets missed."""
    rows = [f"Mottagare {n},{p},,sv" for n, p in enumerate(phone_numbers(count))]
    runbook = write_runbook(base / f"sms-{concurrency}", rows, sms_concurrency=concurrency,
                            email_concurrency=8)  # fmt: skip
    with TwilioFake(latency=latency) as twilio:
        sms = run_start(runbook, base / f"state-sms-{concurrency}", twilio.env(),
                        lambda: len(twilio.messages))  # fmt: skip
    with TwilioFake(latency=latency) as fresh:
        anchor = sms_anchor(fresh, sends, concurrency)
    bound = concurrency / latency
    ratio = sms.dispatch_rate / anchor
    print(
        f"SMS, server latency {latency * 1000:g} ms, concurrency {concurrency} "
        f"(bound {bound:.0f}/s), rate limit raised to 5,000/s:\n"
        f"  gonogo start: {sms.count} sent, exit {sms.exit_code}, dispatch "
        f"{sms.dispatch_rate:.0f} msg/s ({sms.dispatch_seconds:.2f} s first to last at the "
        f"server), whole command {sms.command_seconds:.2f} s\n"
        f"  CPU {sms.cpu_ms_per_message:.2f} ms a message (whole command), peak RSS "
        f"{sms.peak_rss_mb:.0f} MB\n"
        f"  anchor ThreadPoolExecutor({concurrency}) of client.messages.create, one client, "
        f"{sends} sends: {anchor:.0f} msg/s\n"
        f"  ratio gonogo / anchor: {ratio:.2f}x; "
        f"share of the bound: {sms.dispatch_rate / bound:.0%}"
    )
    checks = [
        (sms.count == count and sms.exit_code == 0, "every SMS sent, exit 0"),
        (ratio >= TARGET_RATIO, f"SMS >= {TARGET_RATIO:g}x the anchor"),
        (sms.cpu_ms_per_message <= TARGET_CPU_MS, f"CPU <= {TARGET_CPU_MS:g} ms a message"),
    ]
    if latency >= 0.150:
        checks.append((sms.dispatch_rate >= TARGET_BOUND * bound,
                       f"within {1 - TARGET_BOUND:.0%} of the bound"))  # fmt: skip
    return report(checks, f"{latency * 1000:g} ms")


def report(checks: list[tuple[bool, str]], where: str) -> list[str]:
    for ok, what in checks:
        print(f"  {'ok  ' if ok else 'MISS'} {what}")
    return [f"{where}: {what}" for ok, what in checks if not ok]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--anchor-sends", type=int, default=2000, help="sends of each anchor")
    parser.add_argument("--email-concurrency", type=int, default=8)
    args = parser.parse_args()
    failed: list[str] = []
    print(f"fan-out bench: {args.count} messages each; load: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="gonogo-fanout-") as tmp:
        base = Path(tmp)
        for latency, concurrency in SMS_CASES:
            failed += sms_case(base, args.count, latency, concurrency, args.anchor_sends)
        mail_rows = [f"Mottagare {n},,user{n}@example.org,sv" for n in range(args.count)]
        mail_runbook = write_runbook(base / "mail", mail_rows, sms_concurrency=8,
                                     email_concurrency=args.email_concurrency)  # fmt: skip
        with SmtpServer() as smtp:
            mail = run_start(mail_runbook, base / "state-mail", smtp.env(),
                             lambda: len(smtp.received))  # fmt: skip
        with SmtpServer() as fresh:
            plain = smtp_anchor(fresh, args.anchor_sends)
    print(
        f"E-mail via `gonogo start` against aiosmtpd (concurrency {args.email_concurrency}): "
        f"{mail.count} sent, exit {mail.exit_code}\n"
        f"  dispatch: {mail.dispatch_seconds:.2f} s = {mail.dispatch_rate:.0f} msg/s; "
        f"whole command: {mail.command_seconds:.2f} s; peak RSS {mail.peak_rss_mb:.0f} MB\n"
        f"  anchor: a plain smtplib loop on one connection, {args.anchor_sends} sends: "
        f"{plain:.0f} msg/s; ratio {mail.dispatch_rate / plain:.2f}x"
    )
    failed += report([
        (mail.count == args.count and mail.exit_code == 0, "every e-mail sent, exit 0"),
        (mail.dispatch_rate >= plain, "e-mail >= the smtplib loop"),
    ], "e-mail")  # fmt: skip
    segments = start_sms_segments()
    minutes = args.count * segments / RUNBOOK_PACE / 60
    print(
        f"At release 21.0's own pace ({RUNBOOK_PACE} segments a second, its rate_limit; "
        f"its start SMS has {segments}), {args.count:,} SMS take about {minutes:.0f} "
        "minutes: the rate limit, not gonogo, sets the night's pace."
    )
    return 1 if failed else 0


def start_sms_segments() -> int:
    """Segments of 21.0's window_started SMS as sent (Twilio's rate counts segments)."""
    from gonogo.runbook.catalog import sample_values  # noqa: PLC0415
    from gonogo.runbook.events import Event  # noqa: PLC0415
    from gonogo.runbook.segments import measure  # noqa: PLC0415
    from gonogo.runbook.template import render  # noqa: PLC0415
    from gonogo.runbook.validate import load_valid  # noqa: PLC0415

    runbook = load_valid(ROOT / "runbooks" / "release-21.0.yaml").runbook
    if runbook is None or runbook.messages.window_started is None:
        return 1
    message = runbook.messages.window_started
    if message.sms is None:
        return 1
    return measure(render(message.sms, sample_values(runbook, Event.WINDOW_STARTED, None))).segments


if __name__ == "__main__":
    raise SystemExit(main())
