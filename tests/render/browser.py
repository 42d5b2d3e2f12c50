"""Headless Chromium (Debian's) and axe-core (npm, in .ci/node) for the HTML pages.

axe-core runs inside the page: a copy of it gets axe.min.js and a script that posts the
results, and how wide the page got, to a host page that holds it in an iframe of the
width under test (headless Chromium's window is at least 500 px wide, a phone is 390).
The host writes them into its DOM, which Chromium then dumps.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[2] / ".ci" / "node" / "node_modules" / "axe-core"
_RUNNER = """<script>
axe.run(document, {resultTypes: ["violations"]}).then(function (result) {
  var tables = Array.prototype.map.call(document.querySelectorAll("table"),
    function (t) { return Math.ceil(t.getBoundingClientRect().right); });
  parent.postMessage(JSON.stringify({
    viewport: window.innerWidth,
    width: document.documentElement.scrollWidth,
    rightmost: Math.max.apply(null, tables.concat([0])),
    violations: result.violations.map(function (v) {
      return {id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map(function (n) { return n.target.join(" "); })};
    })
  }), "*");
});
</script>"""
_HOST = """<!DOCTYPE html><html lang="en"><head><title>host</title></head><body>
<iframe title="page" src="{src}" style="border:0;width:{width}px;height:{height}px"></iframe>
<script>
window.addEventListener("message", function (event) {{
  var out = document.createElement("pre");
  out.id = "axe-result";
  out.textContent = event.data;
  document.body.appendChild(out);
}});
</script></body></html>"""


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false")


def _missing(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"{reason}; CI must run the browser checks", pytrace=False)
    pytest.skip(reason)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    _missing("Chromium is not installed (apt-get install -y chromium)")
    raise AssertionError  # not reached: _missing fails or skips


def run(args: list[str], *, width: int, height: int = 900) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", f"--window-size={width},{height}",
             *args],
            capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip


def audit(page: Path, width: int) -> dict[str, Any]:
    """axe-core's violations on `page` at `width` CSS pixels, and how wide the page got."""
    script = AXE / "axe.min.js"
    if not script.is_file():
        _missing("axe-core is not installed (npm install --prefix .ci/node axe-core, see .ci/run)")
    text = page.read_text(encoding="utf-8")
    injected = f"<script>{script.read_text(encoding='utf-8')}</script>\n{_RUNNER}\n</body>"
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / page.name
        copy.write_text(text.replace("</body>", injected), encoding="utf-8")
        host = Path(folder) / "host.html"
        host.write_text(_HOST.format(src=page.name, width=width, height=900), encoding="utf-8")
        done = run(["--virtual-time-budget=30000", "--dump-dom", host.as_uri()], width=1400)
    found = re.search(r'<pre id="axe-result">(.*?)</pre>', done.stdout, re.DOTALL)
    assert found, f"axe-core wrote no result: {done.stderr[-2000:]}"
    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return result
