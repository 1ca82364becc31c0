"""What a server process loads at start: not the libraries only a download or a test needs.
openpyxl (with its 175 modules, about 6 MB) is loaded by the first workbook, python-docx and
lxml (about 7 MB) by the first Word document, not by every worker at start (bench/README.md, "Memory")."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Loaded on first use by the application: a workbook's or a Word document's download, an
# import's .xlsx.
LAZY = ("openpyxl", "docx", "lxml")
# Never loaded by the application: tools of the tests and the benchmarks.
NEVER = ("schemathesis", "hypothesis", "pytest", "playwright", "bench")


def modules_at_start(tmp_path: Path) -> set[str]:
    """The top-level packages loaded by `import app.main`, in a fresh interpreter."""
    env = {**os.environ, "DVK_SECRET_KEY": "x" * 40, "DVK_DEMO": "0",
           "DVK_DATABASE_URL": f"sqlite:///{tmp_path / 'start.sqlite3'}"}
    code = "import json, sys, app.main; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True, timeout=120)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_the_server_loads_no_workbook_library_and_no_test_tool_at_start(tmp_path):
    loaded = modules_at_start(tmp_path)
    assert "fastapi" in loaded  # the check sees what app.main loads
    assert sorted(loaded & set(LAZY + NEVER)) == []


def test_a_started_server_has_done_what_its_first_page_would_wait_for(tmp_path):
    """app.main.warm_up, in the server's start: the templates compiled, Babel's Vietnamese
    data read, and what was loaded set aside from the garbage collector's full passes."""
    env = {**os.environ, "DVK_SECRET_KEY": "x" * 40, "DVK_DEMO": "0",
           "DVK_DATABASE_URL": f"sqlite:///{tmp_path / 'warm.sqlite3'}"}
    code = ("import gc, json\nfrom fastapi.testclient import TestClient\n"
            "from app.main import app\nfrom app.ui import templates\nfrom app.vn import show\n"
            "def seen():\n"
            "    return ['units/tree.html' in [k[1] for k in templates.env.cache],\n"
            "            show._LOCALE._Locale__data is not None, gc.get_freeze_count() > 0]\n"
            "before = seen()\nwith TestClient(app):\n    print(json.dumps([before, seen()]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True, timeout=120)
    before, after = json.loads(out.stdout.strip().splitlines()[-1])
    assert before == [False, False, False] and after == [True, True, True]
