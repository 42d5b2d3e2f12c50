"""The recipients file a runbook names: confined to its tree, read bounded, never shown."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gonogo.runbook.recipients_file import (
    RecipientsFileError,
    read_limited,
    resolve_recipients,
)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "repo" / "runbooks" / "recipients").mkdir(parents=True)
    (tmp_path / "repo" / "runbooks" / "recipients" / "drift.csv").write_text("name\n")
    (tmp_path / "repo" / "shared").mkdir()
    (tmp_path / "repo" / "shared" / "all.csv").write_text("name\n")
    (tmp_path / "repo" / ".env").write_text("TWILIO_AUTH_TOKEN=0123456789abcdef\n")
    return tmp_path / "repo" / "runbooks"


def refusal(runbook: Path, written: str, root: Path | None = None) -> str:
    with pytest.raises(RecipientsFileError) as caught:
        resolve_recipients(runbook, written, root)
    return caught.value.message


def test_a_file_under_the_runbook_is_found(tree: Path) -> None:
    found = resolve_recipients(tree / "night.yaml", "recipients/drift.csv")
    assert found == (tree / "recipients" / "drift.csv").resolve()


@pytest.mark.parametrize("written", ["/proc/self/environ", "/etc/passwd", "/proc/kmsg"])
def test_an_absolute_path_is_refused(tree: Path, written: str) -> None:
    assert refusal(tree / "night.yaml", written) == (
        f"recipients file {written!r} is an absolute path; write it relative to the runbook"
    )


def test_dot_dot_out_of_the_tree_is_refused(tree: Path) -> None:
    message = refusal(tree / "night.yaml", "../.env")
    assert message.startswith("recipients file '../.env' is outside the runbook's directory")
    assert "TWILIO" not in message


def test_a_symlink_out_of_the_tree_is_refused(tree: Path) -> None:
    (tree / "recipients" / "env.csv").symlink_to("/proc/self/environ")
    message = refusal(tree / "night.yaml", "recipients/env.csv")
    assert "is outside the runbook's directory" in message


def test_a_root_widens_the_tree(tree: Path) -> None:
    root = tree.parent
    found = resolve_recipients(tree / "night.yaml", "../shared/all.csv", root)
    assert found == (root / "shared" / "all.csv").resolve()
    assert "is outside --recipients-root" in refusal(tree / "night.yaml", "../../x.csv", root)


def test_a_name_longer_than_file_systems_allow(tree: Path) -> None:
    message = refusal(tree / "night.yaml", "a" * 300 + ".csv")
    assert message.endswith("a name in the path is longer than file systems allow "
                            "(255 bytes a name, 4096 a path)")  # fmt: skip
    assert len(message) < 200


def test_a_pipe_is_refused_without_waiting(tree: Path) -> None:
    os.mkfifo(tree / "recipients" / "pipe.csv")
    message = refusal(tree / "night.yaml", "recipients/pipe.csv")
    assert message == "recipients file 'recipients/pipe.csv' is not a regular file " \
        "(a device or pipe?), not a CSV file"  # fmt: skip


def test_a_missing_file(tree: Path) -> None:
    assert refusal(tree / "night.yaml", "recipients/nope.csv") == (
        f"recipients file not found: {tree / 'recipients/nope.csv'}"
    )


def test_a_file_over_the_size_limit_is_not_read(tree: Path) -> None:
    big = tree / "recipients" / "big.csv"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(RecipientsFileError) as caught:
        read_limited(big, max_bytes=1024)
    assert caught.value.message == f"{big}: recipients file is larger than 0 MB"
    assert read_limited(big, max_bytes=4096) == b"x" * 2048


def test_a_file_that_reports_no_size_is_still_bounded() -> None:
    # /proc files say 0 bytes and are longer: the limit holds on what is read.
    with pytest.raises(RecipientsFileError):
        read_limited(Path("/proc/self/status"), max_bytes=16)
