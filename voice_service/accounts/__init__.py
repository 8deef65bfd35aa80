"""Accounts: staff people, roles, sessions, second factors, API tokens and set-password links."""
