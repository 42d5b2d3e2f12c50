"""How a night's commands scale with its recipients: 100,000 against the bundled 21.0.

    .venv/bin/python bench/commands.py [--count 100000] [--runs 5] [--sizes 25000,50000]

1. Two copies of `runbooks/`: the bundled one as it is (the anchor), and one whose
   `vard` audience has `--count` recipients (random distinct Swedish mobile numbers and
   example.org addresses, in a temporary directory for this run only).
2. `gonogo start --dry-run --yes` on each, in a fresh process: wall time and the
   process's peak RSS (target at 100k: peak RSS at most 150 MB). With `--sizes`, the
   start is timed at those counts too, to show whether time grows linearly.
3. `status`, `log`, `deliveries`, `report` and a decision (`hold 1 --reason`) on both
   nights, each a fresh process, anchor and candidate alternately, `--runs` times;
   prints the medians and their ratio (target: at most 1.5x).

A rehearsal sends nothing: no server is needed and no message leaves the machine.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNBOOK = "release-21.0.yaml"
TARGET_RATIO = 1.5
TARGET_START_MB = 150.0
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("status",),
    ("log",),
    ("deliveries",),
    ("report",),
    ("hold", "1", "--reason", "benchmark", "--yes"),
)


def night(directory: Path, count: int | None) -> Path:
    """A copy of the bundled runbooks; with `count`, `vard` gets that many recipients."""
    shutil.copytree(ROOT / "runbooks", directory)
    if count is not None:
        chosen = random.Random(21).sample(range(10_000_000), count)
        rows = [f"Mottagare {n},+4670{p:07d},user{n}@example.org,sv" for n, p in enumerate(chosen)]
        csv = directory / "recipients" / "vard.csv"
        csv.write_text("\n".join(["name,phone,email,language", *rows]) + "\n")
    return directory / RUNBOOK


def gonogo(args: list[str], state: Path, env: dict[str, str]) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in MB, exit code) of one `gonogo` process.

    CPU time is what to compare on a shared machine: wall time there mostly measures
    the other work's load.
    """
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "gonogo", *args, "--state-dir", str(state)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _pid, status, usage = os.wait4(process.pid, 0)  # this child's own peak RSS, in KiB
    wall = time.perf_counter() - began
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def start(base: Path, name: str, count: int | None, env: dict[str, str]) -> Path:
    runbook = night(base / name, count)
    state = base / f"state-{name}"
    wall, cpu, rss, code = gonogo(["start", str(runbook), "--dry-run", "--yes"], state, env)
    shown = "21.0 as bundled" if count is None else f"{count:,} recipients"
    print(f"start --dry-run, {shown}: wall {wall:.2f} s, CPU {cpu:.2f} s, "
          f"peak RSS {rss:.0f} MB, exit {code}")  # fmt: skip
    if code != 0:
        sys.exit(f"start failed on {runbook} (exit {code})")
    return state


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="", help="more recipient counts to time start at")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gonogo-commands-") as tmp:
        base = Path(tmp)
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(base), "COLUMNS": "120"}
        if "PYTHONPATH" in os.environ:  # a checkout's sources ahead of the installed ones
            env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        anchor = start(base, "anchor", None, env)
        for size in [int(s) for s in args.sizes.split(",") if s]:
            start(base, f"size-{size}", size, env)
        big = start(base, "big", args.count, env)
        gonogo(["status"], big, env)  # warm the file cache once
        misses = []
        print(f"\nmedian of {args.runs}, anchor and candidate alternately, each a fresh process:")
        for command in COMMANDS:
            walls: dict[Path, list[float]] = {anchor: [], big: []}
            cpus: dict[Path, list[float]] = {anchor: [], big: []}
            for _ in range(args.runs):
                for state in (anchor, big):
                    wall, cpu, _rss, code = gonogo(list(command), state, env)
                    if code != 0:
                        sys.exit(f"`gonogo {' '.join(command)}` failed (exit {code})")
                    walls[state].append(wall)
                    cpus[state].append(cpu)
            wa, wb = (statistics.median(walls[s]) for s in (anchor, big))
            ca, cb = (statistics.median(cpus[s]) for s in (anchor, big))
            ok = cb / ca <= TARGET_RATIO
            if not ok:
                misses.append(command[0])
            print(f"  {command[0]:<10} CPU 21.0 {ca * 1000:5.0f} ms, {args.count:,} "
                  f"{cb * 1000:5.0f} ms: {cb / ca:.2f}x {'ok' if ok else 'MISS'} "
                  f"(target <= {TARGET_RATIO:g}x); wall {wa * 1000:.0f} / {wb * 1000:.0f} ms "
                  f"= {wb / wa:.2f}x")  # fmt: skip
    return 1 if misses else 0


if __name__ == "__main__":
    raise SystemExit(main())
