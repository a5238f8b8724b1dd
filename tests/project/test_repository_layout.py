"""The repository's shape: no import cycle anywhere, and the layout map in the docs is the tree."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

from tests.harness import ROOT

SOURCE_ROOTS = {"components": ROOT / "components", "policy": ROOT / "policy", "": ROOT}
"""Where import names start: the package lives under components/, the policy module under policy/."""
LAYOUT_DOC = ROOT / "docs" / "real-engine.md"


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return [ROOT / line for line in listed.splitlines() if (ROOT / line).exists()]


def module_name(path: Path) -> str | None:
    """The import name of a project file, or None for an entry point that nothing imports (a `__main__.py`)."""
    for prefix in ("components", "policy"):
        if path.is_relative_to(SOURCE_ROOTS[prefix]):
            relative = path.relative_to(SOURCE_ROOTS[prefix])
            break
    else:
        relative = path.relative_to(ROOT)
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__main__" or not all(part.isidentifier() for part in parts):
        return None
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, name: str, modules: set[str]) -> set[str]:
    """Project modules a file imports anywhere in it (function-level imports too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            names = {f"{target}.{alias.name}" for alias in node.names}
            found |= {candidate if candidate in modules else target for candidate in names}
    return {module for module in found if module in modules and module != name}


def import_cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), in the project's own import graph."""
    files = {name: path for path in tracked_files() if path.suffix == ".py" and (name := module_name(path))}
    graph = {name: imported(path, name, set(files)) for name, path in files.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def test_no_module_of_the_project_takes_part_in_an_import_cycle() -> None:
    assert import_cycles() == []


def layout_map() -> dict[str, str]:
    """Folder -> its line, from the tree in the docs' "Layout" section."""
    section = LAYOUT_DOC.read_text().split("## Layout", 1)[1].split("```", 2)[1]
    folders: dict[str, str] = {}
    parents: list[str] = []
    for line in section.splitlines()[1:]:
        if not line.strip():
            continue
        depth = (len(line) - len(line.lstrip())) // 2
        name, _, what = line.strip().partition(" ")
        parents[depth:] = [name.rstrip("/")]
        folders["/".join(parents)] = what.strip()
    return folders


def expected_folders() -> set[str]:
    """Every top-level folder, and every folder that holds Python (a package, tests, scripts of a kind)."""
    folders = set()
    for path in tracked_files():
        relative = path.relative_to(ROOT)
        if len(relative.parts) > 1:
            folders.add(relative.parts[0])
        if path.suffix == ".py":
            folders |= {"/".join(relative.parts[:depth]) for depth in range(1, len(relative.parts))}
    return folders


def test_the_layout_map_in_the_docs_is_the_tree_and_says_what_each_folder_holds() -> None:
    mapped = layout_map()
    assert sorted(mapped) == sorted(expected_folders())
    assert all(mapped.values()), [folder for folder, what in mapped.items() if not what]
