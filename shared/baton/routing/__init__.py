"""The routing capability: an escalation reaches the right agent, with a handoff packet, and the bot steps back.

- `baton.routing.service`: the ordered consumer's logic (`RoutingLogic`): EscalationDecided (escalate) -> the
  conversation's routing state, and its view (`assignment`, `bot`, and the status `queued` or `assigned`).
- `baton.routing.store`: its per-conversation state item (`ROUTING`).
"""
