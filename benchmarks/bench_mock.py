"""The cost of a boto3 call under ddblite.mock() (fast and wire paths), moto's mock_aws,
and botocore alone.

    python benchmarks/bench_mock.py              # about a minute
    python benchmarks/bench_mock.py --scale 3    # more calls per measurement

Backends, each with its own boto3 client made the usual way:
  ceiling  a botocore before-send handler answers every call with a canned
           response (recorded from ddblite, so botocore parses the very same
           bytes): no backend at all, only botocore's own cost, signing included
  unsigned the same ceiling without SigV4 signing, as ddblite.mock() sends no
           signature
  floor    a before-call handler answers with a canned parsed response
           (recorded from ddblite): botocore's cost up to before-call, which
           no mock answering there can go below
  fast     inside ddblite.mock(): answered at before-call (ddblite.mock_fast)
  wire     inside ddblite.mock(fast=False): answered at before-send
  moto     inside moto.mock_aws()

Measured, per call (the best of --repeats turns, the backends taking turns so
that other processes slow them alike): PutItem and GetItem of ~1 KB items in a table of 2,000
items, a Query returning one 10-item partition, and a typical unit test
(create a table, 10 puts, 1 query, delete the table) with one mock shared by
all tests and with a fresh mock per test.
"""

from __future__ import annotations

import argparse
import functools
import os
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

# Fake credentials before boto3 looks for real ones (moto wants some too).
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
)
os.environ.pop("AWS_PROFILE", None)

import boto3  # noqa: E402
import botocore  # noqa: E402
from botocore.awsrequest import AWSResponse  # noqa: E402
from moto import mock_aws  # noqa: E402

import ddblite  # noqa: E402  (after boto3 on purpose: the mock must cope with that order)
from ddblite.mock import answer, fast_answer  # noqa: E402

REGION = "us-east-1"
TABLE = "bench"
PARTITIONS = 200
ITEMS_PER_PARTITION = 10  # 2,000 items
PAYLOAD = "x" * 1000
KEY_SCHEMA = [
    {"AttributeName": "pk", "KeyType": "HASH"},
    {"AttributeName": "sk", "KeyType": "RANGE"},
]
ATTRIBUTES = [
    {"AttributeName": "pk", "AttributeType": "S"},
    {"AttributeName": "sk", "AttributeType": "N"},
]


def new_client():
    return boto3.session.Session().client("dynamodb", region_name=REGION)


# ------------------------------------------------------------------ ceiling


class CannedAnswers:
    """A before-send handler: ddblite answers while it records, then replays.

    Until `frozen`, every call is answered by a private ddblite database and its
    answer kept (the last one per operation); afterwards those bytes are
    returned at once, for any request of that operation.
    """

    def __init__(self) -> None:
        self.db = ddblite.connect(":memory:")
        self.canned: dict[str, AWSResponse] = {}
        self.frozen = False

    def __call__(self, request=None, event_name: str = "", **kwargs):
        operation = event_name.rpartition(".")[2]
        if self.frozen:
            return self.canned[operation]
        status, body = answer(self.db, operation, request.body or b"", REGION)
        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "x-amzn-RequestId": "C" * 52,
            "Content-Length": str(len(body)),
        }
        response = self.canned[operation] = _StoredResponse(request.url, status, headers, body)
        return response


def freeze_recordings(client) -> None:
    """From now on the ceiling client replays (a no-op for the other backends)."""
    canned = getattr(client, "canned_answers", None)
    if canned is not None:
        canned.frozen = True


class _StoredResponse(AWSResponse):
    """An AWSResponse whose content is already in memory (read any number of times)."""

    def __init__(self, url: str, status: int, headers: dict, body: bytes) -> None:
        super().__init__(url, status, headers, raw=None)
        self._content = body


class CannedParsed:
    """A before-call handler: ddblite's fast path answers while it records, then replays."""

    def __init__(self) -> None:
        self.db = ddblite.connect(":memory:")
        self.canned: dict[str, tuple] = {}
        self.frozen = False

    def __call__(self, model=None, params=None, context=None, **kwargs):
        if self.frozen:
            http, parsed = self.canned[model.name]
            return http, dict(parsed)
        # Answered by a private database through the fast path, the answer kept.
        answered = fast_answer(self.db, model, params, REGION, context)
        self.canned[model.name] = answered
        return answered


def floor_client():
    client = new_client()
    client.canned_answers = CannedParsed()
    client.meta.events.register("before-call.dynamodb", client.canned_answers)
    return client


