"""The package's folders are layers, and imports only point down (docs/architecture.md).

entries -> site -> speed -> plugin, and importers beside them: the data layer (entries,
site) knows nothing of caches, quick builds or mkdocs, so a newcomer can read the core
alone and another generator could reuse it. Every import counts, also one inside a
function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "plugins" / "papershelf"

# What each layer may import from papershelf (besides itself).
MAY_IMPORT = {
    "entries": set(),
    "site": {"entries"},
    "speed": {"entries", "site"},
    "plugin": {"entries", "site", "speed"},
    "importers": {"entries"},
}
# Layers that may import mkdocs (and material): the adapter, and the speed code that
# writes mkdocs pages itself (papershelf.speed.shell_pages, snapshot_recorder).
MAY_IMPORT_MKDOCS = {"plugin", "speed"}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module name) of every import in a file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # `from papershelf import speed` imports a layer by name
            if module == "papershelf":
                found.extend((node.lineno, f"papershelf.{alias.name}") for alias in node.names)
    return found


def layer_of(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else None


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def violations() -> list[str]:
    found = []
    for path in modules():
        layer = layer_of(path)
        if layer is None:
            continue
        allowed = MAY_IMPORT[layer] | {layer}
        for line, module in imported_modules(path):
            shown = f"{path.relative_to(PACKAGE.parent)}:{line}: imports {module}"
            top = module.split(".")[0]
            if top in {"mkdocs", "material"} and layer not in MAY_IMPORT_MKDOCS:
                found.append(f"{shown} (the {layer} layer must not know mkdocs)")
            if top == "papershelf" and module.count(".") >= 1:
                target = module.split(".")[1]
                if target in MAY_IMPORT and target not in allowed:
                    found.append(f"{shown} (the {layer} layer may import {sorted(allowed)})")
    return found


def test_every_module_lives_in_a_layer():
    loose = [p.name for p in modules() if layer_of(p) is None and p.name != "__init__.py"]
    assert loose == []
    assert {p.relative_to(PACKAGE).parts[0] for p in modules() if layer_of(p)} == set(MAY_IMPORT)


def test_imports_only_point_down():
    assert violations() == []


def test_the_data_layer_imports_nothing_from_speed_or_mkdocs():
    for path in modules():
        if layer_of(path) in {"entries", "site"}:
            for _, module in imported_modules(path):
                assert not module.startswith(("papershelf.speed", "papershelf.plugin", "mkdocs"))


@pytest.mark.parametrize(
    ("layer", "source", "complaint"),
    [
        ("entries", "from papershelf.speed.entry_cache import EntryCache\n", "may import"),
        ("site", "def f():\n    from papershelf.plugin import hooks\n", "may import"),
        ("site", "import mkdocs.plugins\n", "must not know mkdocs"),
        ("importers", "from papershelf.site.pages import paper_url\n", "may import"),
    ],
)
def test_the_rule_catches_an_upward_import(tmp_path, monkeypatch, layer, source, complaint):
    fake = tmp_path / "papershelf"
    (fake / layer).mkdir(parents=True)
    (fake / layer / "bad.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.PACKAGE", fake)
    [problem] = violations()
    assert problem.startswith(f"papershelf/{layer}/bad.py:") and complaint in problem


def test_relative_imports_are_resolved_before_the_rule_applies(tmp_path, monkeypatch):
    fake = tmp_path / "papershelf"
    (fake / "entries").mkdir(parents=True)
    (fake / "entries" / "bad.py").write_text("from ..speed import forking\n", encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.PACKAGE", fake)
    assert [p.split(": ", 1)[1] for p in violations()] == [
        "imports papershelf.speed (the entries layer may import ['entries'])"
    ]
