"""The layer rules of ../shared/DESIGN.md, checked on the source: imports point down only, and the
pure core (protocol, clinical, design, trial) does no I/O, reads no clock and uses no global
randomness."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "dartnk"

MAY_IMPORT = {
    "protocol": {"protocol", "errors"},
    "clinical": {"clinical", "protocol", "errors"},
    "design": {"design", "protocol", "errors"},
    "trial": {"trial", "design", "clinical", "protocol", "errors"},
    "sim": {"sim", "trial", "design", "clinical", "protocol", "errors", "analysis"},
    "store": {"store", "protocol", "errors"},
    "analysis": {"analysis", "protocol", "clinical", "design", "errors"},
    # export reads the database into the same TrialData snapshot the reports use (one reading of
    # the store for both), so it may import analysis.report_data besides store and clinical
    "export": {"export", "store", "clinical", "protocol", "analysis", "errors"},
}
PURE = ("protocol", "clinical", "design", "trial")
IMPURE_MODULES = {"sqlite3", "sqlalchemy", "socket", "subprocess", "requests", "httpx", "urllib", "random",
                  "fastapi", "shutil", "tempfile"}
IMPURE_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time"),
                ("time", "perf_counter"), ("random", "seed"), ("np.random", "seed"), ("np.random", "rand"),
                ("np.random", "random"), ("np.random", "randint"), ("np.random", "normal"), ("os", "environ")}


def _modules(package: str):
    for path in sorted((SRC / package).rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _dartnk_imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dartnk."):
            yield node.lineno, node.module.split(".")[1]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("dartnk."):
                    yield node.lineno, alias.name.split(".")[1]


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_imports_point_down_only(package):
    bad = [f"{p.relative_to(SRC)}:{line} imports dartnk.{target}"
           for p, tree in _modules(package) for line, target in _dartnk_imports(tree)
           if target not in MAY_IMPORT[package]]
    assert not bad, "layer violation(s):\n" + "\n".join(bad)


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


@pytest.mark.parametrize("package", PURE)
def test_the_core_is_pure(package):
    bad = []
    for path, tree in _modules(package):
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                bad += [f"{path.relative_to(SRC)}:{node.lineno} imports {n}" for n in names
                        if n.split(".")[0] in IMPURE_MODULES]
            elif isinstance(node, ast.Attribute):
                owner = _dotted(node.value)
                if (owner.split(".")[-1], node.attr) in IMPURE_CALLS or (owner, node.attr) in IMPURE_CALLS:
                    bad.append(f"{path.relative_to(SRC)}:{node.lineno} uses {owner}.{node.attr}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
                bad.append(f"{path.relative_to(SRC)}:{node.lineno} calls open()")
    assert not bad, "impure code in the core:\n" + "\n".join(bad)
