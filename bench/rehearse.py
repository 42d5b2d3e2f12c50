"""How fast `gonogo rehearse --all-paths` is: every path it prints is rehearsed.

    .venv/bin/python bench/rehearse.py [--runs 5] [--skip-large]

1. The anchor: `gonogo --version` in a fresh process, the start-up every run pays; and
   the floor: a fresh process that only imports what `rehearse --all-paths` runs and
   builds its command line, running no command (no rehearsal can take less); and what
   making one small file costs in the temporary directory, where the rehearsals write
   their journals and outbox files (it varies several times over a day on one machine).
2. `rehearse --all-paths` on the 21.0 runbook in a fresh process (target: under 0.5 s),
   alternating with the anchor, `--runs` times: wall time and the CPU time of the child
   and its lanes, medians; with its default `--jobs` (this machine's cores, at most 4)
   and with `--jobs 1` (one process), which on a busy machine is what to compare; each
   with `--out` in the temporary directory, and where the system has /dev/shm (a file
   system in memory), once more with `--out` there: the difference is what making its
   files costs on the temporary directory's disk.
3. The same once on a generated runbook with 30 parts and 10 audiences of 1,000
   recipients each (target: every path under 10 s in all).
4. Cost per path against its commands, in-process on the 30-part runbook: NoGo at
   parts 2 to 30 and the all-Go path, each rehearsed from its start in its own
   directory (no path shares another's first commands here; in /dev/shm where there is
   one, so that the disk's speed of the minute is not taken for the path's): CPU
   milliseconds a command and a Go, and each Go of the all-Go path by thirds of the night (target:
   linear in the commands, that is a Go late in the night costs what one early does;
   ms a command alone also follows the mix of commands, Go being the dearest).

Nothing is sampled or extrapolated: the paths and commands counted are those in the
`--json` document `rehearse` prints, every one of which must have held. The generated
recipients exist only in a temporary directory for the run and go nowhere: a
rehearsal sends nothing.
"""

from __future__ import annotations

import argparse
import json
import os
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


# What a rehearsal imports and builds before its first command.
FLOOR = (
    "import gonogo.cli, gonogo.night.actions, gonogo.night.delivery.transport,"
    " gonogo.night.runs, gonogo.rehearsal.paths, gonogo.render.rehearsal,"
    " gonogo.render.json_views, gonogo.render.preview; gonogo.cli.runner()"
)


