"""`<Stage>-<Capability>`: one generic stack per capability, built from its `baton.bus.Subscription`s.

Each capability stack has its own layers, queues, DLQs and functions, so `cdk deploy Dev-Scoring` deploys and
scales Scoring alone. The Ingestion stack also carries the HTTP API, and the Feedback stack the events lake
(`infra.constructs.lake`: every Baton event in S3, the Athena table over it) and the deployed backtest over it
(`infra.constructs.backtest`: Step Functions Distributed Map, with the model layer). Nothing here is
capability-specific beyond that: a subscription flipped to `implemented=True` gets its stack with no new infra
code.

Outputs: `Consumer<Name>` per consumer (`ConsumerScore`), a JSON object naming its queue, DLQ and target DLQ (URL
and ARN of each), its function and its log group: what `baton dlq ... --stage` reads to find a deployed stage's
dead letters (`baton.operations.dlq.ConsumerQueues`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from baton.bus import Subscription
from baton.operations.dlq import CONSUMER_FIELDS, CONSUMER_OUTPUT_PREFIX
from infra.assets import AssetError, FunctionStager, LayerAssets
from infra.constructs.alarms import consumer_metric_alarms
from infra.constructs.api import HANDLER_MODULE as API_HANDLER_MODULE
from infra.constructs.api import IngestionApi
from infra.constructs.backtest import HANDLER_MODULE as BACKTEST_HANDLER_MODULE
from infra.constructs.backtest import DeployedBacktest
from infra.constructs.consumer import Consumer
from infra.constructs.function import ARCHITECTURE, RUNTIME
from infra.constructs.lake import EventsLake
from infra.stacks.core import CoreStack, pascal

API_CAPABILITY = "Ingestion"
EVENTS_LAKE_CAPABILITY = "Feedback"


class CapabilityStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        capability: str,
        subscriptions: Sequence[Subscription],
        core: CoreStack,
        layer_assets: LayerAssets,
        stager: FunctionStager,
        with_api: bool = False,
        with_events_lake: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope, construct_id, description=f"Baton {capability}: consumers of the Baton bus", **kwargs
        )
        self.capability = capability
        self.add_stack_dependency(
            core, "the bus, tables, keys, secrets and alarm topic live in the core stack"
        )

        deps = self._layer(
            "DependenciesLayer", layer_assets.deps, "Baton runtime dependencies (powertools, pydantic)"
        )
        baton = self._layer("BatonLayer", layer_assets.baton, "The baton package (shared/baton)")
        base_layers = [deps, baton]
        model_users = [sub.name for sub in subscriptions if sub.uses_models]
        if with_events_lake:
            model_users.append("the deployed backtest")
        model_layers: list[lambda_.ILayerVersion] = []
        if model_users:
            if layer_assets.models is None:
                raise AssetError(
                    f"{', '.join(model_users)} (uses_models=True) needs the model layer, but layers/models/ holds no "
                    "model: add the model files there (layers/build.py builds the layer) before marking it implemented"
                )
            model_layers = [
                self._layer("ModelLayer", layer_assets.models, "Baton models and inference runtime")
            ]

        self.consumers = {
            sub.name: Consumer(
                self,
                pascal(sub.name),
                subscription=sub,
                core=core,
                code=stager.stage(sub.handler),
                layers=base_layers + (model_layers if sub.uses_models else []),
            )
            for sub in subscriptions
        }
        for sub in subscriptions:
            # Beside the consumer's own alarms (DLQs, errors, backlog): the metrics its code emits.
            consumer_metric_alarms(self.consumers[sub.name], sub, core.alarm_topic)
            self._consumer_output(sub.name, self.consumers[sub.name])
        self.api = (
            IngestionApi(self, "Api", core=core, code=stager.stage(API_HANDLER_MODULE), layers=base_layers)
            if with_api
            else None
        )
        self.events_lake = EventsLake(self, "EventsLake", core=core) if with_events_lake else None
        self.backtest = (
            DeployedBacktest(
                self,
                "Backtest",
                core=core,
                lake=self.events_lake,
                code=stager.stage(BACKTEST_HANDLER_MODULE),
                layers=base_layers + model_layers,
            )
            if self.events_lake is not None
            else None
        )

    def _consumer_output(self, name: str, consumer: Consumer) -> CfnOutput:
        """`Consumer<Name>`: the consumer's queues, function and log group, as `baton dlq --stage` reads them."""
        value = {
            "consumer": name,
            "queue_url": consumer.queue.queue_url,
            "queue_arn": consumer.queue.queue_arn,
            "dlq_url": consumer.dlq.queue_url,
            "dlq_arn": consumer.dlq.queue_arn,
            "target_dlq_url": consumer.target_dlq.queue_url,
            "target_dlq_arn": consumer.target_dlq.queue_arn,
            "function": consumer.handler.function.function_name,
            "log_group": consumer.handler.log_group.log_group_name,
        }
        if set(value) != set(CONSUMER_FIELDS):  # the CLI reads exactly these keys
            raise ValueError(
                f"Consumer output keys {sorted(value)} != baton.operations.dlq's {CONSUMER_FIELDS}"
            )
        key = CONSUMER_OUTPUT_PREFIX + pascal(name)
        output = CfnOutput(
            self,
            key,
            value=self.to_json_string(value),
            description=f"{name}: its queues, function and log group (`baton dlq list --stage ...` reads them)",
        )
        output.override_logical_id(key)
        return output

    def _layer(self, construct_id: str, asset_dir: Path, description: str) -> lambda_.LayerVersion:
        return lambda_.LayerVersion(
            self,
            construct_id,
            code=lambda_.Code.from_asset(str(asset_dir)),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description=description,
        )
