"""Shared pieces: settings, typed records, errors, locks."""
