"""What the stacks ship: a staged code directory per function and the layer directories.

A function's asset is `functions/<folder>/` and nothing else (no tests, no other handlers), laid out as
`functions/__init__.py` + `functions/<folder>/**` so the handler imports as `functions.<folder>.handler`,
exactly as in the repository and in `baton local`. Staging copies files and never imports handler code.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from infra.config import Bundling
from layers import build as layer_build

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
_HANDLER_MODULE = re.compile(r"^functions\.([a-z][a-z0-9_]*)\.handler$")
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".pytest_cache", "tests")


class AssetError(RuntimeError):
    """A function or layer asset cannot be prepared; the message says which and what to do."""


@dataclass(frozen=True)
class FunctionCode:
    asset_dir: Path
    handler: str
    """The Lambda handler string, `functions.<folder>.handler.lambda_handler`."""


class FunctionStager:
    """Stages one asset directory per handler module in a scratch directory removed at exit.

    The scratch directory only has to live until the constructs are built: CDK copies each asset into the
    cloud assembly (`asset.<hash>`) when the `Code` is created.
    """

    def __init__(self, functions_dir: Path = FUNCTIONS_DIR) -> None:
        self.functions_dir = functions_dir
        self._root = Path(tempfile.mkdtemp(prefix="baton-functions-"))
        atexit.register(shutil.rmtree, self._root, True)
        self._staged: dict[str, FunctionCode] = {}

    def stage(self, handler_module: str) -> FunctionCode:
        if handler_module in self._staged:
            return self._staged[handler_module]
        match = _HANDLER_MODULE.match(handler_module)
        if not match:
            raise AssetError(f"handler module must be 'functions.<folder>.handler', got {handler_module!r}")
        folder = match.group(1)
        source = self.functions_dir / folder
        if not (source / "handler.py").is_file():
            raise AssetError(
                f"{handler_module} has no code: expected {source / 'handler.py'} (one folder per Lambda)"
            )
        asset_dir = self._root / folder
        package = asset_dir / "functions"
        shutil.copytree(source, package / folder, ignore=_IGNORE)
        # An empty package marker: the repository's functions/__init__.py (if any) may serve other tools.
        (package / "__init__.py").write_text("")
        code = FunctionCode(asset_dir=asset_dir, handler=f"{handler_module}.lambda_handler")
        self._staged[handler_module] = code
        return code


@dataclass(frozen=True)
class LayerAssets:
    deps: Path
    baton: Path
    models: Path | None
    placeholder: bool = False


def prepare_layers(bundling: Bundling) -> LayerAssets:
    """Build the layers (`real`) or point every layer at an empty placeholder (`placeholder`, tests only)."""
    if bundling == "placeholder":
        placeholder = Path(tempfile.mkdtemp(prefix="baton-layer-placeholder-"))
        atexit.register(shutil.rmtree, placeholder, True)
        (placeholder / "python").mkdir()
        (placeholder / "python" / "PLACEHOLDER").write_text(
            "synthesized with -c bundling=placeholder: do not deploy\n"
        )
        return LayerAssets(deps=placeholder, baton=placeholder, models=placeholder, placeholder=True)
    try:
        dirs = layer_build.build_all()
    except layer_build.LayerBuildError as exc:
        raise AssetError(f"building the Lambda layers failed: {exc}") from exc
    return LayerAssets(deps=dirs.deps, baton=dirs.baton, models=dirs.models)
