"""Assisted submission: facilitators record proposals for people without internet."""
