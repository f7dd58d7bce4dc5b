"""Build the Lambda layers without Docker: arm64 wheels for CPython 3.13, fetched with pip's cross-platform flags.

    .venv/bin/python layers/build.py            # build what is missing or stale, print the sizes
    .venv/bin/python layers/build.py --force    # rebuild the dependency layers even if their stamps match

Layers (each directory is a layer asset: its content is unzipped under /opt on Lambda):

- ``layers/build/deps/``   ``python/`` = the packages of ``layers/requirements.txt``, at the versions of
  ``constraints.txt`` (the lock file the dev venv is installed from: what is tested is what is shipped). Rebuilt
  only when the requirements, the constraints or the pip arguments change (a stamp holds their hash).
  Byte-compiled with unchecked-hash pycs: /opt is read-only on Lambda, so without them every cold start would
  compile powertools and pydantic again.
- ``layers/build/baton/``  ``python/baton/`` = a copy of ``shared/baton`` without caches and without the tools
  (``TOOL_MODULES``: the CLI, ``baton local``, training, evaluation, fakes), byte-compiled the same way.
  The build fails when a shipped module imports a tool, even lazily inside a function (an AST scan of the
  copy). Rebuilt on every call (a copy; CDK's asset hash decides whether anything is deployed).
- ``layers/build/models/`` ``models/`` = the files of ``layers/models/`` and ``python/`` = the packages of
  ``layers/requirements-models.txt``; built only when ``layers/models/`` holds at least one model file. An empty
  model layer is never built, so it is never deployed.

``infra/app.py`` calls :func:`build_all` before synth; ``-c bundling=placeholder`` skips all of this for tests.
"""

from __future__ import annotations

import argparse
import ast
import compileall
import hashlib
import json
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LAYERS_DIR = Path(__file__).resolve().parent
ROOT = LAYERS_DIR.parent
BUILD_DIR = LAYERS_DIR / "build"
BATON_SOURCE = ROOT / "shared" / "baton"
MODELS_SOURCE = LAYERS_DIR / "models"
REQUIREMENTS = LAYERS_DIR / "requirements.txt"
MODEL_REQUIREMENTS = LAYERS_DIR / "requirements-models.txt"
# The lock file: every package of the dev venv at the version the tests run (`./dev setup` installs from it).
# Each pip install below is constrained by it, and a unit test checks the requirements' pins agree with it.
CONSTRAINTS = ROOT / "constraints.txt"
# Installed with --no-deps: tokenizers declares huggingface_hub (+ hf_xet, httpx, yaml, ~25 MB) for downloading
# from the Hub, which Baton never does: it reads tokenizer.json from the model layer.
MODEL_REQUIREMENTS_NO_DEPS = LAYERS_DIR / "requirements-models-nodeps.txt"
# Parts of the inference runtime that serving never imports (graph optimisers, quantisation, Fortran bindings,
# test suites): ~12 MB of the 250 MB Lambda allows for a function and its layers.
MODEL_LAYER_TRIM = (
    "onnxruntime/transformers",
    "onnxruntime/quantization",
    "onnxruntime/tools",
    "numpy/f2py",
    "numpy/tests",
    "numpy/*/tests",
)

PYTHON_VERSION = "3.13"
# manylinux2014 covers most wheels; some projects (e.g. newer onnxruntime) only publish manylinux_2_28.
# Amazon Linux 2023 (the python3.13 runtime) has glibc 2.34, so both are safe.
PIP_PLATFORM_ARGS = (
    "--platform", "manylinux2014_aarch64",
    "--platform", "manylinux_2_28_aarch64",
    "--only-binary=:all:",
    "--python-version", PYTHON_VERSION,
    "--implementation", "cp",
)  # fmt: skip
# Shipped by the Lambda runtime; a second copy in a layer would shadow it and bloat every function.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer"})
# Files in the models directory that are documentation, not models.
NOT_MODELS = frozenset({"README.md", ".gitkeep"})
CACHE_PATTERNS = ("__pycache__", "*.pyc", "*.pyo")
# Where the code layer's package sits on Lambda: the file names its pycs carry (tracebacks), whatever the build dir.
LAMBDA_PYTHON_DIR = "/opt/python"

