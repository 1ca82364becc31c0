"""axe-core in the browser tests: the npm package pinned by tests/e2e/package.json (a test
asset, installed by `make test`, never served by the app), injected into the page under test.
The page's Content-Security-Policy forbids inline scripts, so a context that runs axe is opened
with `bypass_csp=True`."""

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
# What WCAG 2.1 AA asks, and axe's best practices (a skip link's target, one main landmark…).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
GRAVE = ("serious", "critical")
# Every control named (its label, its words): these fail a page whatever axe's impact says.
NAMING = frozenset({"label", "select-name", "button-name", "input-button-name", "link-name",
                    "aria-input-field-name", "label-title-only", "form-field-multiple-labels"})


def require_axe() -> Path:
    """The axe script, or the test stops: a failure when it should be there (CI, or npm on the
    machine: `make test` installs it), a skip with the reason when npm itself is missing."""
    if AXE.exists():
        return AXE
    how = "run `make test` (it runs `npm ci --prefix tests/e2e`)"
    if shutil.which("npm") is None and os.environ.get("DVK_E2E_REQUIRED") != "1":
        pytest.skip(f"axe-core is not installed and npm is missing: {how} on a machine with npm")
    pytest.fail(f"axe-core is missing at {AXE}: {how}")


def audit(page: Any, impacts: tuple[str, ...] = GRAVE) -> list[str]:
    """Run axe on the page as it is now; one line per failing element of each rule whose
    impact is in `impacts`, or that names controls ("rule (impact) selector: summary")."""
    page.add_script_tag(path=str(require_axe()))
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map("
        "n => ({target: n.target.join(' '), summary: n.failureSummary}))})))", TAGS)
    return [f"{v['id']} ({v['impact']}) {n['target']}: {' '.join(n['summary'].split())}"
            for v in found if v["impact"] in impacts or v["id"] in NAMING for n in v["nodes"]]
