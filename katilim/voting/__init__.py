"""Voting for or against proposals."""
