"""The database object `ddblite.connect()` returns."""

from __future__ import annotations

from typing import Any

from ddblite.clock import Clock
from ddblite.dispatch import dispatch
from ddblite.engine.catalog import Catalog
from ddblite.engine.throttle import Throttle
from ddblite.engine.usage import Usage
from ddblite.storage import open_storage

DEFAULT_REGION = "us-east-1"
ACCOUNT_ID = "000000000000"


class Database:
    """One ddblite store: a storage backend, its catalog and a clock."""

    def __init__(
        self,
        path: str = ":memory:",
        durability: str | None = None,
        clock: Clock | None = None,
        region: str = DEFAULT_REGION,
        throttle: bool = False,
        **storage_options: Any,
    ) -> None:
        if durability is None:
            durability = "memory" if path == ":memory:" else "full"
        if durability not in ("full", "lazy", "memory"):
            raise ValueError(
                f"durability must be 'full', 'lazy' or 'memory', not {durability!r}"
            )
        self.path = path
        self.durability = durability
        self.storage = open_storage(path, durability, **storage_options)
        self.catalog = Catalog()
        self.clock = clock or Clock()
        self.region = region
        self.account_id = ACCOUNT_ID
        self.closed = False
        # Consumed capacity of every request (engine.usage); token buckets when asked.
        self.usage_counters = Usage(self.clock.now())
        self.throttle: Throttle | None = Throttle(self) if throttle else None

    def usage(self, top: int = 10) -> dict:
        """Consumed RCU/WCU per table, index and (top `top`) partition key, with
        throttle counts and the clock seconds since this Database was opened (or
        `reset_usage`), and each table's estimated monthly cost (engine.cost)."""
        from ddblite.engine.cost import estimate

        result = self.usage_counters.snapshot(top, self.clock.now())
        sizes = self.table_sizes()
        for name, counters in result["Tables"].items():
            counters["EstimatedMonthlyCost"] = estimate(
                counters["ReadCapacityUnits"], counters["WriteCapacityUnits"],
                result["Seconds"], sizes.get(name, 0))
        return result

    def stored_usage(self) -> dict:
        """The usage every process that used this directory saved (on close)."""
        from ddblite.engine.usage import stored

        return self.storage.read(stored)

    def table_sizes(self) -> dict[str, int]:
        """Bytes stored per table of this database's region."""
        def run(txn):
            sizes = {}
            for name in self.catalog.names(txn, self.region):
                table = self.catalog.get(txn, self.region, name)
                if table is not None:
                    sizes[name] = self.catalog.stats(txn, table)[1]
            return sizes

        return self.storage.read(run)

    def reset_usage(self) -> None:
        self.usage_counters.reset(self.clock.now())

    def call(self, operation: str, params: dict | None = None, region: str | None = None) -> dict:
        """Run one DynamoDB operation with a low-level request dict."""
        if self.closed:
            raise RuntimeError("the database is closed")
        return dispatch(self, operation, params or {}, region or self.region)

    def client(self, region_name: str | None = None):
        """A boto3-shaped DynamoDB client over this database."""
        from ddblite.client import Client

        return Client(self, region_name or self.region)

    def Table(self, name: str):  # noqa: N802 - boto3's resource spells it so
        """A boto3-style Table resource with native Python values."""
        from ddblite.table import Table

        return Table(self, name)

    def create_table(self, **kwargs: Any):
        """CreateTable with boto3 resource arguments; returns the Table."""
        from ddblite.table import create_table

        return create_table(self, **kwargs)

    def transaction(self, client_request_token: str | None = None, **options: Any):
        """Collect Put/Update/Delete/ConditionCheck actions with native values and
        commit them as one TransactWriteItems when the `with` block ends."""
        from ddblite.table import Transaction

        return Transaction(self, client_request_token, **options)

    def transact_get(self, gets: list, **options: Any) -> list[dict | None]:
        """TransactGetItems with native values: [(table, key[, options]), ...] -> items."""
        from ddblite.table import transact_get

        return transact_get(self, gets, **options)

    def close(self) -> None:
        if not self.closed:
            if self.throttle is not None:  # pending bucket debits, for other processes
                self.throttle.flush()
            if self.usage_counters.tables and self.durability != "memory":
                now = self.clock.now()
                self.storage.write(lambda txn: self.usage_counters.save(txn, now))
            self.closed = True
            self.storage.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def connect(
    path: str = ":memory:",
    durability: str | None = None,
    *,
    clock: Clock | None = None,
    region: str = DEFAULT_REGION,
    throttle: bool = False,
    **storage_options: Any,
) -> Database:
    """Open (creating if needed) a ddblite database.

    path: a directory for the durable LMDB store, or ":memory:".
    durability: "full" (default for a path: fsync every commit), "lazy" (sync
    on an interval; a crash never corrupts) or "memory".
    throttle: enforce provisioned and on-demand throughput limits on `clock`
    (ProvisionedThroughputExceededException, Unprocessed batch members).
    """
    return Database(path, durability, clock=clock, region=region, throttle=throttle,
                    **storage_options)