TOOL_MODULES = (
    "baton.checkout",
    "baton.cli",
    "baton.context.importer",
    "baton.decision.compare",
    "baton.decision.evaluation",
    "baton.decision.metrics",
    "baton.decision.outcomes",
    "baton.decision.promotion",
    "baton.decision.triggers_eval",
    "baton.insights.report",
    "baton.local",
    "baton.operations",
    "baton.schemas",
    "baton.scoring.backtest_s3",
    "baton.scoring.evaluation",
    "baton.scoring.fakes",
    "baton.training",
)
"""The modules (and packages) of ``baton`` that only tools use, never a Lambda handler: the checkout finder, the
CLI (and `baton schemas`), `baton context import`, the decision and trigger evaluations and their metrics, the
outcome files and the champion/challenger comparison with its statistics, the KPI report (`baton report`), the
local runtime, the deployed backtest's launcher (`baton backtest --s3`), the operators' commands against a deployed
stage (`baton.operations`: `baton dlq --stage`, the parameters' rollback), the scoring evaluation and fakes, training.
The code layer does not ship them, and no shipped module may import one (:func:`check_shipped`). `baton backtest`
itself is shipped: the deployed backtest's chunk function runs its scoring (`baton.scoring.backtest_chunk`)."""

NOT_SHIPPED_DATA = ("console",)
"""Directories of ``baton`` that hold no code: the support lead's console (static files that `baton local` serves;
deployed, a static site). The code layer does not ship them."""


class LayerBuildError(RuntimeError):
    """A layer could not be built; the message says which and why."""


@dataclass(frozen=True)
class LayerDirs:
    """The asset directory of each layer (``models`` is None when there is no model to ship)."""

    deps: Path
    baton: Path
    models: Path | None


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _stamp_path(name: str) -> Path:
    # Outside the asset directory, so the stamp is not shipped and does not change the asset hash.
    return BUILD_DIR / f".{name}.stamp"


def _pip_install(requirements: Path, target: Path, *, no_deps: bool = False) -> None:
    cmd = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
        *PIP_PLATFORM_ARGS, "--target", str(target), "-r", str(requirements), "-c", str(CONSTRAINTS),
        *(["--no-deps"] if no_deps else []),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise LayerBuildError(
            f"pip could not install {requirements.relative_to(ROOT)} for linux/arm64 CPython {PYTHON_VERSION} "
            f"(it needs PyPI the first time; offline, synth with `-c bundling=placeholder`):\n{tail}"
        )
    shipped = {p.name.split("-")[0].lower() for p in target.glob("*.dist-info")}
    if clash := shipped & RUNTIME_PROVIDED:
        raise LayerBuildError(
            f"{requirements.relative_to(ROOT)} pulls in {sorted(clash)}, which the Lambda runtime provides; "
            "pin or drop the requirement that brings them in"
        )


