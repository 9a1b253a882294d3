"""Which module may import which: the write path never reads through the read side's code."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "determinations"
READ_SIDE = {"presenters", "selectors", "exports", "facets", "search", "stats", "api", "feeds"}


def imported_modules(name: str) -> set[str]:
    """The app's own modules ``determinations/<name>.py`` imports (``from .x import ...``)."""
    tree = ast.parse((APP / f"{name}.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:  # from . import a, b
                found.update(alias.name for alias in node.names)
    return found


def test_the_write_path_imports_no_read_side_module():
    assert imported_modules("services") & READ_SIDE == set()