def _child(
    argv: list[str], python: list[str] | None = None
) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """(wall seconds, CPU seconds of the child, the result) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    env = {"COLUMNS": "200", "PATH": "", "PYTHONPATH": str(REPO / "src")}  # this checkout's
    command = [sys.executable, *(python or ["-m", "gonogo"]), *argv]
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result


# A file system in memory, where this system has one: where `--out` puts a rehearsal's
# files, it shows how much of its time is making them on the temporary directory's disk.
MEMORY = Path("/dev/shm")


def in_memory() -> Path | None:
    return MEMORY if MEMORY.is_dir() and os.access(MEMORY, os.W_OK) else None


def rehearse_all(
    runbook: Path, jobs: int | None, where: Path | None = None
) -> tuple[float, float, int, int]:
    """(wall, CPU, paths, commands) of `rehearse --all-paths` in a fresh process: CPU of
    all its processes (its lanes too), with `--jobs` as given or its default, its `--out`
    a new directory in `where` (the temporary directory if None)."""
    with tempfile.TemporaryDirectory(dir=where) as out:
        more = [] if jobs is None else ["--jobs", str(jobs)]
        wall, cpu, result = _child(["rehearse", str(runbook), "--all-paths", "--json",
                                    "--out", out, *more])  # fmt: skip
    if result.returncode != 0:
        sys.exit(f"rehearse failed ({result.returncode}):\n{result.stdout[-3000:]}{result.stderr}")
    paths = json.loads(result.stdout)["rehearsals"]
    if not all(p["ok"] for p in paths):
        sys.exit("a rehearsed path did not hold")
    return wall, cpu, len(paths), sum(len(p["steps"]) for p in paths)


def anchor() -> tuple[float, float]:
    wall, cpu, result = _child(["--version"])
    if result.returncode != 0:
        sys.exit(f"gonogo --version failed: {result.stderr}")
    return wall, cpu


def floor() -> tuple[float, float]:
    wall, cpu, result = _child([], ["-c", FLOOR])
    if result.returncode != 0:
        sys.exit(f"the floor's imports failed: {result.stderr}")
    return wall, cpu


def new_files(count: int = 200) -> float:
    """Milliseconds to make one small file (create, write, rename into place) where the
    rehearsals write theirs: on one machine this varies several times over a day, and
    each outbox file and journal costs one."""
    with tempfile.TemporaryDirectory() as where:
        start = time.perf_counter()
        for n in range(count):
            part = Path(where) / f"{n:05d}.tmp"
            part.write_text("event: bench\n" * 8, encoding="utf-8")
            part.replace(part.with_suffix(".txt"))
        return (time.perf_counter() - start) / count * 1000


def report(label: str, runbook: Path, runs: int, target: str) -> None:
    rows, ones, memory, anchors, floors, files = [], [], [], [], [], []
    fast = in_memory()
    for _ in range(runs):  # alternating: all see the same load
        anchors.append(anchor())
        floors.append(floor())
        files.append(new_files())
        rows.append(rehearse_all(runbook, None))
        ones.append(rehearse_all(runbook, 1))
        if fast is not None:
            memory.append(rehearse_all(runbook, None, fast))
    _, _, paths, commands = rows[0]
    print(f"{label}: {paths} paths, {commands} commands, every one run; median of {runs}:")
    shown = [(f"default --jobs ({default_jobs()} here)", rows), ("--jobs 1", ones)]
    if memory:
        shown.append((f"default --jobs, --out in {fast} (in memory)", memory))
    for what, found in shown:
        wall = statistics.median(r[0] for r in found)
        cpu = statistics.median(r[1] for r in found)
        print(f"  {what}: wall {wall:.2f} s, CPU {cpu:.2f} s")
    print(f"  anchor, `gonogo --version` (start-up), alternating with it: wall "
          f"{statistics.median(a[0] for a in anchors):.2f} s, CPU "
          f"{statistics.median(a[1] for a in anchors):.2f} s")  # fmt: skip
    print(f"  floor, importing what it runs (no command), alternating with it: wall "
          f"{statistics.median(f[0] for f in floors):.2f} s, CPU "
          f"{statistics.median(f[1] for f in floors):.2f} s")  # fmt: skip
    print(f"  a new file in {tempfile.gettempdir()} (create, write, rename), alternating with "
          f"it: {statistics.median(files):.2f} ms")  # fmt: skip
    print(f"  target: {target}")


def default_jobs() -> int:
    sys.path.insert(0, str(REPO / "src"))
    from gonogo.rehearsal.lanes import default_jobs as jobs  # noqa: PLC0415

    return jobs()


def per_path(runbook_path: Path) -> None:
    """CPU of single paths of growing length, each from its start in its own directory,
    and of each Go along the longest: linear means a Go costs the same late in the
    night as early (a path's commands are not all alike: its Go commands each write a
    file per audience and channel, so ms a command alone depends on the mix)."""
    sys.path.insert(0, str(REPO / "src"))
    from gonogo.cli import runner  # noqa: PLC0415
    from gonogo.night.dispatch import stand_ins  # noqa: PLC0415
    from gonogo.night.runs import load_cached  # noqa: PLC0415
    from gonogo.rehearsal.engine import rehearse  # noqa: PLC0415
    from gonogo.rehearsal.paths import generate  # noqa: PLC0415

    runbook = load_cached(runbook_path).runbook
    assert runbook is not None
    run = runner()
    gos: list[float] = []  # CPU seconds of each Go, in the order they ran

    def execute(argv: list[str]) -> tuple[int, str]:
        start = time.process_time()
        try:
            return run(argv)
        finally:
            if argv[0] == "go":
                gos.append(time.process_time() - start)

    scenarios = {s.name: s for s in generate(runbook)}
    names = [f"NoGo at part {n}" for n in (2, 8, 15, 22, 30)] + ["all Go"]
    where = in_memory()  # the disk's minute-to-minute speed is not the path's cost
    print("cost per path, 30 parts, each path from its start (in-process, CPU, its files in "
          f"{where or tempfile.gettempdir()}):")  # fmt: skip
    with tempfile.TemporaryDirectory(dir=where) as out, stand_ins():
        first = scenarios[names[0]]
        rehearse(runbook, runbook_path, first, Path(out) / "warm-up", execute)
        for i, name in enumerate(names):
            gos.clear()
            start = time.process_time()
            outcome = rehearse(runbook, runbook_path, scenarios[name], Path(out) / str(i),
                               execute)  # fmt: skip
            cpu = time.process_time() - start
            if not outcome.ok:
                sys.exit(f"{name} did not hold")
            n = len(outcome.steps)
            print(f"  {name:16} {n:3d} commands ({len(gos):2d} Go) {cpu:6.2f} s"
                  f" {cpu / n * 1000:6.1f} ms a command, {statistics.mean(gos) * 1000:6.1f}"
                  " ms a Go")  # fmt: skip
    third = len(gos) // 3
    thirds = [gos[:third], gos[third : 2 * third], gos[2 * third :]]
    print("  each Go of the all-Go path, by thirds of the night (median CPU): " + ", ".join(
        f"Go {sum(map(len, thirds[:k])) + 1}-{sum(map(len, thirds[: k + 1]))}"
        f" {statistics.median(part) * 1000:.1f} ms" for k, part in enumerate(thirds)))  # fmt: skip
    print("  target: cost per path linear in its commands (a Go late in the night costs what")
    print("  one early does)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    report("release 21.0", RUNBOOK, args.runs, "under 0.5 s wall")
    if not args.skip_large:
        with tempfile.TemporaryDirectory() as tmp:
            large = large_runbook(Path(tmp))
            report("30 parts, 10 audiences x 1,000 recipients", large, 1,
                   "every path under 10 s in all")  # fmt: skip
            per_path(large)


if __name__ == "__main__":
    main()
