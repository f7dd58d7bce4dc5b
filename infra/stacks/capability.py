"""`<Stage>-<Capability>`: one generic stack per capability, built from its `baton.bus.Subscription`s.

Each capability stack has its own layers, queues, DLQs and functions, so `cdk deploy Dev-Scoring` deploys and
scales Scoring alone. The Ingestion stack also carries the HTTP API, and the Feedback stack the events lake
(`infra.constructs.lake`: every Baton event in S3, the Athena table over it). Nothing here is
capability-specific beyond that: a subscription flipped to `implemented=True` gets its stack with no new infra
code.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from baton.bus import Subscription
from infra.assets import AssetError, FunctionStager, LayerAssets
from infra.constructs.alarms import consumer_metric_alarms
from infra.constructs.api import HANDLER_MODULE as API_HANDLER_MODULE
from infra.constructs.api import IngestionApi
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
        model_layers: list[lambda_.ILayerVersion] = []
        if any(sub.uses_models for sub in subscriptions):
            if layer_assets.models is None:
                users = ", ".join(sub.name for sub in subscriptions if sub.uses_models)
                raise AssetError(
                    f"{users} (uses_models=True) needs the model layer, but layers/models/ holds no model: add "
                    "the model files there (layers/build.py builds the layer) before marking it implemented"
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
        self.api = (
            IngestionApi(self, "Api", core=core, code=stager.stage(API_HANDLER_MODULE), layers=base_layers)
            if with_api
            else None
        )
        self.events_lake = EventsLake(self, "EventsLake", core=core) if with_events_lake else None

    def _layer(self, construct_id: str, asset_dir: Path, description: str) -> lambda_.LayerVersion:
        return lambda_.LayerVersion(
            self,
            construct_id,
            code=lambda_.Code.from_asset(str(asset_dir)),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description=description,
        )
