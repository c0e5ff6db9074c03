"""Durable event log + dedup records. `open_store(path)` gives the SQLite store."""
from gateway.store.base import Store, StoreError
from gateway.store.sqlite import SqliteStore


def open_store(path):
    return SqliteStore(path)


__all__ = ["open_store", "SqliteStore", "Store", "StoreError"]
