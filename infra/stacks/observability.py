"""`<Stage>-Observability`: the stage's CloudWatch dashboard and the KPI drift alarm.

A stack of its own because the dashboard reads every other stack (the API, each consumer's function, queue and
DLQs, the bus): the core stack cannot (the capability stacks depend on it), and no capability stack should know
the others. It reads their names through weak cross-stack references (cdk.json), so it never pins a resource of
another stack, and it holds no data: deploy it last (`npx cdk deploy --all` does), or alone after a
capability stack changed. The consumers' own alarms (DLQs, errors, backlog, malformed and skipped events) live
with the consumers, so deploying one capability deploys its alarms.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import Stack
from constructs import Construct

from baton.bus import Subscription
from infra.constructs.alarms import KPI_SERVICE, kpi_drift_alarm
from infra.constructs.consumer import Consumer
from infra.constructs.dashboard import BatonDashboard
from infra.stacks.capability import CapabilityStack
from infra.stacks.core import CoreStack

OBSERVABILITY = "Observability"


class ObservabilityStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        core: CoreStack,
        capabilities: Sequence[CapabilityStack],
        subscriptions: Sequence[Subscription],
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description="Baton: the stage's CloudWatch dashboard and the KPI drift alarm",
            **kwargs,
        )
        self.add_stack_dependency(core, "the bus and the alarm topic live in the core stack")
        for stack in capabilities:
            self.add_stack_dependency(stack, "the dashboard graphs this stack's functions and queues")

        deployed: dict[str, Consumer] = {
            name: consumer for stack in capabilities for name, consumer in stack.consumers.items()
        }
        consumers = [(sub, deployed[sub.name]) for sub in subscriptions if sub.name in deployed]
        api = next((stack.api for stack in capabilities if stack.api is not None), None)

        self.drift_alarm = (
            kpi_drift_alarm(self, core.alarm_topic)
            if any(sub.name == KPI_SERVICE for sub, _ in consumers)
            else None
        )
        self.dashboard = BatonDashboard(
            self,
            "Dashboard",
            stage=core.config.stage,
            bus=core.bus,
            consumers=consumers,
            api=api,
            drift_alarm=self.drift_alarm,
        )
