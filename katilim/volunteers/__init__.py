"""Residents who join a body (most often a working group) as volunteers: they apply, the
chair or a moderator accepts or declines, and they may leave at any time."""
