"""The runbook the loader and check tests edit; their line numbers refer to this text."""

from __future__ import annotations

# A valid runbook. Line numbers in the tests' expectations refer to it.
BASE = """\
format: 1
release:
  id: "1.0"
  title: Test release
  kind: internal
  version_package: "1"
  timezone: Europe/Stockholm
window:
  date: 2021-12-01
  start: "23:00"
  end: "03:00"
  rollback: 30m
audiences:
  drift:
    name: Drift
channels:
  sms:
    sender: "+46701740605"
parts:
  - id: one
    title: One
    start: "23:00"
    duration: 1h
    owner: Team
  - id: two
    title: Two
    start: "00:00"
    duration: 1h
    owner: Team
messages:
  window_started:
    audiences: [drift]
    sms: "Start {release}."
  part_completed:
    audiences: [drift]
    sms: "Del {part_number} av {part_count} klar."
  window_completed:
    audiences: [drift]
    sms: "Klart."
  rollback_started:
    audiences: [drift]
    sms: "Vi backar."
  rollback_completed:
    audiences: [drift]
    sms: "Vi har backat."
"""

# The same, with the events a runbook should also answer said to be silent: no warnings.
QUIET = (
    BASE
    + """\
  incident_opened:
    silent: true
  incident_updated:
    silent: true
  incident_resolved:
    silent: true
  disruption:
    silent: true
"""
)


def edit(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)
