"""Which module may import which: the write path never reads through the read side's code, and
views share helpers through public modules, never through each other."""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "determinations"
READ_SIDE = {"presenters", "selectors", "exports", "facets", "search", "stats", "api", "feeds"}
VIEWS = {"views", "views_analysis", "views_guidelines", "api", "feeds", "admin_views"}


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


def private_names_used(name: str) -> set[str]:
    """Names starting with "_" that ``<name>.py`` takes from the app's other modules."""
    tree = ast.parse((APP / f"{name}.py").read_text())
    modules, found = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            for alias in node.names:
                if node.module is None:
                    modules.add(alias.asname or alias.name)
                elif alias.name.startswith("_"):
                    found.add(f"{node.module}.{alias.name}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
        ):
            found.add(f"{node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_views_import_no_other_view_and_no_private_helper(view):
    assert imported_modules(view) & (VIEWS - {view}) == set()
    assert private_names_used(view) == set()
