"""The three packages depend one way (forms <- analysis <- voice_service), and so do the domains inside."""

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
    module.write_text("def f():\n    from voice_service.core.settings import Settings\n")
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


SERVICE = ROOT / "voice_service"
DOMAINS = ("surveys", "accounts", "training", "voice", "safeguarding", "impact")
#: The composition root: builds the app from the domains; nothing below it imports it.
COMPOSITION = ("app", "asgi", "cli", "migrations", "access")


def imported_modules(path: Path) -> set[str]:
    """Full dotted names of the voice_service modules a file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.startswith("voice_service."))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("voice_service."):
            names.add(str(node.module))
    return names


def _part(module: str) -> str:
    return module.split(".")[1]


def test_core_imports_no_domain_and_no_composition_module() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if _part(m) in DOMAINS + COMPOSITION)
        for path in sorted((SERVICE / "core").rglob("*.py"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


#: The domains built so far; a planned domain joins the check as soon as its folder exists.
BUILT_DOMAINS = tuple(d for d in DOMAINS if (SERVICE / d).is_dir())


@pytest.mark.parametrize("domain", BUILT_DOMAINS)
def test_domain_imports_core_and_other_domains_services_only(domain: str) -> None:
    folder = SERVICE / domain
    offenders: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        bad = [
            m
            for m in imported_modules(path)
            if _part(m) in COMPOSITION
            # Why: domains talk through service functions; another domain's tables are its own business.
            or (_part(m) in DOMAINS and _part(m) != domain and m.endswith(".tables"))
        ]
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_every_module_lives_in_core_a_domain_or_the_composition_root() -> None:
    top = {p.stem for p in SERVICE.iterdir() if (p.suffix == ".py" or p.is_dir()) and not p.name.startswith("_")}
    assert top - {"core", *DOMAINS, *COMPOSITION, "py"} == set()
