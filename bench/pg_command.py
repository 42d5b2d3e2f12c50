"""What one decision costs on the shared journal: connections opened, wall and CPU time.

Run with the project's Python:  python bench/pg_command.py [--runs 15]

Starts a throwaway PostgreSQL from Debian's binaries (tests/servers/postgres.py; as
root it runs as `postgres`) on 127.0.0.1 and a rehearsal of the bundled 21.0 runbook
in it (`start --dry-run`). Then, `--runs` times, on a fresh copy of that started night
(CREATE DATABASE … TEMPLATE, as the race test does): `go 1 --dry-run --yes` in a
process forked from one that has imported gonogo (so Python's imports are not counted,
as in the tests' fork server), counting the connections it opens (psycopg.connect).

The anchor, measured in the same run and printed beside it: opening one connection to
the same server and asking it one thing (connect, `SELECT 1`, close), the least each
connection of a command costs here, on 127.0.0.1; at another site every one also pays
the network's round trips, several times over (TCP, TLS, login).
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
sys.path.insert(0, str(ROOT / "tests"))

from servers.postgres import Postgres, find_bin  # noqa: E402


def forked_go(url: str) -> tuple[int, float, float, int]:
    """(exit code, wall s, CPU s, connections) of `go 1` in a child of this process."""
    import psycopg  # noqa: PLC0415

    import gonogo.cli  # noqa: PLC0415

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: count connections, run the command as `python -m gonogo`
        os.close(read)
        opened = [0]
        real = psycopg.connect

        def counted(*args: object, **kwargs: object) -> object:
            opened[0] += 1
            return real(*args, **kwargs)  # type: ignore[arg-type]

        psycopg.connect = counted  # type: ignore[assignment]
        os.environ["GONOGO_JOURNAL_URL"] = url
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        wall, cpu = time.perf_counter(), time.process_time()
        code = gonogo.cli.main(["go", "1", "--dry-run", "--yes", "--by", "anna"])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        os.write(write, f"{code} {wall} {cpu} {opened[0]}".encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as answer:
        code, wall, cpu, opened = answer.read().split()
    os.waitpid(pid, 0)
    return int(code), float(wall), float(cpu), int(opened)


def one_connection(url: str) -> float:
    import psycopg  # noqa: PLC0415

    began = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT 1").fetchone()
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    bindir = find_bin()
    if bindir is None:
        print("PostgreSQL is not installed (apt-get install postgresql)", file=sys.stderr)
        return 1
    sys.path.insert(0, str(ROOT / "src"))
    import importlib  # noqa: PLC0415
    import pkgutil  # noqa: PLC0415

    import gonogo  # noqa: PLC0415

    for module in pkgutil.walk_packages(gonogo.__path__, "gonogo."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)  # as the tests' fork server does
    server = Postgres(bindir)
    server.wait_ready()
    runs: list[tuple[float, float, int]] = []
    anchors: list[float] = []
    try:
        with tempfile.TemporaryDirectory(prefix="gonogo-pgcommand-") as home:
            shutil.copytree(ROOT / "runbooks", Path(home) / "runbooks")
            started = server.new_database()
            subprocess.run(
                [sys.executable, "-m", "gonogo", "start", "runbooks/release-21.0.yaml",
                 "--dry-run", "--yes"],
                cwd=home, env={**os.environ, "GONOGO_JOURNAL_URL": started,
                               "PYTHONPATH": str(ROOT / "src")},
                check=True, capture_output=True,
            )  # fmt: skip
            os.chdir(home)
            for _ in range(args.runs):
                race = server.new_database(template=started)
                anchors.append(one_connection(race))
                code, wall, cpu, opened = forked_go(race)
                if code != 0:
                    sys.exit(f"go 1 failed with exit code {code}")
                runs.append((wall, cpu, opened))
                server.drop_database(race)
    finally:
        server.close()
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    opened = sorted({r[2] for r in runs})
    print(f"`go 1 --dry-run` on the shared journal, forked, median of {args.runs}:")
    print(f"  wall {wall * 1000:.0f} ms, CPU {cpu * 1000:.0f} ms, connections opened: "
          f"{', '.join(map(str, opened))}")  # fmt: skip
    print(f"  anchor, one connection (connect, SELECT 1, close), alternating with it: "
          f"{statistics.median(anchors) * 1000:.1f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