def ceiling_client(signed: bool = True):
    client = new_client()
    if not signed:  # as ddblite.mock does: no credentials, no HMAC
        client.meta.events.register("choose-signer.dynamodb", lambda **kwargs: botocore.UNSIGNED)
    client.canned_answers = CannedAnswers()
    client.meta.events.register("before-send.dynamodb", client.canned_answers)
    return client


# ----------------------------------------------------------------- workload


def item(pk: int, sk: int) -> dict:
    return {"pk": {"S": f"p{pk:04d}"}, "sk": {"N": str(sk)}, "payload": {"S": PAYLOAD}}


def create_table(client, name: str = TABLE) -> None:
    client.create_table(
        TableName=name,
        KeySchema=KEY_SCHEMA,
        AttributeDefinitions=ATTRIBUTES,
        BillingMode="PAY_PER_REQUEST",
    )


def fill_table(client) -> None:
    create_table(client)
    for pk in range(PARTITIONS):
        for start in range(0, ITEMS_PER_PARTITION, 25):
            batch = [
                {"PutRequest": {"Item": item(pk, sk)}}
                for sk in range(start, min(start + 25, ITEMS_PER_PARTITION))
            ]
            client.batch_write_item(RequestItems={TABLE: batch})


def typical_unit_test(client) -> None:
    """What a unit test of a small repository class does."""
    create_table(client, "orders")
    for number in range(10):
        client.put_item(
            TableName="orders",
            Item={"pk": {"S": "customer-1"}, "sk": {"N": str(number)}, "total": {"N": "9.5"}},
        )
    found = client.query(
        TableName="orders",
        KeyConditionExpression="pk = :pk AND sk >= :low",
        ExpressionAttributeValues={":pk": {"S": "customer-1"}, ":low": {"N": "5"}},
    )
    assert found["Count"] == 5, found
    client.delete_table(TableName="orders")


# ------------------------------------------------------------------- timing


Runs = dict[str, tuple[Callable[[int], None], float]]  # row -> (run n calls, share of n)


def per_call_runs(client) -> Runs:
    """The per-call workloads, on a freshly filled table."""
    fill_table(client)
    counter = [0]

    def puts(n: int) -> None:
        for _ in range(n):
            counter[0] += 1
            number = counter[0]
            client.put_item(TableName=TABLE, Item=item(number % PARTITIONS, number % 7))

    def gets(n: int) -> None:
        for _ in range(n):
            counter[0] += 1
            number = counter[0] * 7919
            key = {"pk": {"S": f"p{number % PARTITIONS:04d}"}, "sk": {"N": str(number % 10)}}
            assert "Item" in client.get_item(TableName=TABLE, Key=key)

    def queries(n: int) -> None:
        for _ in range(n):
            counter[0] += 1
            answer_ = client.query(
                TableName=TABLE,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": f"p{counter[0] % PARTITIONS:04d}"}},
            )
            assert answer_["Count"] == ITEMS_PER_PARTITION

    for run in (puts, gets, queries):  # warm caches and the ceiling's recordings
        run(3)
    freeze_recordings(client)
    return {
        "PutItem": (puts, 1.0),
        "GetItem (2,000 items)": (gets, 1.0),
        "Query (10 items)": (queries, 0.25),
    }


def unit_test_runs(client, mock: Callable[[], AbstractContextManager]) -> Runs:
    def shared(n: int) -> None:
        with mock():
            for _ in range(n):
                typical_unit_test(client)

    def fresh(n: int) -> None:
        for _ in range(n):
            with mock():
                typical_unit_test(client)

    shared(1)
    freeze_recordings(client)
    return {"unit test, shared mock": (shared, 1.0), "unit test, fresh mock": (fresh, 1.0)}


def best_per_call(
    workloads: dict[str, Runs],
    contexts: dict[str, Callable[[], AbstractContextManager]],
    counts: dict[str, int],
    repeats: int,
) -> dict[str, dict[str, float]]:
    """Seconds per call, the best of `repeats` turns.

    The backends take turns, so a machine shared with other work loads them
    alike and the ratios between them hold even when the absolute figures move.
    """
    best: dict[str, dict[str, float]] = {name: {} for name in workloads}
    for _ in range(repeats):
        for name, runs in workloads.items():
            with contexts[name]():
                for row, (run, share) in runs.items():
                    calls = max(int(counts[name] * share), 1)
                    start = time.perf_counter()
                    run(calls)
                    elapsed = (time.perf_counter() - start) / calls
                    best[name][row] = min(best[name].get(row, float("inf")), elapsed)
    return best


# ------------------------------------------------------------------- report


