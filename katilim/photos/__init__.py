"""Proposal photos: cleaned on upload, stored in two sizes, hidden by moderators."""
