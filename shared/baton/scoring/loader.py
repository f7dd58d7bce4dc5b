"""Find and load the models: once per container (the scoring function) or per run (`baton backtest`).

Where the models come from, first found wins (`models_dir`, i.e. `baton.settings.models_dir`):

1. the configured directory, else `BATON_MODELS_DIR` (settings field `models_dir`): a directory with the layout
   of `baton.scoring.contracts` (`intent/`, `sentiment/`, `encoder/`, each with its `manifest.json`);
2. `/opt/models`: the Lambda model layer;
3. else ModelsNotFound naming BATON_MODELS_DIR. A checkout's tools (`./dev`, `baton`, the tests, the benches)
   export the checkout's `layers/models/` as BATON_MODELS_DIR; the runtime never guesses a checkout.

`--models DIR` of `baton backtest` (a `baton train` output) replaces the models it holds, kind by kind;
the others stay the default ones. A model that reads the encoder's outputs records the encoder version it was
trained on; loading it beside another encoder fails with a message saying what to retrain. DIR may hold `<kind>/manifest.json` for several kinds, or be one model's
directory itself (`DIR/manifest.json`).

Each kind's module (`MODULES`: `baton.scoring.intent`, `.sentiment`, `.encoder`, `.triggers`, `.handover`) is imported only
here, when the models load: onnxruntime, numpy and tokenizers come with them, never with `import baton.scoring`.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from baton.errors import BatonError, ModelsNotFound
from baton.scoring.scorer import ComplexityFn, Models
from baton.settings import models_dir

KINDS = ("intent", "sentiment", "encoder")
OPTIONAL_KINDS = ("triggers", "handover")
"""Loaded when their directory is there (a models dir without `triggers/` scores without trigger probabilities,
one without `handover/` without `needs_person`)."""
MODULES = {
    "intent": "baton.scoring.intent",
    "sentiment": "baton.scoring.sentiment",
    "encoder": "baton.scoring.encoder",
    "triggers": "baton.scoring.triggers",
    "handover": "baton.scoring.handover",
}
"""The module that loads each kind (`module.load(path)`), named in full so the layer build's import check sees it."""
MANIFEST = "manifest.json"


class ModelLoadError(BatonError):
    """A model directory is there but cannot be loaded (the message names the directory and why)."""


def model_dirs(root: Path, override: Path | None = None) -> dict[str, Path]:
    """The directory of each kind: the override's when it holds that kind, else `root/<kind>`.

    Raises ModelsNotFound naming the first missing directory or manifest.
    """
    replaced = _kinds_in(override) if override is not None else {}
    dirs: dict[str, Path] = {}
    for kind in KINDS:
        path = replaced.get(kind, root / kind)
        if not (path / MANIFEST).is_file():
            where = "directory" if not path.is_dir() else "manifest"
            raise ModelsNotFound(
                f"no {kind} model: {path / MANIFEST} is missing ({where} not found). "
                f"Set BATON_MODELS_DIR to a directory holding {', '.join(f'{k}/' for k in KINDS)} "
                f"(see baton.scoring.contracts), or train one with `baton train {kind} --out DIR`"
            )
        dirs[kind] = path
    for kind in OPTIONAL_KINDS:
        path = replaced.get(kind, root / kind)
        if (path / MANIFEST).is_file():
            dirs[kind] = path
    return dirs


def _kinds_in(override: Path) -> dict[str, Path]:
    if not override.is_dir():
        raise ModelsNotFound(f"--models {override}: no such directory")
    found = {
        kind: override / kind for kind in (*KINDS, *OPTIONAL_KINDS) if (override / kind / MANIFEST).is_file()
    }
    if (override / MANIFEST).is_file():
        kind = read_manifest(override).get("kind")
        if kind in KINDS or kind in OPTIONAL_KINDS:
            found[str(kind)] = override
    if not found:
        raise ModelsNotFound(
            f"--models {override}: holds no model (expected "
            f"{', '.join(f'<dir>/{k}/{MANIFEST}' for k in KINDS)} or <dir>/{MANIFEST}, "
            "as `baton train ... --out DIR` writes)"
        )
    return found


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelsNotFound(f"{path / MANIFEST} is missing") from None
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"{path / MANIFEST} is not readable JSON: {exc}") from None
    if not isinstance(manifest, dict):
        raise ModelLoadError(f"{path / MANIFEST} is not a JSON object")
    return manifest


def load_models(
    root: Path | None = None, override: Path | None = None, *, without: tuple[str, ...] = ()
) -> Models:
    """Every model the scorer needs, from `root` (default: `models_dir()`) and the `override` directory;
    optional kinds named in `without` are not loaded (training a model on the others' scores)."""
    dirs = {
        kind: path
        for kind, path in model_dirs(root if root is not None else models_dir(), override).items()
        if not (kind in without and kind in OPTIONAL_KINDS)
    }
    loaded = {kind: _load(kind, path) for kind, path in dirs.items()}
    threshold = read_manifest(dirs["encoder"]).get("rephrase_threshold")
    if not isinstance(threshold, int | float):
        raise ModelLoadError(f"{dirs['encoder'] / MANIFEST} has no numeric `rephrase_threshold`")
    encoder_version = loaded["encoder"].version
    for kind in ("intent", "sentiment", *(k for k in OPTIONAL_KINDS if k in loaded)):
        wants = getattr(loaded[kind], "encoder_version", None)
        if wants is not None and wants != encoder_version:
            raise ModelLoadError(
                f"{kind} model in {dirs[kind]} ({loaded[kind].version}) was trained on the embeddings of encoder "
                f"{wants}, but the encoder in {dirs['encoder']} is {encoder_version}: retrain it with "
                f"`baton train {kind} --encoder {dirs['encoder']}` or use the encoder it was trained with"
            )
    check = getattr(loaded["sentiment"], "check_encoder", None)
    if check is not None:
        try:
            check(
                loaded["encoder"]
            )  # the hidden states it reads: same model file and layer, not just version
        except ValueError as exc:
            raise ModelLoadError(f"sentiment model in {dirs['sentiment']}: {exc}") from None
    return Models(
        intent=loaded["intent"],
        sentiment=loaded["sentiment"],
        encoder=loaded["encoder"],
        rephrase_threshold=float(threshold),
        complexity=_complexity(),
        triggers=loaded.get("triggers"),
        handover=loaded.get("handover"),
    )


def _load(kind: str, path: Path) -> Any:
    module = importlib.import_module(MODULES[kind])
    try:
        return module.load(path)
    except BatonError:
        raise
    except FileNotFoundError as exc:
        raise ModelsNotFound(f"{kind} model in {path}: {exc.filename or exc} is missing") from exc
    except Exception as exc:  # a corrupt file, a manifest of another kind: say which model and why
        raise ModelLoadError(f"{kind} model in {path} cannot be loaded: {exc}") from exc


def _complexity() -> ComplexityFn:
    from baton.scoring import complexity

    return complexity.complexity