ROWS = (
    "PutItem",
    "GetItem (2,000 items)",
    "Query (10 items)",
    "unit test, shared mock",
    "unit test, fresh mock",
)
# Issue 17's targets for the fast path: (at most this times the signed ceiling,
# at least this times faster than moto).
FAST_TARGETS = {
    "PutItem": (0.5, None),
    "GetItem (2,000 items)": (0.5, None),
    "unit test, fresh mock": (None, 12.0),
}
# The wire path's earlier targets: at most 1.3x the unsigned ceiling, 5x moto per test.
WIRE_TARGETS = {row: (1.3, 5.0 if row.startswith("unit") else None) for row in ROWS}


def report(results: dict[str, dict[str, float]]) -> list[str]:
    columns = ("floor", "ceiling", "unsigned", "fast", "wire", "moto")
    lines = [
        f"{'per call':24} "
        + " ".join(f"{name:>10}" for name in columns)
        + f" {'fast/ceil':>10} {'fast/unsig':>10} {'moto/fast':>10} {'moto/wire':>10}  targets"
    ]
    for row in ROWS:
        at = {name: results[name][row] for name in columns}
        verdicts = []
        ceiling_target, moto_target = FAST_TARGETS.get(row, (None, None))
        if ceiling_target is not None:
            met = at["fast"] / at["ceiling"] <= ceiling_target
            verdicts.append(f"fast <= {ceiling_target}x ceiling: " + _verdict(met))
        if moto_target is not None:
            met = at["moto"] / at["fast"] >= moto_target
            verdicts.append(f"fast >= {moto_target:g}x moto: " + _verdict(met))
        ceiling_target, moto_target = WIRE_TARGETS[row]
        met = at["wire"] / at["unsigned"] <= ceiling_target
        verdicts.append(f"wire <= {ceiling_target}x unsigned: " + _verdict(met))
        if moto_target is not None:
            met = at["moto"] / at["wire"] >= moto_target
            verdicts.append(f"wire >= {moto_target:g}x moto: " + _verdict(met))
        lines.append(
            f"{row:24} "
            + " ".join(_ms(at[name]) for name in columns)
            + f" {at['fast'] / at['ceiling']:>9.2f}x {at['fast'] / at['unsigned']:>9.2f}x"
            + f" {at['moto'] / at['fast']:>9.1f}x {at['moto'] / at['wire']:>9.1f}x  "
            + "; ".join(verdicts)
        )
    return lines


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:>7.3f}ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the call counts")
    parser.add_argument("--repeats", type=int, default=5, help="turns per measurement (best kept)")
    args = parser.parse_args(argv)
    calls = max(int(400 * args.scale), 4)
    tests = max(int(40 * args.scale), 1)

    # name -> (client factory, a mock for one unit test, the mock kept for the per-call rows)
    fast_db, wire_db = ddblite.connect(":memory:"), ddblite.connect(":memory:")
    backends: dict[str, tuple[Callable, Callable, Callable]] = {
        "floor": (floor_client, nullcontext, nullcontext),
        "ceiling": (ceiling_client, nullcontext, nullcontext),
        "unsigned": (lambda: ceiling_client(signed=False), nullcontext, nullcontext),
        "fast": (new_client, ddblite.mock, functools.partial(ddblite.mock, db=fast_db)),
        "wire": (
            new_client,
            functools.partial(ddblite.mock, fast=False),
            functools.partial(ddblite.mock, db=wire_db, fast=False),
        ),
    }
    per_call: dict[str, Runs] = {}
    for name, (make_client, _, kept) in backends.items():
        with kept():
            per_call[name] = per_call_runs(make_client())
    kept_mocks = {name: spec[2] for name, spec in backends.items()}
    results = best_per_call(per_call, kept_mocks, dict.fromkeys(per_call, calls), args.repeats)
    print("  measured the per-call rows", flush=True)
    # moto's state does not outlive its mock: its per-call rows run inside one.
    with mock_aws():
        moto_runs = {"moto": per_call_runs(new_client())}
        moto = best_per_call(moto_runs, {"moto": nullcontext}, {"moto": calls}, args.repeats)
    results.update(moto)
    print("  measured moto's per-call rows", flush=True)

    backends["moto"] = (new_client, mock_aws, mock_aws)
    # A new client per backend (and for the ceilings, recordings of this workload).
    unit_tests = {name: unit_test_runs(spec[0](), spec[1]) for name, spec in backends.items()}
    # moto is ~10x slower per test: fewer of them keep the run short, same precision.
    counts = {name: tests if name != "moto" else max(tests // 8, 1) for name in unit_tests}
    timings = best_per_call(
        unit_tests, dict.fromkeys(unit_tests, nullcontext), counts, args.repeats
    )
    for name, rows in timings.items():
        results[name].update(rows)
    print("  measured the unit tests", flush=True)
    print()
    print("\n".join(report(results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
