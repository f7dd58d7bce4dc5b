"""Build the Lambda layers without Docker: arm64 wheels for CPython 3.13, fetched with pip's cross-platform flags.

    .venv/bin/python layers/build.py            # build what is missing or stale, print the sizes
    .venv/bin/python layers/build.py --force    # rebuild the dependency layers even if their stamps match

Layers (each directory is a layer asset: its content is unzipped under /opt on Lambda):

- ``layers/build/deps/``   ``python/`` = the packages of ``layers/requirements.txt``. Rebuilt only when the
  requirements or the pip arguments change (a stamp holds their hash). Byte-compiled with unchecked-hash pycs:
  /opt is read-only on Lambda, so without them every cold start would compile powertools and pydantic again.
- ``layers/build/baton/``  ``python/baton/`` = a copy of ``shared/baton`` without caches. Rebuilt on every call
  (a copy; CDK's asset hash decides whether anything is deployed).
- ``layers/build/models/`` ``models/`` = the files of ``layers/models/`` and ``python/`` = the packages of
  ``layers/requirements-models.txt``; built only when ``layers/models/`` holds at least one model file. An empty
  model layer is never built, so it is never deployed.

``infra/app.py`` calls :func:`build_all` before synth; ``-c bundling=placeholder`` skips all of this for tests.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import py_compile
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

LAYERS_DIR = Path(__file__).resolve().parent
ROOT = LAYERS_DIR.parent
BUILD_DIR = LAYERS_DIR / "build"
BATON_SOURCE = ROOT / "shared" / "baton"
MODELS_SOURCE = LAYERS_DIR / "models"
REQUIREMENTS = LAYERS_DIR / "requirements.txt"
MODEL_REQUIREMENTS = LAYERS_DIR / "requirements-models.txt"
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
        *PIP_PLATFORM_ARGS, "--target", str(target), "-r", str(requirements),
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
    digest = _hash(
        requirements.read_text(),
        no_deps.read_text() if no_deps else "",
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
    """The shared code layer: ``shared/baton`` as ``/opt/python/baton``."""
    if not (BATON_SOURCE / "__init__.py").is_file():
        raise LayerBuildError(f"{BATON_SOURCE} is not the baton package (no __init__.py)")
    layer_dir = BUILD_DIR / "baton"
    if layer_dir.exists():
        shutil.rmtree(layer_dir)
    shutil.copytree(
        BATON_SOURCE, layer_dir / "python" / "baton", ignore=shutil.ignore_patterns(*CACHE_PATTERNS)
    )
    return layer_dir


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
