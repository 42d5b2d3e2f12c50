"""What the published site may say (no operator's reason, a drill marked as one), and that
a publish that cannot write leaves the old site whole."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from freezegun import freeze_time

from gonogo.cli import main
from render import RUNBOOK, at, english_runbook, run
from render.test_publish import EXAMPLES, FILES, publish

REASON = "intern: DBA Kalle på 070-1234567"


@pytest.fixture(scope="module")
def drill(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A rehearsal: NKOO set yellow by hand with an internal reason, INC-1 opened,
    updated and resolved (without a summary)."""
    state = tmp_path_factory.mktemp("drill")
    run(state, at(27, "23:00"), "start", str(RUNBOOK))
    run(state, at(27, "23:10"), "lights", "set", "nkoo", "yellow", "--reason", REASON)
    run(state, at(27, "23:20"), "incident", "open", "--priority", "1",
        "--summary", "Databasen svarar inte", "--services", "erecept")  # fmt: skip
    run(state, at(27, "23:30"), "incident", "update", "INC-1", "--summary", "Felsökning pågår")
    run(state, at(27, "23:40"), "incident", "resolve", "INC-1")
    return state


def test_a_lights_reason_is_not_published(drill: Path, tmp_path: Path) -> None:
    files = publish(drill, tmp_path, "--dry-run")
    for name in FILES:
        assert "Kalle" not in files[name].decode(), name
    services = json.loads(files["status.json"])["services"]
    # `why` a stable code to match on, `why_text` its words in the runbook's language.
    assert {k: services[k] for k in ("nkoo", "klas")} == {
        "nkoo": {"name": "NKOO", "class": "B", "colour": "yellow",
                 "since": "2021-11-27T22:10:00Z", "why": "set by hand",
                 "why_text": "satt för hand", "rehearsal": True,
                 "until": "2021-11-28T06:00:00Z"},
        "klas": {"name": "Klas", "class": "B", "colour": "red",
                 "since": "2021-11-27T22:00:00Z", "why": "window started",
                 "why_text": "servicefönstret startade", "rehearsal": True,
                 "until": "2021-11-28T06:00:00Z"},
    }  # fmt: skip


def test_only_a_light_no_real_run_shows_is_marked_a_rehearsals(drill: Path, tmp_path: Path) -> None:
    english = EXAMPLES / "english-variant.yaml"  # announced, not started: LiiV green
    files = publish(drill, tmp_path, "--dry-run", "--runbook", str(english))
    services = json.loads(files["status.json"])["services"]
    assert (services["liiv"]["colour"], services["liiv"]["rehearsal"]) == ("green", False)
    assert (services["klas"]["colour"], services["klas"]["rehearsal"]) == ("red", True)


