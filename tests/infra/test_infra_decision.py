"""The Decision stack: the decision parameters are an SSM parameter (data, not code) created from the shipped
document, named in the decide function's environment, readable by that function alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from infra_synth import Synth

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]


def test_the_decision_parameters_are_an_ssm_parameter_only_the_decide_function_reads(synth: Synth) -> None:
    (parameter_stack, parameter_id, parameter), *others = synth.resources("AWS::SSM::Parameter")
    assert not others and parameter_stack == "Dev-Decision"
    props = parameter["Properties"]
    assert props["Name"] == "/baton/dev/decide/decision_params_name"
    shipped = json.loads((ROOT / "layers" / "models" / "decision" / "params.json").read_text())
    # The document the function reads, without the provenance block that would push it past 8 KB (the most
    # an SSM parameter holds: CloudFormation would fail the deploy); it fits a standard parameter.
    value = json.loads(props["Value"])
    # The shipped guardrails are the engine's defaults and are left out (`deployable`): read back, the
    # document is the shipped one without its fit block.
    from baton.decision.params import DecisionParams

    read_back = DecisionParams.model_validate(value).model_dump(mode="json", exclude={"fit"})
    assert read_back == DecisionParams.model_validate(shipped).model_dump(mode="json", exclude={"fit"})
    assert len(props["Value"].encode()) <= 4096
    # Standard at this size, advanced if a team's document outgrows 4 KB; a later deploy never has to
    # take an advanced parameter back to standard (which SSM refuses).
    assert props["Tier"] == "Intelligent-Tiering"

    (function,) = [
        f["Properties"]
        for stack, _, f in synth.resources("AWS::Lambda::Function")
        if stack == "Dev-Decision" and f["Properties"]["Handler"].startswith("functions.decide.")
    ]
    assert Synth.ref_id(function["Environment"]["Variables"]["BATON_DECISION_PARAMS_NAME"]) == parameter_id

    readers = []
    for stack, _, policy in synth.resources("AWS::IAM::Policy"):
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if any(a.startswith("ssm:") for a in actions):
                readers.append(
                    (stack, policy["Properties"]["Roles"], sorted(actions), json.dumps(statement["Resource"]))
                )
    assert len(readers) == 1
    stack, _, actions, resource = readers[0]
    assert stack == "Dev-Decision" and all(
        a.startswith("ssm:Get") or a == "ssm:DescribeParameters" for a in actions
    )
    assert parameter_id in resource and "*" not in resource.replace(":*", "")
