"""Shared pieces every domain uses: settings, database, mail, due work, audit, web security."""
