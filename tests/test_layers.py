"""What the application may import: never the benchmarks (bench/ is a tool of the checkout, not
part of the installed package, and importing it made the only import cycle)."""

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
    return names


def test_imported_modules_sees_lazy_imports():
    tree = ast.parse("def f():\n    import bench.generate\n    from bench import summary\n")
    assert imported_modules(tree) == ["bench.generate", "bench"]


def test_no_module_of_the_application_imports_the_benchmarks():
    offenders = [
        f"{path.relative_to(APP.parent)}: {name}"
        for path in sorted(APP.rglob("*.py"))
        for name in imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        if name == "bench" or name.startswith("bench.")
    ]
    assert offenders == []
