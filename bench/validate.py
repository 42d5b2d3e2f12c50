"""How fast `gonogo validate` is, against the floor of any Typer CLI.

Run with the project's Python:  python bench/validate.py [--runs 21] [--files 1000]

1. Builds a one-command Typer app in a temporary directory (the baseline: what any
   Typer CLI costs to start and run one command) and times it and
   `gonogo validate runbooks/release-21.0.yaml` alternately, as fresh processes of
   the same Python, wall time, in two states of validate's recipients cache:
   - warm: the recipients files were checked before (pre-commit, a CI job that keeps
     ~/.cache/gonogo, any second run);
   - cold: `--no-cache`, what the very first run on a fresh machine costs.
   Prints the medians and both ratios (target <= 1.3). For reference it also times
   the baseline app with the garbage-collector settings gonogo's console script uses,
   and prints validate's ratio against that too.
2. Checks that `gonogo validate` does not import twilio (`python -X importtime`), and
   that the warm run imports neither phonenumbers nor email-validator.
3. Times one `gonogo validate` call on 1,000 copies of the 21.0 runbook (with their
   recipients files) in a temporary directory, and its peak memory.

The processes run as on a user's machine: bytecode caches are written (a set
PYTHONDONTWRITEBYTECODE is removed for them, or every run would compile gonogo's
modules afresh), and the recipients cache is a temporary directory of its own.

Exits 1 if a ratio is over the target or a library is imported that should not be.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNBOOK = ROOT / "runbooks" / "release-21.0.yaml"
TARGET = 1.3

BASELINE_APP = '''\
"""A one-command Typer app: the floor of any Typer CLI's wall time."""

from pathlib import Path

import typer

app = typer.Typer(add_completion=False)


@app.command()
def check(path: Path) -> None:
    """Report the size of a file."""
    typer.echo(f"{path}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    app()
'''


# For reference only, not the target: the same app with the garbage-collector settings
# gonogo's console script uses (gonogo/console.py), which any Typer app could adopt. It
# shows how much of validate's margin is those settings rather than work not done.
BASELINE_APP_GC = """\
import gc
import sys

gc.disable()
from pathlib import Path

import typer

gc.freeze()
gc.set_threshold(50_000, *gc.get_threshold()[1:])
gc.enable()
app = typer.Typer(add_completion=False)


@app.command()
def check(path: Path) -> None:
    typer.echo(f"{path}: {path.stat().st_size} bytes")


try:
    app()
finally:
    gc.freeze()
"""


def wall(
    argv: list[str], *, cwd: Path, expect: int = 0, env: dict[str, str] | None = None
) -> float:
    """Seconds one fresh process takes; fails loudly if it does not exit as expected."""
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != expect:
        sys.exit(
            f"{' '.join(argv)} exited {done.returncode}, expected {expect}:\n"
            f"{done.stdout}{done.stderr}"
        )
    return elapsed


def imported_modules(argv: list[str], *, cwd: Path, env: dict[str, str]) -> set[str]:
    """Every module the command imports, read from `python -X importtime`."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    modules = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            modules.add(line.rsplit("|", 1)[1].strip())
    return modules


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def peak_rss_mb(argv: list[str], *, cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak resident MB) of one fresh process, measured from a parent of its own."""
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "done = subprocess.run(sys.argv[1:], capture_output=True); "
        "print(time.perf_counter() - t, done.returncode, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds, code, kilobytes = out.stdout.split()
    if code != "0":
        sys.exit(f"{' '.join(argv)} exited {code}")
    return float(seconds), int(kilobytes) / 1024


def unwanted_imports(commands: dict[str, list[str]], env: dict[str, str]) -> bool:
    """Print what each validate run imports that it should not; True if anything."""
    found_any = False
    for name in ("gonogo validate, warm", "gonogo validate, cold"):
        modules = imported_modules(commands[name][1:], cwd=ROOT, env=env)
        unwanted = ["twilio"]
        if name.endswith("warm"):
            unwanted += ["phonenumbers", "email_validator"]
        found = sorted(m for m in modules if any(m == u or m.startswith(u + ".") for u in unwanted))
        verdict = f"imports {', '.join(found[:4])}  FAIL" if found else "ok"
        print(f"  {name}: {len(modules)} modules, none of {', '.join(unwanted)}: {verdict}")
        found_any |= bool(found)
    return found_any


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="timed runs of each (default 21)")
    parser.add_argument("--files", type=int, default=1000, help="files for the bulk run")
    args = parser.parse_args()

    failed = False
    with tempfile.TemporaryDirectory(prefix="gonogo-bench-") as tmp:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["GONOGO_CACHE_DIR"] = str(work / "cache")
        (work / "baseline_app.py").write_text(BASELINE_APP, encoding="utf-8")
        (work / "baseline_app_gc.py").write_text(BASELINE_APP_GC, encoding="utf-8")
        commands = {
            "one-command Typer app": [sys.executable, str(work / "baseline_app.py"), str(RUNBOOK)],
            "same app, gonogo's gc": [
                sys.executable,
                str(work / "baseline_app_gc.py"),
                str(RUNBOOK),
            ],
            "gonogo validate, warm": [sys.executable, "-m", "gonogo", "validate", str(RUNBOOK)],
            "gonogo validate, cold": [
                *[sys.executable, "-m", "gonogo", "validate", "--no-cache", str(RUNBOOK)]
            ],
        }
        cwd = {name: ROOT if name.startswith("gonogo") else work for name in commands}

        print(f"Python {sys.version.split()[0]} ({sys.executable})")
        print(f"runbook: {RUNBOOK.relative_to(ROOT)}")
        print(f"timing {args.runs} runs of each, in turn, after 3 warm-up runs")
        for _ in range(3):  # page cache, .pyc files, the recipients cache
            for name, argv in commands.items():
                wall(argv, cwd=cwd[name], env=env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                times[name].append(wall(argv, cwd=cwd[name], env=env))
        medians = {name: statistics.median(runs) for name, runs in times.items()}
        baseline = medians["one-command Typer app"]
        reference = medians["same app, gonogo's gc"]
        print()
        for name, runs in times.items():
            line = f"  {name:24} median {ms(medians[name])}  (min {ms(min(runs))})"
            if name.startswith("gonogo"):
                ratio = medians[name] / baseline
                verdict = "ok" if ratio <= TARGET else "OVER TARGET"
                line += f"  ratio {ratio:5.2f}  (target <= {TARGET}: {verdict})"
                line += f"; {medians[name] / reference:4.2f} against the same app with gc set"
                failed |= ratio > TARGET
            print(line)

        print()
        failed |= unwanted_imports(commands, env)

        bulk = work / "bulk"
        bulk.mkdir()
        shutil.copytree(RUNBOOK.parent / "recipients", bulk / "recipients")
        text = RUNBOOK.read_bytes()
        files = []
        for number in range(args.files):
            path = bulk / f"release-{number:04d}.yaml"
            path.write_bytes(text)
            files.append(path.name)
        seconds, peak = peak_rss_mb(
            [sys.executable, "-m", "gonogo", "validate", "--no-cache", *files], cwd=bulk, env=env
        )
        print()
        print(
            f"  {args.files} runbook files in one call, cold  {ms(seconds)}  "
            f"({seconds / args.files * 1000:.2f} ms a file), peak memory {peak:.0f} MB"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
