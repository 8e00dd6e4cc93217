"""Storage backends behind one narrow interface (see interface.py)."""

from ddblite.storage.interface import SPACES, ReadTxn, Storage, WriteTxn


def open_storage(path: str, durability: str = "full", **options) -> Storage:
    """Open the backend a path names: ":memory:" is in-memory, anything else LMDB."""
    if path == ":memory:" or durability == "memory":
        from ddblite.storage.memory import MemoryStorage

        return MemoryStorage()
    from ddblite.storage.lmdb_backend import LmdbStorage

    return LmdbStorage(path, durability=durability, **options)


__all__ = ["SPACES", "ReadTxn", "Storage", "WriteTxn", "open_storage"]
