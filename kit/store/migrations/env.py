"""Alembic's entry point for the store's migrations (run by ``kit db upgrade``).

The connection is handed over by :mod:`kit.store.migrate`; nothing here reads a config file.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True, transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
