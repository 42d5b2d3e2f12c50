"""`gonogo --help` lists every command, in the order of a release night."""

from __future__ import annotations

import re
import subprocess
import sys


def test_help_lists_every_command_in_release_order() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gonogo", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    commands = re.findall(r"^  ([a-z-]+)  ", done.stdout.split("Commands:")[1], re.MULTILINE)
    assert commands == [
        *["validate", "schema", "plan", "messages"],
        *["announce", "reschedule", "cancel", "extend"],
        *["start", "go", "nogo", "hold", "progress", "rollback-done", "end"],
        *["status", "log", "resume", "retry-failed", "deliveries", "settle"],
        *["disruption", "lights", "verify"],
        *["rehearse", "run"],
        *["report", "publish", "graph"],
        "incident",
    ]
