"""Accounts: users, sign-in and lockout, administration, partner API keys."""