def _build_pip_layer(
    name: str,
    requirements: Path,
    layer_dir: Path,
    *,
    force: bool,
    no_deps: Path | None = None,
    trim: tuple[str, ...] = (),
) -> bool:
    """pip-install ``requirements`` (then ``no_deps`` without their dependencies) into ``layer_dir/python``,
    removing the ``trim`` globs; False when the stamp says it is up to date."""
    stamp = _stamp_path(name)
    if not CONSTRAINTS.is_file():
        raise LayerBuildError(
            f"{CONSTRAINTS.relative_to(ROOT)} is missing: the layers are built from the lock file"
        )
    digest = _hash(
        requirements.read_text(),
        no_deps.read_text() if no_deps else "",
        CONSTRAINTS.read_text(),
        json.dumps(trim),
        json.dumps(PIP_PLATFORM_ARGS),
        sys.version.split()[0],
    )
    if not force and stamp.is_file() and stamp.read_text() == digest and (layer_dir / "python").is_dir():
        return False
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    # Install into a scratch directory and swap it in, so a failed build never leaves a half layer behind a
    # stamp that says it is fine.
    with tempfile.TemporaryDirectory(dir=BUILD_DIR, prefix=f".{name}-") as scratch:
        target = Path(scratch) / "python"
        _pip_install(requirements, target)
        if no_deps is not None:
            _pip_install(no_deps, target, no_deps=True)
        for pattern in trim:
            for path in target.glob(pattern):
                shutil.rmtree(path)
        # Console scripts (e.g. jmespath's jp.py) are of no use on /opt/python.
        shutil.rmtree(target / "bin", ignore_errors=True)
        if sys.version_info[:2] == tuple(int(x) for x in PYTHON_VERSION.split(".")):
            # Lambda's /opt is read-only: ship the bytecode, hash-based so zip timestamps cannot invalidate
            # it. Only a 3.13 interpreter writes pycs the 3.13 runtime will load.
            compileall.compile_dir(
                str(target),
                quiet=1,
                workers=0,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )
        stamp.unlink(missing_ok=True)
        if (layer_dir / "python").exists():
            shutil.rmtree(layer_dir / "python")
        layer_dir.mkdir(parents=True, exist_ok=True)
        shutil.move(str(target), layer_dir / "python")
    stamp.write_text(digest)
    return True


def build_deps(*, force: bool = False) -> Path:
    """The dependency layer (``layers/requirements.txt``)."""
    layer_dir = BUILD_DIR / "deps"
    _build_pip_layer("deps", REQUIREMENTS, layer_dir, force=force)
    return layer_dir


def build_baton() -> Path:
    """The shared code layer: ``shared/baton`` without its tools as ``/opt/python/baton``, byte-compiled."""
    layer_dir = BUILD_DIR / "baton"
    if layer_dir.exists():
        shutil.rmtree(layer_dir)
    copy_baton(layer_dir / "python")
    _compile_shipped(layer_dir / "python")
    return layer_dir


def _tool_path(module: str, package_root: Path) -> Path | None:
    """The file or package directory of ``module`` (``baton.x.y``) under ``package_root`` (a ``baton/``)."""
    relative = Path(*module.split(".")[1:])
    for candidate in (package_root / relative.with_suffix(".py"), package_root / relative):
        if candidate.is_file() or (candidate / "__init__.py").is_file():
            return candidate
    return None


def copy_baton(target: Path, source: Path = BATON_SOURCE) -> Path:
    """Copy ``source`` (``shared/baton``) into ``target/baton`` without caches and without ``TOOL_MODULES``,
    then :func:`check_shipped` the copy. Returns the copied package directory."""
    if not (source / "__init__.py").is_file():
        raise LayerBuildError(f"{source} is not the baton package (no __init__.py)")
    tools: dict[Path, str] = {}
    for module in TOOL_MODULES:
        path = _tool_path(module, source)
        if path is None:
            raise LayerBuildError(
                f"TOOL_MODULES names {module}, which is not in {source}: drop it from layers/build.py"
            )
        tools[path.resolve()] = module
    caches = shutil.ignore_patterns(*CACHE_PATTERNS)

    def ignore(directory: str, names: list[str]) -> set[str]:
        here = Path(directory)
        data = set(NOT_SHIPPED_DATA) if here.resolve() == source.resolve() else set()
        skipped = {n for n in names if (here / n).resolve() in tools or n in data}
        return set(caches(directory, names)) | skipped

    package = target / "baton"
    if package.exists():
        shutil.rmtree(package)
    shutil.copytree(source, package, ignore=ignore)
    check_shipped(package)
    return package


def _module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_import_call(node: ast.Call) -> bool:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name in ("import_module", "__import__")


