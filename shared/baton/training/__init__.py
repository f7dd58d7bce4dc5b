"""Training commands (`baton train ...`): the same feature code as serving, run in-process, no AWS."""
