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
