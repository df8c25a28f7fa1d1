"""The HTML report in a real browser: Debian's headless chromium renders the page, and
the page asks for nothing outside itself.

Skipped, with the reason, when chromium is not installed.  The test adds one line of
script to its copy of the page that writes, into the DOM, how many resources the page
loaded (`performance.getEntriesByType("resource")`); chromium's `--dump-dom` output must
show the verdict table, the timeline and zero resources.  `--host-resolver-rules` makes
every host unresolvable, so a request would fail instead of leaving the machine.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from podcheck.check import CheckOptions, check_file
from podcheck.report.document import document
from podcheck.report.html import render_html

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PROBE = ('<script>document.body.setAttribute("data-resources", '
         'String(performance.getEntriesByType("resource").length));</script>')

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                                "(apt install chromium) so the HTML report is not rendered")


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run",
             f"--user-data-dir={tmp_path / 'profile'}", "--host-resolver-rules=MAP * ~NOTFOUND",
             "--window-size=1400,1000"]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True,
                          timeout=120, check=False)


def test_html_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    run = check_file(str(ROOT / "specs/liveness/slow-starter-killed.pod"), CheckOptions())
    page = render_html([document(run, reproduce="podcheck check slow-starter-killed.pod")])
    path = tmp_path / "trace.html"
    path.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = _chromium(tmp_path, "--dump-dom", path.as_uri()).stdout
    assert 'data-resources="0"' in dom
    assert '<table class="verdicts" id="d1-verdicts">' in dom
    assert "eventually-ready" in dom and 'class="loop"' in dom
    shot = tmp_path / "trace.png"
    _chromium(tmp_path, f"--screenshot={shot}", path.as_uri())
    assert shot.stat().st_size > 10_000  # a page was painted, not an empty frame
