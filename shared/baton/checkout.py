"""The Baton checkout, for the tools that run from one: the `baton` CLI, `baton local`, the benches, the tests.

A tool (`TOOL_MODULES` in layers/build.py): the Lambda layer does not ship it, and nothing that runs in Lambda
looks for a checkout. The runtime reads models and the default decision parameters from BATON_MODELS_DIR or the
model layer (`baton.settings.models_dir`); the tools find the checkout explicitly and export its models:

1. `BATON_HOME`, when set;
2. else the nearest directory at or above the current one that holds `layers/models/`.

    root = repo_root()            # CheckoutNotFound naming BATON_HOME when there is none
    export_models_dir()           # BATON_MODELS_DIR = <checkout>/layers/models, unless it is set
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from pathlib import Path

from baton.errors import BatonError
from baton.settings import MODELS_DIR_ENV
from baton.settings import models_dir as runtime_models_dir

HOME_ENV = "BATON_HOME"
MODELS = Path("layers") / "models"
"""The checkout's model directory, relative to its root: also what marks a directory as a checkout."""


class CheckoutNotFound(BatonError):
    """No Baton checkout where a tool looked (the message says where, and names BATON_HOME)."""


def find_root(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Path | None:
    """`BATON_HOME`, else the nearest directory at or above `cwd` (default: the current one) holding
    `layers/models/`; None when there is neither."""
    env = os.environ if environ is None else environ
    if env.get(HOME_ENV):
        return Path(env[HOME_ENV]).expanduser().resolve()
    here = (cwd or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / MODELS).is_dir():
            return directory
    return None


def repo_root(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Path:
    """The checkout (`find_root`), or CheckoutNotFound saying how to name one."""
    root = find_root(environ, cwd)
    if root is None:
        raise CheckoutNotFound(
            f"no Baton checkout at or above {(cwd or Path.cwd()).resolve()} (none holds {MODELS}/): run from the "
            f"repository or set {HOME_ENV} to it"
        )
    return root


def models_dir(configured: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The models a tool uses: `configured`, else BATON_MODELS_DIR, else the checkout's `layers/models/`, else
    what the runtime would use (the model layer, or ModelsNotFound naming BATON_MODELS_DIR)."""
    env = os.environ if environ is None else environ
    if configured or env.get(MODELS_DIR_ENV):
        return runtime_models_dir(configured, env)
    root = find_root(env)
    if root is not None and (root / MODELS).is_dir():
        return root / MODELS
    return runtime_models_dir(None, env)


def export_models_dir(environ: MutableMapping[str, str] | None = None) -> Path | None:
    """Set BATON_MODELS_DIR to the checkout's `layers/models/` when it is unset, so the runtime code a tool runs
    (handlers under `baton local`, backtest, the default decision parameters) reads this checkout's models.
    Returns the directory in force (None: unset and no checkout here)."""
    env = os.environ if environ is None else environ
    if env.get(MODELS_DIR_ENV):
        return Path(env[MODELS_DIR_ENV])
    root = find_root(env)
    if root is None or not (root / MODELS).is_dir():
        return None
    env[MODELS_DIR_ENV] = str(root / MODELS)
    return root / MODELS
