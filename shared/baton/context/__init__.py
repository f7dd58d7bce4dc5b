"""The context capability: what is known about a customer beyond the conversation.

- `baton.context.models`: accounts, incidents, product activity and contact history (`Context`), and the
  business facts read from them (`business_facts`, `match_incidents`).
- `baton.context.store`: the context table (DynamoDB) and its in-memory twin (`ContextSource`).
- `baton.context.service`: the `context-events` consumer's logic (integrations' events -> the table).
- `baton.context.importer`: `baton context import` (a tool: not shipped to Lambda).
"""
