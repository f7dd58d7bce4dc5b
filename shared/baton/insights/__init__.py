"""The `insights` capability: conversation summaries (the console's list) and KPIs (`baton.insights.models`)."""
