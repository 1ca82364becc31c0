"""What the application may import: never the benchmarks (bench/ is a tool of the checkout, not
part of the installed package, and importing it made the only import cycle); and which layer
may import which: the pages and the API never import each other, the services neither."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"


def imported_modules(tree: ast.AST) -> list[str]:
    """Every module an `import` or `from ... import` names, anywhere in the module (inside a
    function too: the `dvk gen` command imported bench/ lazily)."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
            # `from app import api` imports the package app.api as surely as `import app.api`
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def test_imported_modules_sees_lazy_imports():
    tree = ast.parse("def f():\n    import bench.generate\n    from bench import summary\n")
    assert imported_modules(tree) == ["bench.generate", "bench", "bench.summary"]


def test_no_module_of_the_application_imports_the_benchmarks():
    offenders = [
        f"{path.relative_to(APP.parent)}: {name}"
        for path in sorted(APP.rglob("*.py"))
        for name in imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        if name == "bench" or name.startswith("bench.")
    ]
    assert offenders == []


def _offenders(folder: str, forbidden: str) -> list[str]:
    return [
        f"{path.relative_to(APP.parent)}: {name}"
        for path in sorted((APP / folder).rglob("*.py"))
        for name in imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        if name == forbidden or name.startswith(forbidden + ".")
    ]


def test_the_pages_never_import_the_api():
    """The API and the pages are two faces of the same services: what both need (the request's
    dependencies, downloads, ETags) lives in app.deps and app.responses, not in one of them."""
    assert _offenders("ui", "app.api") == []


def test_the_api_never_imports_the_pages():
    assert _offenders("api", "app.ui") == []


def test_the_services_import_neither_face():
    assert _offenders("services", "app.api") + _offenders("services", "app.ui") == []
