"""The database object `ddblite.connect()` returns."""

from __future__ import annotations

from typing import Any

from ddblite.clock import Clock
from ddblite.dispatch import dispatch
from ddblite.engine.catalog import Catalog
from ddblite.engine.shared_usage import PUBLISH_SECONDS, Publisher
from ddblite.engine.throttle import Throttle
from ddblite.engine.usage import STORED_KEYS, Usage
from ddblite.storage import open_storage

DEFAULT_REGION = "us-east-1"
# The account every ARN names unless connect(account_id=...) says otherwise. Not
# DynamoDB Local's 000000000000: real DynamoDB treats that as somebody else's account.
ACCOUNT_ID = "123456789012"
DEFAULT_STREAM_PARTITIONS = 2


class Database:
    """One ddblite store: a storage backend, its catalog and a clock."""

    def __init__(
        self,
        path: str = ":memory:",
        durability: str | None = None,
        clock: Clock | None = None,
        region: str = DEFAULT_REGION,
        account_id: str = ACCOUNT_ID,
        throttle: bool = False,
        usage_interval: float | None = None,
        **storage_options: Any,
    ) -> None:
        if durability is None:
            durability = "memory" if path == ":memory:" else "full"
        if durability not in ("full", "lazy", "nosync", "memory"):
            raise ValueError(
                f"durability must be 'full', 'lazy', 'nosync' or 'memory', not {durability!r}"
            )
        self.path = path
        self.durability = durability
        self.storage = open_storage(path, durability, **storage_options)
        self.catalog = Catalog(clock or Clock())
        self.region = region
        if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
            raise ValueError(f"account_id must be 12 digits, not {account_id!r}")
        self.account_id = account_id
        self.closed = False
        # Partitions (open shards at a time) of the streams this database creates.
        self.stream_partitions = DEFAULT_STREAM_PARTITIONS
        self._sweeper = None
        self._triggers: list = []
        # Consumed capacity of every request (engine.usage); token buckets when asked.
        self.usage_counters = Usage(self.clock.now())
        # ... published for the other processes of the directory (engine.shared_usage);
        # `publishing` is what ddblite.dispatch ticks after every request (None: never).
        if usage_interval is None and durability != "memory":
            usage_interval = PUBLISH_SECONDS
        self.usage_publisher = Publisher(self, usage_interval)
        self.publishing: Publisher | None = \
            self.usage_publisher if usage_interval is not None else None
        self.throttle: Throttle | None = Throttle(self) if throttle else None

    @property
    def clock(self) -> Clock:
        """The database's time; the catalog holds it so the item write path reads it too."""
        return self.catalog.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self.catalog.clock = clock
        if self.throttle is not None:  # its buckets refill on the new clock from now on
            self.throttle.use_clock(clock)

    def usage(self, top: int = 10) -> dict:
        """This Database object's own consumed RCU/WCU per table, index and (top `top`)
        partition key, with throttle counts, the clock seconds since it was opened (or
        `reset_usage`), and each table's estimated monthly cost (engine.cost).
        Other processes (or Database objects) on the same directory are not in it:
        `directory_usage` adds them up."""
        result = self.usage_counters.snapshot(top, self.clock.now())
        self._with_costs(result["Tables"], result["Seconds"])
        return result

    def directory_usage(self, top: int = 10) -> dict:
        """The whole directory's usage: what every Database that used it counted (live
        ones as of their last publish, every `usage_interval` seconds; this one as of
        now), in the same shape as `usage`, each table with its own Since/Until/Seconds,
        plus "Processes": the live Databases and what each consumed."""
        from ddblite.engine.shared_usage import merged

        now = self.clock.now()
        result = self.storage.read(lambda txn: merged(txn, now, top, self.usage_publisher))
        self._with_costs(result["Tables"])
        return result

    def stored_usage(self) -> dict:
        """The directory's usage as the store holds it: the totals of the Databases that
        closed plus every live one's last publish (this one's unpublished part left out)."""
        from ddblite.engine.shared_usage import merged

        now = self.clock.now()
        return self.storage.read(lambda txn: merged(txn, now, STORED_KEYS))

    def publish_usage(self) -> None:
        """Publish this Database's counters for `directory_usage` now, not when due."""
        self.usage_publisher.publish()

    def _with_costs(self, tables: dict, seconds: float | None = None) -> None:
        from ddblite.engine.cost import estimate

        sizes = self.table_sizes()
        for name, counters in tables.items():
            counters["EstimatedMonthlyCost"] = estimate(
                counters["ReadCapacityUnits"], counters["WriteCapacityUnits"],
                counters["Seconds"] if seconds is None else seconds, sizes.get(name, 0))

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

    def reset_usage(self, directory: bool = False) -> None:
        """Start this Database's own counts (`usage`) from zero. What it counted so far
        stays in the directory's totals. With directory=True, the directory's totals
        start from zero too: every record is dropped, and each other live Database
        counts from its last publish on (so up to one `usage_interval` of its traffic
        from before the reset is kept); their own `usage` is left alone."""
        publisher = self.usage_publisher
        now = self.clock.now()
        with publisher.lock:
            if directory:
                self.storage.write(lambda txn: publisher.reset_directory(txn, now))
            elif self.usage_counters.tables:
                self.storage.write(lambda txn: publisher.fold(txn, now))
            publisher.forget(now)
            self.usage_counters.reset(now)

    def call(self, operation: str, params: dict | None = None, region: str | None = None) -> dict:
        """Run one DynamoDB operation with a low-level request dict."""
        if self.closed:
            raise RuntimeError("the database is closed")
        return dispatch(self, operation, params or {}, region or self.region)

    def client(self, region_name: str | None = None):
        """A boto3-shaped DynamoDB client over this database."""
        from ddblite.client import Client

        return Client(self, region_name or self.region)

    def streams_client(self, region_name: str | None = None):
        """A boto3-shaped DynamoDB Streams client over this database."""
        from ddblite.streams_client import StreamsClient

        return StreamsClient(self, region_name or self.region)

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

    def expire_now(self) -> int:
        """Delete the items whose TTL has passed (by db.clock) and trim stream records
        past their 24-hour retention; returns how many items expired."""
        from ddblite.engine import expiry, streamlog

        now = self.clock.now()
        deleted = expiry.sweep(self.storage, self.catalog, now)
        self.storage.write(lambda txn: streamlog.trim(txn, now))
        return deleted

    def start_sweeper(self, interval: float = 30.0, publish_every: float | None = None):
        """Run expire_now() every `interval` seconds (0: never) on a background thread
        until close, and publish the usage when due every `publish_every` seconds."""
        from ddblite.sweeper import Sweeper

        if self._sweeper is None:
            self._sweeper = Sweeper(self, interval, publish_every).start()
        return self._sweeper

    def on_change(self, table: str, handler, *, background: bool = True, **options: Any):
        """Call `handler(event)` with batches of the table's stream records, Lambda's way
        (see ddblite.triggers); runs on a thread unless background=False (then drain())."""
        from ddblite.triggers import Trigger

        trigger = Trigger(self, table, handler, **options)
        self._triggers.append(trigger)
        return trigger.start() if background else trigger

    def execute(self, statement: str, *params: Any, consistent_read: bool = False) -> list[dict]:
        """Run one PartiQL statement with native `?` parameters; returns native items."""
        from ddblite.table import execute

        return execute(self, statement, params, consistent_read)

    def close(self) -> None:
        if not self.closed:
            # Background work first: nothing may write once usage is saved.
            for trigger in self._triggers:
                trigger.stop()
            if self._sweeper is not None:
                self._sweeper.stop()
            if self.throttle is not None:  # pending bucket debits, for other processes
                self.throttle.flush()
            if self.usage_counters.tables and self.durability != "memory":
                # Into the directory's totals; this Database's record goes.
                now = self.clock.now()
                with self.usage_publisher.lock:
                    self.storage.write(lambda txn: self.usage_publisher.fold(txn, now))
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
    account_id: str = ACCOUNT_ID,
    endpoint_url: str | None = None,
    throttle: bool = False,
    usage_interval: float | None = None,
    **storage_options: Any,
) -> Database:
    """Open (creating if needed) a ddblite database.

    path: a directory for the durable LMDB store, or ":memory:".
    durability: "full" (default for a path: fsync every commit), "lazy" (may
    lose the last commits on an OS crash or power loss, never corrupts; see the
    README), "nosync" (no flush on commit: faster still, but an OS crash may
    corrupt the store on a file system that reorders writes) or "memory".
    account_id: the 12-digit account ARNs name; an ARN of another account is refused
    with AccessDeniedException, as DynamoDB refuses it.
    throttle: enforce provisioned and on-demand throughput limits on `clock`
    (ProvisionedThroughputExceededException, Unprocessed batch members).
    usage_interval: how often (seconds on `clock`) this Database publishes its consumed
    capacity for the other processes of the directory (`directory_usage`, `ddblite
    stats`); 1 for a directory, 0 after every request; ":memory:" never publishes.

    Remote mode: an http(s):// URL as path, or endpoint_url=..., returns a
    ddblite.remote.RemoteDatabase over that DynamoDB-compatible endpoint (boto3
    credential keywords such as aws_access_key_id go in the keyword arguments).
    """
    if endpoint_url is not None or str(path).startswith(("http://", "https://")):
        from ddblite.remote import RemoteDatabase

        return RemoteDatabase(endpoint_url or path, region, **storage_options)  # type: ignore[return-value]
    return Database(path, durability, clock=clock, region=region, account_id=account_id,
                    throttle=throttle, usage_interval=usage_interval,
                    **storage_options)
