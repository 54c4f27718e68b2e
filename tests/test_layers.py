"""The packages' layering (docs/answering.md): question understanding sits below retrieval and answering, and
retrieval imports nothing from answering. Read from the source's imports, so a new import across a layer fails
here before it tangles the packages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "assistant"

# package -> the packages it must not import from
FORBIDDEN = {
    "question": ("assistant.answer", "assistant.retrieval", "assistant.service", "assistant.api", "assistant.bots"),
    "retrieval": ("assistant.answer", "assistant.service", "assistant.api", "assistant.bots"),
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append(node.module)
        elif isinstance(node, ast.Import):
            out += [alias.name for alias in node.names]
    return out


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_lower_layer_imports_nothing_from_a_higher_one(package: str) -> None:
    crossing = [
        f"{path.relative_to(PACKAGE.parent)} imports {module}"
        for path in sorted((PACKAGE / package).rglob("*.py"))
        for module in _imports(path)
        if module.startswith(FORBIDDEN[package])
    ]
    assert crossing == []