def imported_modules(path: Path, module: str) -> Iterator[tuple[int, str, bool]]:
    """(line, dotted name, must be a module) for every import in the file: ``import``, ``from ... import``
    (relative ones resolved; each imported name may be a submodule), and ``importlib.import_module`` /
    ``__import__`` of a constant string, wherever they are (inside functions, under ``if TYPE_CHECKING``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, True
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            yield node.lineno, base, True
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}", False
        elif (
            isinstance(node, ast.Call)
            and _is_import_call(node)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value, True


def check_shipped(package: Path) -> None:
    """Fail when a module of the shipped ``package`` imports a tool (``TOOL_MODULES``) or a ``baton`` module
    the layer does not hold: on Lambda that import would fail, at best on the first request that runs it."""
    shipped = {_module_name(p, package) for p in package.rglob("*.py")}
    problems = []
    for path in sorted(package.rglob("*.py")):
        where = path.relative_to(package.parent)
        for line, name, must_exist in imported_modules(path, _module_name(path, package)):
            if name != "baton" and not name.startswith("baton."):
                continue
            tool = next((t for t in TOOL_MODULES if name == t or name.startswith(t + ".")), None)
            if tool is not None:
                problems.append(f"{where}:{line} imports {name}, a tool ({tool})")
            elif must_exist and name not in shipped:
                problems.append(f"{where}:{line} imports {name}, which the layer does not hold")
    if problems:
        raise LayerBuildError(
            "the code layer would ship imports of what it does not ship (TOOL_MODULES in layers/build.py: "
            "move what a function needs out of the tool, or import it only from tools):\n  "
            + "\n  ".join(problems)
        )


def _compile_shipped(python_dir: Path) -> None:
    """Unchecked-hash pycs for the code layer, as for the dependency layer, named as on Lambda (/opt/python)
    and built with a fixed hash seed (set constants compile in hash order): the same source gives the same
    bytes, so CDK's asset hash changes only with the code."""
    if sys.version_info[:2] != tuple(int(x) for x in PYTHON_VERSION.split(".")):
        return  # only a 3.13 interpreter writes pycs the 3.13 runtime loads
    cmd = [
        sys.executable, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
        "-s", str(python_dir), "-p", LAMBDA_PYTHON_DIR, str(python_dir),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise LayerBuildError(f"byte-compiling the code layer failed:\n{(proc.stdout + proc.stderr)[-2000:]}")


def model_files(models_dir: Path = MODELS_SOURCE) -> list[Path]:
    """The model files to ship (documentation and caches excluded); empty when there is no model yet."""
    if not models_dir.is_dir():
        return []
    return sorted(
        p
        for p in models_dir.rglob("*")
        if p.is_file() and p.name not in NOT_MODELS and "__pycache__" not in p.parts
    )


def build_models(models_dir: Path = MODELS_SOURCE, *, force: bool = False) -> Path | None:
    """The model layer, or None (and no build directory) when ``models_dir`` holds no model."""
    layer_dir = BUILD_DIR / "models"
    files = model_files(models_dir)
    if not files:
        if layer_dir.exists():
            shutil.rmtree(layer_dir)
        _stamp_path("models").unlink(missing_ok=True)
        return None
    _build_pip_layer(
        "models",
        MODEL_REQUIREMENTS,
        layer_dir,
        force=force,
        no_deps=MODEL_REQUIREMENTS_NO_DEPS,
        trim=MODEL_LAYER_TRIM,
    )
    target = layer_dir / "models"
    if target.exists():
        shutil.rmtree(target)
    for src in files:
        dest = target / src.relative_to(models_dir)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
    return layer_dir


def build_all(*, force: bool = False) -> LayerDirs:
    return LayerDirs(deps=build_deps(force=force), baton=build_baton(), models=build_models(force=force))


def size_mb(path: Path) -> float:
    """Unzipped size, as Lambda counts it against the 250 MB limit."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1_000_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--force", action="store_true", help="rebuild the pip layers even if up to date")
    args = parser.parse_args(argv)
    try:
        dirs = build_all(force=args.force)
    except LayerBuildError as exc:
        print(f"layer build failed: {exc}", file=sys.stderr)
        return 1
    for name, path in (("deps", dirs.deps), ("baton", dirs.baton), ("models", dirs.models)):
        if path is None:
            print(f"{name:7} (not built: {MODELS_SOURCE.relative_to(ROOT)}/ holds no model)")
        else:
            print(f"{name:7} {size_mb(path):7.1f} MB unzipped  {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
