"""Accounts: registration, e-mail verification, sign-in and password reset."""
