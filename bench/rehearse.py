"""How fast `gonogo rehearse --all-paths` is: every path it prints is rehearsed.

Runs it in a fresh process on the 21.0 runbook (target: under 0.5 s) and on a generated
runbook with 30 parts and 10 audiences of 1,000 recipients each (target: every path
under 10 s in all), and prints wall time, CPU time (what to compare on a shared
machine) and paths per second. Nothing is sampled or extrapolated: the count of paths
printed is the count `rehearse` reports having run. The generated recipients exist
only in a temporary directory for the run and go nowhere: a rehearsal sends nothing.

    .venv/bin/python bench/rehearse.py [--runs 3] [--skip-large]
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNBOOK = REPO / "runbooks" / "release-21.0.yaml"


def large_runbook(directory: Path, parts: int = 30, audiences: int = 10, size: int = 1000) -> Path:
    (directory / "recipients").mkdir(parents=True)
    lines = [
        "format: 1",
        "release: {id: bench-30, title: Benchmark, kind: internal, version_package: '1',",
        "          timezone: Europe/Stockholm, language: sv}",
        "window: {date: 2021-11-27, start: '23:00', end: '07:00', rollback: 1h,",
        "         services: [svc]}",
        "services: {svc: {name: Service, class: A}}",
        "channels:",
        "  sms: {messaging_service_sid: MG00000000000000000000000000000000, rate_limit: 100}",
        "  email: {host: smtp.example.org, sender: 'Bench <bench@example.org>'}",
        "audiences:",
    ]
    names = [f"a{i}" for i in range(audiences)]
    for a, name in enumerate(names):
        lines.append(f"  {name}: {{name: Audience {a}, recipients: recipients/{name}.csv}}")
        rows = ["name,phone,email,language"]
        for n in range(size):
            number = a * size + n
            # Ordinary Swedish mobile numbers, generated for this benchmark only.
            rows.append(f"R{number},+4670{1000000 + number:07d},r{number}@example.org,")
        (directory / "recipients" / f"{name}.csv").write_text("\n".join(rows) + "\n")
    lines.append("parts:")
    for p in range(parts):
        minutes = 23 * 60 + p * 12
        hh, mm = divmod(minutes % (24 * 60), 60)
        lines.append(
            f"  - {{id: p{p + 1}, title: Part {p + 1}, start: '{hh:02d}:{mm:02d}', "
            "duration: 12m, owner: Ops}"
        )
    everyone = "[" + ", ".join(names) + "]"
    lines.append("messages:")
    for event in (
        "window_started", "part_completed", "window_completed", "rollback_started",
        "rollback_completed", "incident_opened", "incident_updated", "incident_resolved",
        "disruption",
    ):  # fmt: skip
        lines.append(f"  {event}:")
        lines.append(f"    audiences: {everyone}")
        lines.append(f"    sms: 'Benchmark {event} {{release}}.'")
        lines.append(f"    email: {{subject: 'Benchmark {event}', body: 'Benchmark {event}.'}}")
    path = directory / "bench.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def run(runbook: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the child, paths rehearsed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        result = subprocess.run(
            [sys.executable, "-m", "gonogo", "rehearse", str(runbook), "--all-paths",
             "--out", out],
            capture_output=True, text=True, check=False, env={"COLUMNS": "200", "PATH": ""},
        )  # fmt: skip
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        sys.exit(f"rehearse failed ({result.returncode}):\n{result.stdout[-3000:]}{result.stderr}")
    found = re.search(r"(\d+) paths,", result.stdout)
    return wall, cpu, int(found[1]) if found else 0


def report(label: str, runbook: Path, runs: int) -> None:
    results = [run(runbook) for _ in range(runs)]
    wall = statistics.median(r[0] for r in results)
    cpu = statistics.median(r[1] for r in results)
    paths = results[0][2]
    print(f"{label}: {paths} paths, all run, median of {runs}: wall {wall:.2f} s, "
          f"CPU {cpu:.2f} s, {paths / wall:.1f} paths/s, {cpu / paths * 1000:.0f} ms CPU "
          "a path")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    report("release 21.0", RUNBOOK, args.runs)
    print("  target: under 0.5 s for release 21.0")
    if not args.skip_large:
        with tempfile.TemporaryDirectory() as tmp:
            report("30 parts, 10 audiences x 1,000 recipients", large_runbook(Path(tmp)), 1)
        print("  target: every path under 10 s in all")


if __name__ == "__main__":
    main()
