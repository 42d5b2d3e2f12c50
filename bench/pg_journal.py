"""The shared journal's cost: SMS fan-out and `status` on PostgreSQL against SQLite.

Run with the project's Python:  python bench/pg_journal.py [--count 10000] [--rows 100000]

Starts a throwaway PostgreSQL from Debian's binaries (tests/servers/postgres.py; as
root it runs as `postgres`) on 127.0.0.1, then:
1. `gonogo start RUNBOOK --yes` fanning out `--count` SMS through the tests' Twilio
   fake at 20 ms latency, once with the SQLite journal and once with
   `--journal postgresql://…` (bench/fanout.py's runbook and measurement).
2. A rehearsal with `--rows` delivery rows (SMS and e-mail to `--rows`/2 recipients),
   started on SQLite and copied with `gonogo journal copy` into PostgreSQL; then
   `gonogo status` timed on both (the whole command, best of 3).

Targets (issue 13): PostgreSQL fan-out at least 80 % of SQLite's; `status` under 0.5 s
in-process on either backend. Exits 1 if one is missed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from fanout import phone_numbers, run_start, write_runbook  # noqa: E402
from servers.postgres import Postgres, find_bin  # noqa: E402
from servers.twilio_fake import TwilioFake  # noqa: E402

LATENCY = 0.020  # Twilio's latency the issue measures the fan-out at
TARGET_SHARE = 0.8
TARGET_STATUS = 0.5


def gonogo(*args: str, env: dict[str, str]) -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gonogo", *args], env={**os.environ, **env},
                   check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - began


def status_in_process(state: Path, url: str) -> float:
    """`status`'s work without process start-up: open, fold, view (best of 3)."""
    code = (
        "import sys, time\n"
        "from gonogo.night.clock import SystemClock\n"
        "from gonogo.night.view import night_view\n"
        "best = 9e9\n"
        "for _ in range(3):\n"
        "    t = time.perf_counter()\n"
        "    v = night_view(__import__('pathlib').Path(sys.argv[1]), None, True, SystemClock(),"
        " sys.argv[2])\n"
        "    v.as_dict()\n"
        "    v.run.close()\n"
        "    best = min(best, time.perf_counter() - t)\n"
        "print(best)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(state), url], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return float(done.stdout.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    bindir = find_bin()
    if bindir is None:
        print("PostgreSQL is not installed (apt-get install postgresql)", file=sys.stderr)
        return 1
    server = Postgres(bindir)
    try:
        with tempfile.TemporaryDirectory(prefix="gonogo-pgbench-") as tmp:
            base = Path(tmp)
            rows = [f"Mottagare {n},{p},,sv" for n, p in enumerate(phone_numbers(args.count))]
            figures = {}
            for name, url in (("sqlite", ""), ("postgresql", server.new_database())):
                runbook = write_runbook(base / f"sms-{name}", rows, sms_concurrency=64,
                                        email_concurrency=8)  # fmt: skip
                with TwilioFake(latency=LATENCY) as twilio:
                    figures[name] = run_start(runbook, base / f"state-{name}",
                                              {**twilio.env(), "GONOGO_JOURNAL_URL": url},
                                              lambda t=twilio: len(t.messages))  # fmt: skip
            half = args.rows // 2
            people = [f"M {n},{p},u{n}@example.org,sv" for n, p in enumerate(phone_numbers(half))]
            big = write_runbook(base / "big", people, sms_concurrency=8, email_concurrency=8)
            state, url = base / "state-big", server.new_database()
            local = {"GONOGO_JOURNAL_URL": ""}
            gonogo("start", str(big), "--dry-run", "--yes", "--state-dir", str(state), env=local)
            gonogo("journal", "copy", "--from", str(state), "--to", url, "--dry-run", env=local)
            status = {
                "sqlite": status_in_process(state, ""),
                "postgresql": status_in_process(state, url),
            }
            command = {
                name: min(gonogo("status", "--dry-run", "--state-dir", str(state),
                                 env={"GONOGO_JOURNAL_URL": u}) for _ in range(3))
                for name, u in (("sqlite", ""), ("postgresql", url))
            }  # fmt: skip
    finally:
        server.close()

    print(f"SMS fan-out of {args.count} at {LATENCY * 1000:g} ms Twilio latency:")
    for name, f in figures.items():
        print(
            f"  {name:10} {f.count} sent, exit {f.exit_code}: dispatch "
            f"{f.dispatch_seconds:.2f} s = {f.dispatch_rate:.0f} msg/s; "
            f"whole command {f.command_seconds:.2f} s"
        )
    share = figures["postgresql"].dispatch_rate / figures["sqlite"].dispatch_rate
    print(f"  PostgreSQL / SQLite: {share:.0%}")
    print(f"`status` on {args.rows} delivery rows (best of 3):")
    for name, seconds in status.items():
        print(f"  {name:10} in-process {seconds:.3f} s; whole command {command[name]:.2f} s")
    checks = [
        (all(f.exit_code == 0 and f.count == args.count for f in figures.values()), "all sent"),
        (share >= TARGET_SHARE, f"PostgreSQL fan-out >= {TARGET_SHARE:.0%} of SQLite"),
        (max(status.values()) < TARGET_STATUS, f"status < {TARGET_STATUS} s in-process"),
    ]
    for ok, what in checks:
        print(f"  {'ok  ' if ok else 'MISS'} {what}")
    return 0 if all(ok for ok, _w in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
