"""The decision capability: resolve, monitor or escalate a conversation, with reasons.

- `baton.decision.params`: the versioned parameters document (`DecisionParams`, `load_default`).
- `baton.decision.engine`: `decide(scores, arc, context, state, params, text=..., seq=...)`, pure.
- `baton.decision.service`: the ordered consumer's logic (`DecisionLogic`): MessageScored -> EscalationDecided.
- `baton.decision.store`: its per-conversation state item and the conversation's `decision` view.
- `baton.decision.metrics`: the dialogue-level cost and timeliness of a policy.

The business context it decides with is the context capability's (`baton.context`). Nothing here imports
numpy, boto3 or the scoring models: the decision function's cold start is pydantic.
"""
