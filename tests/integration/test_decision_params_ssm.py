"""The decision parameters as data: the decide function reads them from the SSM parameter the Decision stack
creates, through Powertools parameters (moto in-process); a team's new document applies once the cache
expires, with no redeploy; a broken one fails loudly, naming the field."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from baton import wiring
from baton.decision.params import InvalidParams, default_path, deployable, load_default
from baton.settings import Settings

pytestmark = pytest.mark.integration

NAME = "/baton/dev/decide/decision_params_name"


@pytest.fixture
def ssm(aws_env) -> boto3.client:
    with mock_aws():
        client = boto3.client("ssm")
        # What the Decision stack writes (and `baton decision params` prints): a standard parameter.
        client.put_parameter(Name=NAME, Type="String", Value=deployable(default_path().read_text()))
        yield client


def test_the_function_reads_the_parameter_and_a_new_document_applies_without_redeploy(ssm) -> None:
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()
    current = wiring.decision_params(Settings(decision_params_name=NAME, decision_params_max_age_s=0))
    assert current().version == load_default().version
    document = json.loads(load_default().to_json())
    document["version"] = "team-thresholds-2"
    document["thresholds"]["escalate"] = 0.9
    ssm.put_parameter(Name=NAME, Type="String", Value=json.dumps(document), Overwrite=True)
    params = current()
    assert (params.version, params.thresholds.escalate) == ("team-thresholds-2", 0.9)


def test_a_broken_document_fails_naming_the_field(ssm) -> None:
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()
    document = json.loads(load_default().to_json())
    document["thresholds"]["escalate"] = 1.5
    ssm.put_parameter(Name=NAME, Type="String", Value=json.dumps(document), Overwrite=True)
    current = wiring.decision_params(Settings(decision_params_name=NAME, decision_params_max_age_s=0))
    with pytest.raises(InvalidParams, match=r"thresholds\.escalate"):
        current()


def test_without_a_parameter_name_the_shipped_document_is_used() -> None:
    assert wiring.decision_params(Settings())() == load_default()


CHALLENGER = "/baton/dev/decide/decision_challenger_params_name"


def test_the_challenger_is_read_like_the_champion_and_a_broken_one_is_validated_once(
    ssm, monkeypatch
) -> None:
    from aws_lambda_powertools.utilities import parameters

    from baton.decision.params import DecisionParams

    parameters.clear_caches()
    document = json.loads(load_default().to_json())
    document["version"] = "challenger-2"
    ssm.put_parameter(Name=CHALLENGER, Type="String", Value=json.dumps(document))
    settings = Settings(decision_challenger_params_name=CHALLENGER, decision_params_max_age_s=0)
    challenger = wiring.decision_challenger_params(settings)
    assert challenger is not None and challenger().version == "challenger-2"

    document["thresholds"]["escalate"] = 1.5
    ssm.put_parameter(Name=CHALLENGER, Type="String", Value=json.dumps(document), Overwrite=True)
    validations = []
    original = DecisionParams.model_validate_json
    monkeypatch.setattr(
        DecisionParams, "model_validate_json", lambda text: validations.append(1) or original(text)
    )
    for _ in range(3):
        with pytest.raises(InvalidParams, match=r"thresholds\.escalate"):
            challenger()
    assert len(validations) == 1  # not once per message
