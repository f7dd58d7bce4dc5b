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


def test_a_challenger_named_in_the_context_is_a_second_parameter_the_decide_function_alone_reads(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from infra_synth import synthesize

    from baton.bus import by_name
    from baton.decision.params import DecisionParams, load_default

    challenger = tmp_path_factory.mktemp("challenger") / "challenger.json"
    document = json.loads(load_default().to_json())
    document["version"] = "challenger-1"
    document["thresholds"]["escalate"] = 0.6
    challenger.write_text(json.dumps(document))
    synth = synthesize(
        tmp_path_factory.mktemp("cdk.out"),
        {"challengerParams": str(challenger)},
        subscriptions=(by_name("decide"),),
    )
    assert synth.error is None, synth.error
    parameters = {
        p["Properties"]["Name"]: (pid, p) for stack, pid, p in synth.resources("AWS::SSM::Parameter")
    }
    assert sorted(parameters) == [
        "/baton/dev/decide/decision_challenger_params_name",
        "/baton/dev/decide/decision_params_name",
    ]
    challenger_id, challenger_parameter = parameters["/baton/dev/decide/decision_challenger_params_name"]
    stored = DecisionParams.model_validate(json.loads(challenger_parameter["Properties"]["Value"]))
    assert (stored.version, stored.thresholds.escalate) == ("challenger-1", 0.6)

    (function,) = [
        f["Properties"]
        for stack, _, f in synth.resources("AWS::Lambda::Function")
        if f["Properties"]["Handler"].startswith("functions.decide.")
    ]
    variables = function["Environment"]["Variables"]
    assert Synth.ref_id(variables["BATON_DECISION_CHALLENGER_PARAMS_NAME"]) == challenger_id
    granted = [
        json.dumps(statement["Resource"])
        for _, _, policy in synth.resources("AWS::IAM::Policy")
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if any(a.startswith("ssm:") for a in statement["Action"])
    ]
    assert all(any(pid in resource for resource in granted) for pid, _ in parameters.values())


def test_a_challenger_file_that_is_missing_or_invalid_stops_the_synth(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from infra_synth import synthesize

    from baton.bus import by_name

    broken = tmp_path_factory.mktemp("challenger") / "broken.json"
    broken.write_text(json.dumps({"version": "x"}))
    for path, message in ((broken, "intercept"), (broken.with_name("missing.json"), "missing")):
        with pytest.raises(ValueError, match=message):
            synthesize(
                tmp_path_factory.mktemp("cdk.out"),
                {"challengerParams": str(path)},
                subscriptions=(by_name("decide"),),
            )
