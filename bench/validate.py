"""How fast `gonogo validate` is, against the floor of any Typer CLI.

Run with the project's Python:  python bench/validate.py [--runs 21] [--files 1000]

1. Builds a one-command Typer app in a temporary directory (the baseline: what any
   Typer CLI costs to start and run one command) and times it and
   `gonogo validate runbooks/release-21.0.yaml` alternately, as fresh processes of
   the same Python, wall time. Prints both medians and their ratio (target <= 1.3).
2. Checks that `gonogo validate` does not import twilio (`python -X importtime`).
3. Times one `gonogo validate` call on 1,000 copies of the 21.0 runbook (with their
   recipients files) in a temporary directory.

Exits 1 if the ratio is over the target or twilio is imported, so CI can run it.
"""

from __future__ import annotations

import argparse
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


def wall(argv: list[str], *, cwd: Path, expect: int = 0) -> float:
    """Seconds one fresh process takes; fails loudly if it does not exit as expected."""
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != expect:
        sys.exit(
            f"{' '.join(argv)} exited {done.returncode}, expected {expect}:\n"
            f"{done.stdout}{done.stderr}"
        )
    return elapsed


def imported_modules(argv: list[str], *, cwd: Path) -> set[str]:
    """Every module the command imports, read from `python -X importtime`."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        cwd=cwd,
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="timed runs of each (default 21)")
    parser.add_argument("--files", type=int, default=1000, help="files for the bulk run")
    args = parser.parse_args()

    failed = False
    with tempfile.TemporaryDirectory(prefix="gonogo-bench-") as tmp:
        work = Path(tmp)
        (work / "baseline_app.py").write_text(BASELINE_APP, encoding="utf-8")
        baseline = [sys.executable, str(work / "baseline_app.py"), str(RUNBOOK)]
        gonogo = [sys.executable, "-m", "gonogo", "validate", str(RUNBOOK)]

        print(f"Python {sys.version.split()[0]} ({sys.executable})")
        print(f"runbook: {RUNBOOK.relative_to(ROOT)}")
        print(f"timing {args.runs} runs of each, alternately, after 3 warm-up runs")
        for _ in range(3):  # page cache, .pyc files
            wall(baseline, cwd=work)
            wall(gonogo, cwd=ROOT)
        base_times: list[float] = []
        ours: list[float] = []
        for _ in range(args.runs):
            base_times.append(wall(baseline, cwd=work))
            ours.append(wall(gonogo, cwd=ROOT))
        base_median = statistics.median(base_times)
        our_median = statistics.median(ours)
        ratio = our_median / base_median
        print()
        print(f"  one-command Typer app   median {ms(base_median)}  (min {ms(min(base_times))})")
        print(f"  gonogo validate 21.0    median {ms(our_median)}  (min {ms(min(ours))})")
        verdict = "ok" if ratio <= TARGET else "OVER TARGET"
        print(f"  ratio                   {ratio:7.2f}        (target <= {TARGET}: {verdict})")
        failed |= ratio > TARGET

        modules = imported_modules(gonogo[1:], cwd=ROOT)
        twilio = sorted(m for m in modules if m == "twilio" or m.startswith("twilio."))
        print()
        if twilio:
            print(f"  twilio imported by gonogo validate: {', '.join(twilio[:5])}  FAIL")
            failed = True
        else:
            print(f"  twilio not imported by gonogo validate ({len(modules)} modules): ok")

        bulk = work / "bulk"
        bulk.mkdir()
        shutil.copytree(RUNBOOK.parent / "recipients", bulk / "recipients")
        text = RUNBOOK.read_bytes()
        files = []
        for number in range(args.files):
            path = bulk / f"release-{number:04d}.yaml"
            path.write_bytes(text)
            files.append(path.name)
        bulk_time = wall([sys.executable, "-m", "gonogo", "validate", *files], cwd=bulk)
        print()
        print(
            f"  {args.files} runbook files in one call  {ms(bulk_time)}  "
            f"({bulk_time / args.files * 1000:.2f} ms a file)"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
