"""The three packages depend one way: forms <- analysis <- voice_service."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"forms": {"analysis", "voice_service"}, "analysis": {"voice_service"}}


def imported_top_level_packages(path: Path) -> set[str]:
    """Top-level package names a module imports, including imports inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_packages_above_it(package: str) -> None:
    modules = sorted((ROOT / package).rglob("*.py"))
    assert modules, f"{package} has no modules"
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_top_level_packages(path) & FORBIDDEN[package])
        for path in modules
        if imported_top_level_packages(path) & FORBIDDEN[package]
    }
    assert offenders == {}


def test_checker_notices_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from voice_service.settings import Settings\n")
    assert "voice_service" in imported_top_level_packages(module)


def test_forms_and_analysis_import_without_web_or_database_packages() -> None:
    import subprocess
    import sys

    code = (
        "import sys, forms, analysis; "
        "bad = [m for m in ('litestar', 'sqlalchemy', 'voice_service') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
