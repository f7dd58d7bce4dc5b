"""The feedback capability: what each conversation turned out to be, from its events.

- `baton.feedback.labels`: the versioned rules (`LabelRules`) and the pure labelling (`label(facts)`).
- `baton.feedback.service`: the `feedback` consumer's logic: events -> facts -> label, stored with the
  conversation (`outcome_label` on `GET /v1/conversations/{id}`) and published as `OutcomeLabeled`.
- `baton.feedback.contacts`: each conversation's contact (customer, intent, start) and its record in the
  conversations table, through which a repeat contact on the same intent relabels the earlier conversation.
"""
