"""`gonogo` commands as separate processes without paying Python's imports for each.

A fresh `python -m gonogo go 1` spends about two thirds of its CPU importing (typer,
pydantic, psycopg, the runbook models); a test that runs 200 of them pays that 200
times. This module, run as a script, is a fork server: it imports every gonogo module
once (imports only: no command runs, nothing is connected or cached), then for each
batch of commands it is sent forks one child per command, all at once. Each child is
its own process with its own pid, working directory, environment, stdin (/dev/null or
the test's input, from a file), stdout and stderr (files), and database connections; it
runs the command as `python -m gonogo` does (`gonogo.console.run`, the working
directory first on sys.path, TZ read again), then exits with the command's code.

`Forks` is the test's side: `run([Command, ...])` starts a batch and returns each
command's exit code, stdout and stderr once all have exited. `gonogo(args, ...)` runs
one command in a fork server of the test process's own (one per pytest-xdist worker,
started on first use), returning what `subprocess.run` would; with
`GONOGO_TESTS_FRESH=1` it starts a fresh `python -m gonogo` instead.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import pkgutil
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any, Self

TIMEOUT = 60  # seconds a command may take before SIGALRM ends it (exit code -14)


@dataclass(frozen=True)
class Command:
    args: list[str]  # after `gonogo`
    cwd: str
    env: dict[str, str]
    stdin: str | None = None  # a file to read as stdin; /dev/null when None
    timeout: int = TIMEOUT


@dataclass(frozen=True)
class Done:
    code: int  # negative: killed by that signal
    stdout: str
    stderr: str


class Forks:
    """The fork server, as a context manager."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch  # where the children's stdout and stderr files go
        self.batches = 0
        self.server: subprocess.Popen[str] | None = None

    def __enter__(self) -> Self:
        self.server = subprocess.Popen(
            [sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, env=os.environ.copy(),
        )  # fmt: skip
        assert self.server.stdout is not None
        ready = self.server.stdout.readline()
        assert ready == "ready\n", f"the fork server did not start: {ready!r}"
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self.server is not None
        assert self.server.stdin is not None
        assert self.server.stdout is not None
        self.server.stdin.close()
        self.server.wait(30)
        self.server.stdout.close()

    def run(self, commands: list[Command]) -> list[Done]:
        assert self.server is not None
        assert self.server.stdin is not None
        assert self.server.stdout is not None
        self.batches += 1
        files = [self.scratch / f"fork-{self.batches}-{n}" for n in range(len(commands))]
        request = [{**asdict(c), "out": f"{f}.out", "err": f"{f}.err"}
                   for c, f in zip(commands, files, strict=True)]  # fmt: skip
        self.server.stdin.write(json.dumps(request) + "\n")
        self.server.stdin.flush()
        reply = self.server.stdout.readline()
        assert reply, "the fork server died"
        codes: list[int] = json.loads(reply)
        done = [
            Done(code, Path(f"{f}.out").read_text("utf-8"), Path(f"{f}.err").read_text("utf-8"))
            for code, f in zip(codes, files, strict=True)
        ]
        for f in files:
            Path(f"{f}.out").unlink()
            Path(f"{f}.err").unlink()
        return done


_shared: Forks | None = None
_shared_lock = threading.Lock()


def _close_shared(scratch: Path) -> None:
    if _shared is not None:
        _shared.__exit__()
    shutil.rmtree(scratch, ignore_errors=True)


def gonogo(
    args: list[str],
    *,
    cwd: Path | str | None = None,
    env: dict[str, str] | None = None,
    stdin: str = "",
    timeout: int = 120,
) -> subprocess.CompletedProcess[str]:
    """`python -m gonogo ARGS` as its own process, without paying Python's imports."""
    global _shared  # noqa: PLW0603  # one server per test process, for its whole life
    cwd = str(cwd or os.getcwd())
    env = dict(os.environ if env is None else env)
    if os.environ.get("GONOGO_TESTS_FRESH", "") not in ("", "0"):
        return subprocess.run(
            [sys.executable, "-m", "gonogo", *args], cwd=cwd, env=env, input=stdin,
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
    with _shared_lock:
        if _shared is None:
            scratch = Path(tempfile.mkdtemp(prefix="gonogo-forks-"))
            _shared = Forks(scratch).__enter__()
            atexit.register(_close_shared, scratch)
        stdin_file = _shared.scratch / f"stdin-{_shared.batches}"
        stdin_file.write_text(stdin, "utf-8")
        try:
            [done] = _shared.run([Command(args, cwd, env, str(stdin_file), timeout)])
        finally:
            stdin_file.unlink()
    if done.code == -signal.SIGALRM:
        raise subprocess.TimeoutExpired(["gonogo", *args], timeout, done.stdout, done.stderr)
    return subprocess.CompletedProcess(["gonogo", *args], done.code, done.stdout, done.stderr)


def _import_everything() -> None:
    import gonogo  # noqa: PLC0415

    for module in pkgutil.walk_packages(gonogo.__path__, "gonogo."):
        if module.name != "gonogo.__main__":  # that one runs the CLI
            importlib.import_module(module.name)


def _child(command: dict[str, Any]) -> int:
    """In the forked child: become the command's process, run it, return its exit code."""
    signal.alarm(command["timeout"])
    os.chdir(command["cwd"])
    sys.path[0] = command["cwd"]  # as `python -m` puts the working directory first
    os.environ.clear()
    os.environ.update(command["env"])
    time.tzset()  # TZ as the new environment says, as a fresh interpreter reads it
    written = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    stdin = command["stdin"] or os.devnull
    for fd, path, flags in ((0, stdin, os.O_RDONLY), (1, command["out"], written),
                            (2, command["err"], written)):  # fmt: skip
        opened = os.open(path, flags, 0o600)
        os.dup2(opened, fd)
        os.close(opened)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115  # no read-ahead of ours
    sys.argv = ["gonogo", *command["args"]]
    from gonogo.console import run  # noqa: PLC0415

    try:
        run()
    except SystemExit as exit_:
        code = exit_.code
    except Exception:  # noqa: BLE001  # printed, as an uncaught one ends a fresh interpreter
        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()  # what interpreter shutdown would run
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _serve(requests: IO[str], replies: IO[str]) -> None:
    for line in requests:
        pids = []
        for command in json.loads(line):
            replies.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    code = _child(command)
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(code)
            pids.append(pid)
        codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
        replies.write(json.dumps(codes) + "\n")
        replies.flush()


if __name__ == "__main__":
    _import_everything()
    print("ready", flush=True)
    _serve(sys.stdin, sys.stdout)
