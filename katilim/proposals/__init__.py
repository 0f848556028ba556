"""Proposals: writing, routing, reading, searching, editing and withdrawing."""
