"""The stacks: `<Stage>-Core` (stateful) and the generic `<Stage>-<Capability>`."""
