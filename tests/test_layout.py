"""The package layout is the pipeline: a stage package never imports a later stage.

Read from the source with `ast` (imports inside functions count too), so a lazy import that
breaks the order is found as well as a top-level one. The order is the one
`docs/architecture.md` draws.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Packages and top-level modules of `sld`, earliest first: a unit imports only units before it.
ORDER: list[str] = [
    # what every stage shares: the few types that cross package boundaries
    "sld",
    "sld.settings",
    "sld.geometry",
    "sld.document",
    "sld.detections",
    "sld.registry",
    # tools beside the stages: scoring, synthetic drawings, the Rex-Omni client
    "sld.evaluate",
    "sld.synth",
    "sld.rexomni",
    # the stages, in the order the data goes through them
    "sld.pages",
    "sld.text",
    "sld.symbols",
    "sld.connectivity",
    "sld.store",
    # the sequence of stages, and what is built on results
    "sld.stages",
    "sld.pipeline",
    # what a person looks at: the review page, which the drop folder writes before moving on
    "sld.review",
    # the drop folder: claims, leases and the lifecycle of a file, around the pipeline
    "sld.inbox",
    "sld.refresh",
    "sld.training",
    "sld.cli",
    "sld.__main__",
]
RANK = {unit: rank for rank, unit in enumerate(ORDER)}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, by absolute name (`from sld import x` gives `sld.x`)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _unit(module: str) -> str | None:
    """The layout unit a module belongs to: `sld.text.engines.rapid` -> `sld.text`."""
    parts = module.split(".")
    if parts[0] != "sld":
        return None
    candidate = ".".join(parts[:2]) if len(parts) > 1 else "sld"
    return candidate if candidate in RANK else None


def _sld_modules() -> dict[str, set[str]]:
    return {_module_name(path): _imports(path) for path in sorted((ROOT / "sld").rglob("*.py"))}


def test_every_package_and_module_has_a_place_in_the_order() -> None:
    units = {_module_name(path) for path in (ROOT / "sld").glob("*.py")}
    units |= {_module_name(path) for path in (ROOT / "sld").glob("*/__init__.py")}
    missing = sorted(units - set(RANK))
    assert not missing, f"add these to ORDER in tests/test_layout.py: {missing}"


def test_no_stage_imports_a_later_stage() -> None:
    wrong = []
    for module, imported in _sld_modules().items():
        here = _unit(module)
        assert here is not None, module
        for target in imported:
            there = _unit(target)
            if there is None or there == here:
                continue
            if RANK[there] >= RANK[here]:
                wrong.append(f"{module} imports {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_cycle_between_packages() -> None:
    graph = nx.DiGraph()
    for module, imported in _sld_modules().items():
        for target in imported:
            here, there = _unit(module), _unit(target)
            if here and there and here != there:
                graph.add_edge(here, there)
    assert list(nx.simple_cycles(graph)) == []


@pytest.mark.parametrize("forbidden", ["prefect", "pipelines", "benchmarks", "tests"])
def test_the_library_never_imports_the_layers_around_it(forbidden: str) -> None:
    """Prefect wraps the library, harnesses and tests use it; none of them is inside it.

    The one exception is the command line, which starts the Prefect flow of `pipelines/` for
    `sld digitise --engine prefect`; it never imports Prefect itself.
    """
    offenders = [
        module
        for module, imported in _sld_modules().items()
        if any(name == forbidden or name.startswith(f"{forbidden}.") for name in imported)
        and not (forbidden == "pipelines" and _unit(module) == "sld.cli")
    ]
    assert offenders == []
