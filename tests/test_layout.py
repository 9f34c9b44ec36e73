"""The layout stays true: the core imports no platform and no statistics; a platform app reaches another
only through its public services and selectors; nothing but the apps' ``stats.py`` imports the statistics."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLATFORMS = ["cases", "volunteers", "partybuild", "projects", "orgs", "talent"]
PUBLIC = {"services", "selectors", "permissions"}


def imports_of(app: str):
    """(file, imported module) for every import in an app's code, migrations left out."""
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path.relative_to(ROOT), alias.name
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [f"{node.module}.{a.name}" for a in node.names]
                yield path.relative_to(ROOT), node.module if node.module.count(".") else names[0]
                for name in names[1:]:
                    yield path.relative_to(ROOT), name if "." not in node.module else node.module


def top(module: str) -> str:
    return module.split(".")[0]


def test_the_core_imports_no_platform_and_no_statistics():
    bad = [(str(f), m) for f, m in imports_of("station") if top(m) in {*PLATFORMS, "stats", "config"}]
    assert bad == []


@pytest.mark.parametrize("app", [a for a in PLATFORMS if (ROOT / a).is_dir()])
def test_a_platform_reaches_others_only_through_their_services_and_selectors(app):
    bad = []
    for path, module in imports_of(app):
        parts = module.split(".")
        if parts[0] == "stats" and not (path.name == "stats.py" and module.startswith("stats.registry")):
            bad.append((str(path), module))
        elif parts[0] in PLATFORMS and parts[0] != app and (len(parts) < 2 or parts[1] not in PUBLIC):
            bad.append((str(path), module))
        elif parts[0] == "config":
            bad.append((str(path), module))
    assert bad == []