def test_a_lights_reason_is_internal_but_shown_to_operators(
    drill: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    # It is journaled, and `lights` shows it to the operators.
    with freeze_time(at(27, "23:50")):
        assert main(["lights", "--json", "--dry-run", "--state-dir", str(drill)]) == 0
    assert REASON in capsys.readouterr().out


def test_why_text_is_in_an_english_runbooks_language(tmp_path: Path) -> None:
    state = tmp_path / "state"
    run(state, at(27, "23:00"), "start", str(english_runbook(tmp_path)))
    run(state, at(27, "23:10"), "lights", "set", "nkoo", "yellow", "--reason", REASON)
    services = json.loads(publish(state, tmp_path / "site", "--dry-run")["status.json"])
    assert [(services["services"][k]["why"], services["services"][k]["why_text"])
            for k in ("klas", "nkoo")] == [
        ("window started", "window started"), ("set by hand", "set by hand"),
    ]  # fmt: skip


def test_a_rehearsals_incident_is_marked_in_the_feed(drill: Path, tmp_path: Path) -> None:
    parsed = feedparser.parse(publish(drill, tmp_path, "--dry-run")["feed.xml"])
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert [e.title for e in parsed.entries] == [
        "Åtgärdad INC-1 (övning): Databasen svarar inte",
        "Uppdatering INC-1 (övning): Felsökning pågår",
        "Driftstörning INC-1 (övning, prioritet 1): Databasen svarar inte",
        "Servicefönster: Release 21.0 av tjänsteplattformen (övning), "
        "2021-11-27 23:00–2021-11-28 07:00",
    ]


def test_an_english_rehearsal_is_marked_in_english(tmp_path: Path) -> None:
    state = tmp_path / "state"
    run(state, at(27, "23:00"), "start", str(english_runbook(tmp_path)))
    run(state, at(27, "23:20"), "incident", "open", "--priority", "2",
        "--summary", "Slow", "--services", "erecept")  # fmt: skip
    parsed = feedparser.parse(publish(state, tmp_path / "site", "--dry-run")["feed.xml"])
    assert [e.title for e in parsed.entries] == [
        "Disruption INC-1 (rehearsal, priority 2): Slow",
        "Service window: Release 21.0 av tjänsteplattformen (rehearsal), "
        "2021-11-27 23:00–2021-11-28 07:00",
    ]


def _long_runbook(tmp_path: Path) -> Path:
    """21.0 (with its recipients) whose window has a long English text as well: every
    file of the site is larger than SQLite's 32 kB shared-memory file."""
    runbooks = tmp_path / "runbooks"
    shutil.copytree(RUNBOOK.parent, runbooks)
    path = runbooks / RUNBOOK.name
    text = path.read_text(encoding="utf-8")
    last = "    versionspaket 17.1 påverkas inte av förändringarna.\n"
    swedish = " Ändringarna i versionspaket 21 påverkar även äldre tjänster." * 250
    english = "The release changes the services of version package 21 in detail. " * 250
    longer = f"{last[:-1]}{swedish}\n  description_en: {english.strip()}\n"
    path.write_text(text.replace(last, longer), "utf-8")
    return path


def _old_site_and_a_new_night(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """A site published, then the night goes on: the next publish has new bytes to write."""
    state, site = tmp_path / "state", tmp_path / "site"
    run(state, at(27, "23:00"), "start", str(_long_runbook(tmp_path)))
    old = publish(state, site, "--dry-run")
    run(state, at(27, "23:20"), "incident", "open", "--priority", "1",
        "--summary", "Databasen svarar inte", "--services", "erecept")  # fmt: skip
    return state, site, old


def _publish_command(state: Path, site: Path) -> list[str]:
    return [sys.executable, "-m", "gonogo", "publish", "--out", str(site), "--dry-run",
            "--state-dir", str(state)]  # fmt: skip


def _limit_file_size(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it fails with EFBIG instead


def test_a_write_that_fails_leaves_the_old_site_whole(tmp_path: Path) -> None:
    state, site, old = _old_site_and_a_new_night(tmp_path)
    new = publish(state, tmp_path / "new", "--dry-run")
    assert all(new[name] != old[name] for name in ("status.json", "feed.xml", "index.html"))
    # The operating system refuses to let any file grow past one byte less than the new
    # index.html: status.json and feed.xml, written before it, fit, as does the journal's
    # shared-memory file (32 kB) that reading it takes.
    limit = len(new["index.html"]) - 1
    assert 32768 < len(new["status.json"]) < limit
    assert len(new["feed.xml"]) < limit
    done = subprocess.run(
        _publish_command(state, site), capture_output=True, text=True, timeout=120,
        check=False, preexec_fn=lambda: _limit_file_size(limit),
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert f"gonogo: error: could not write {site / 'index.html'}: File too large" in done.stderr
    assert f"the site in {site} is as it was" in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in site.iterdir()) == sorted(FILES)
    assert {name: (site / name).read_bytes() for name in FILES} == old


def test_a_directory_in_a_files_place_leaves_the_old_site_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state, site, old = _old_site_and_a_new_night(tmp_path)
    (site / "feed.xml").unlink()
    (site / "feed.xml").mkdir()
    with freeze_time("2030-01-01T00:00:00Z"):
        code = main(["publish", "--out", str(site), "--dry-run", "--state-dir", str(state)])
    assert code == 1
    err = capsys.readouterr().err
    assert f"could not write {site / 'feed.xml'}: a directory is in its place" in err
    assert sorted(p.name for p in site.iterdir()) == sorted(FILES)
    assert {n: (site / n).read_bytes() for n in FILES if n != "feed.xml"} == {
        n: data for n, data in old.items() if n != "feed.xml"
    }


def _unshare() -> list[str]:
    """A command prefix that runs in a mount namespace of its own, where a tmpfs may be
    mounted without touching the machine's mounts; skips when none is permitted."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare(1)")
    for prefix in (["unshare", "--mount"], ["unshare", "--user", "--map-root-user", "--mount"]):
        tried = subprocess.run(
            [*prefix, "sh", "-c", "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d"],
            capture_output=True, timeout=30, check=False,
        )  # fmt: skip
        if tried.returncode == 0:
            return prefix
    pytest.skip("mounting a tmpfs is not permitted here")


FULL_DISK = """
set -e
mount -t tmpfs -o size=1m tmpfs "$MOUNT"
cp -a "$SITE"/. "$MOUNT"/
dd if=/dev/zero of="$MOUNT/filler" bs=4096 2>/dev/null || true
truncate -s "-$FREE" "$MOUNT/filler"
"$@" 2>"$AFTER.err" || echo $? >"$AFTER.rc"
rm "$MOUNT/filler"
cp -a "$MOUNT"/. "$AFTER"/
"""


def test_a_full_disk_leaves_the_old_site_whole(tmp_path: Path) -> None:
    prefix = _unshare()
    state, site, old = _old_site_and_a_new_night(tmp_path)
    mount, after = tmp_path / "mount", tmp_path / "after"
    mount.mkdir()
    after.mkdir()
    # Room for the new status.json, not for feed.xml as well. (Replacing one file after
    # the other, each in the room the one before left, would fail at the larger
    # index.html, status.json and feed.xml replaced.)
    new = publish(state, tmp_path / "new", "--dry-run")
    pages = {name: -(-len(data) // 4096) for name, data in new.items()}
    free = pages["status.json"] * 4096
    assert pages["feed.xml"] <= pages["status.json"] < pages["index.html"]
    env = {**os.environ, "MOUNT": str(mount), "SITE": str(site), "AFTER": str(after),
           "FREE": str(free)}  # fmt: skip
    subprocess.run(
        [*prefix, "sh", "-c", FULL_DISK, "sh", *_publish_command(state, mount)],
        env=env, timeout=120, check=True,
    )  # fmt: skip
    err = Path(f"{after}.err").read_text()
    assert Path(f"{after}.rc").read_text() == "1\n", err
    assert f"gonogo: error: could not write {mount / 'feed.xml'}: No space left on device" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in after.iterdir()) == sorted(FILES)
    assert {name: (after / name).read_bytes() for name in FILES} == old
