"""The infra tests' shared synthesis: once per session (see infra_synth.py)."""

from __future__ import annotations

import pytest
from infra_synth import FULL_CONTEXT, Synth, synthesize


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(tmp_path_factory.mktemp("cdk.out"), FULL_CONTEXT)
