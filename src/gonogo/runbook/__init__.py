"""The runbook format: model, loader, checks, schema."""
