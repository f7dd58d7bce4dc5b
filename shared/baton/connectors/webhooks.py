"""Helpdesk webhooks: verify, translate to canonical messages/outcomes, apply. (Owned by the connectors work.)

Interface the API route calls (do not change the signature without updating baton.ingestion.api):

    process_webhook(source, headers, raw_body, *, secrets, service, seen, now) -> WebhookResult

- raises baton.errors.InvalidSignature (-> 401, nothing stored) and baton.errors.PayloadError (-> 400)
- unknown topics are acknowledged (WebhookResult.ignored says why) and counted, not errors.
"""
