"""What the Lambda layers ship (layers/build.py): the code layer holds no tool, what it holds imports no tool, and
every handler imports from it alone; the dependency layers' pins are the lock file's."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from layers import build

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = sorted(p.parent.name for p in (ROOT / "functions").glob("*/handler.py"))


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The code layer's `python/` directory, as the build copies it (no pip, no network)."""
    python_dir = tmp_path_factory.mktemp("layer") / "python"
    build.copy_baton(python_dir)
    return python_dir


def test_the_code_layer_ships_no_tool(shipped: Path) -> None:
    for module in build.TOOL_MODULES:
        assert build._tool_path(module, build.BATON_SOURCE) is not None, f"{module} is not in shared/baton"
        assert build._tool_path(module, shipped / "baton") is None, f"{module} is shipped"
    assert not list(shipped.rglob("__pycache__"))
    # Everything else is: the copy is the package minus the tools.
    assert (shipped / "baton" / "ingestion" / "api.py").is_file()
    assert (shipped / "baton" / "scoring" / "loader.py").is_file()
    # Nor the console's static files (`baton local` serves them; no function reads them).
    for data in build.NOT_SHIPPED_DATA:
        assert (build.BATON_SOURCE / data).is_dir() and not (shipped / "baton" / data).exists()


def test_every_handler_imports_from_the_code_layer_alone(shipped: Path) -> None:
    # A fresh interpreter whose path is the layer, the repository root (for `functions`) and site-packages: not
    # the checkout's shared/ (no site: the editable install's .pth is never read).
    paths = [str(shipped), str(ROOT), *{sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}]
    code = f"""
import importlib, json, pkgutil, sys
sys.path[:0] = {paths!r}
import baton
assert baton.__file__.startswith({str(shipped)!r}), baton.__file__
for name in {HANDLERS!r}:
    importlib.import_module(f"functions.{{name}}.handler")
# Every shipped module imports too, with only what the layers hold beside it.
for info in pkgutil.walk_packages(baton.__path__, "baton."):
    importlib.import_module(info.name)
outside = sorted(
    name for name, module in sys.modules.items()
    if name.startswith("baton") and not (getattr(module, "__file__", "") or "").startswith({str(shipped)!r})
)
print(json.dumps(outside))
"""
    env = {
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code], cwd=shipped, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.splitlines()[-1]) == []


def _package(root: Path, files: dict[str, str]) -> Path:
    package = root / "baton"
    for relative, text in {"__init__.py": "", **files}.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return package


@pytest.mark.parametrize(
    "source",
    [
        "def run():\n    from baton.local.bus import LocalBusPublisher\n",  # lazy, inside a function
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from baton.cli import main\n",
        "from baton import cli\n",
        "import baton.training.intent\n",
        "import importlib\n\ndef run():\n    return importlib.import_module('baton.scoring.evaluation')\n",
        "from .scoring import fakes\n",
    ],
)
def test_the_build_fails_when_a_shipped_module_imports_a_tool(tmp_path: Path, source: str) -> None:
    package = _package(tmp_path, {"wiring.py": source, "scoring/__init__.py": ""})

    with pytest.raises(build.LayerBuildError, match=r"baton/wiring\.py:\d+ imports baton\.\S+, a tool"):
        build.check_shipped(package)


def test_the_build_fails_when_a_shipped_module_imports_what_is_not_shipped(tmp_path: Path) -> None:
    package = _package(tmp_path, {"api.py": "def f():\n    from baton.nowhere import x\n", "models.py": ""})

    with pytest.raises(build.LayerBuildError, match=r"api\.py:2 imports baton\.nowhere, which the layer"):
        build.check_shipped(package)
    ok = {"api.py": "from baton.models import x\nfrom baton import y\n", "models.py": ""}
    build.check_shipped(_package(tmp_path / "ok", ok))


# -- the lock file ----------------------------------------------------------------------------------------------


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        requirement = line.split("#", 1)[0].strip().rstrip("\\").strip()
        if not requirement or requirement.startswith("-"):
            continue
        found = re.fullmatch(r"([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;]+)(?:\s*;.*)?", requirement)
        assert found, f"{path.name}: {line!r} is not pinned with =="
        pins[re.sub(r"[-_.]+", "-", found.group(1)).lower()] = found.group(2)
    return pins


def test_the_layer_requirements_pin_the_lock_files_versions() -> None:
    locked = _pins(build.CONSTRAINTS)
    for requirements in sorted(build.LAYERS_DIR.glob("requirements*.txt")):
        for name, version in _pins(requirements).items():
            assert name in locked, f"{requirements.name}: {name} is not in constraints.txt"
            assert version == locked[name], (
                f"{requirements.name} pins {name}=={version}, constraints.txt {locked[name]}: "
                "what is tested must be what is shipped"
            )


def test_the_lock_file_pins_what_the_project_declares() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [
        *project["dependencies"],
        *(d for extra in project["optional-dependencies"].values() for d in extra),
    ]
    locked = _pins(build.CONSTRAINTS)
    for requirement in declared:
        found = re.match(r"[A-Za-z0-9._-]+", requirement)
        assert found, requirement
        name = re.sub(r"[-_.]+", "-", found.group(0)).lower()
        if name != "baton":  # the project's own extras
            assert name in locked, (
                f"pyproject.toml declares {requirement!r}; constraints.txt has no pin for it"
            )
