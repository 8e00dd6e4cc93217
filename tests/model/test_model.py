"""Stateful model test: random operation sequences against ddblite and a plain dict.

The model is deliberately simple: a dict from (pk, sk) to the item as written,
with numbers compared through their canonical form. Every answer ddblite gives
must match the model's.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import ddblite

TABLE = "model"
PKS = st.sampled_from(["a", "b", "c", "\x00", "é"])
SKS = st.integers(min_value=-3, max_value=3).map(str)
SCALARS = st.one_of(
    st.text(max_size=5).map(lambda s: {"S": s}),
    st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False).map(
        lambda d: {"N": str(d)}
    ),
    st.binary(max_size=5).map(lambda b: {"B": b}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda v: {"L": v}),
        st.dictionaries(st.text(min_size=1, max_size=3), inner, max_size=3).map(
            lambda v: {"M": v}
        ),
    ),
    max_leaves=6,
)
PLAIN_ATTRS = st.dictionaries(st.sampled_from(["x", "y", "z"]), VALUES, max_size=3)
# Index key attributes, present or not: g keys the GSI, l the LSI.
INDEX_ATTRS = st.fixed_dictionaries({}, optional={
    "g": st.sampled_from(["red", "blue"]).map(lambda s: {"S": s}),
    "l": st.integers(-2, 2).map(lambda n: {"N": str(n)}),
})
ATTRS = st.builds(lambda plain, keys: {**plain, **keys}, PLAIN_ATTRS, INDEX_ATTRS)

def canonical(value: dict) -> object:
    """Compare numbers by value: the model keeps what was written."""
    ((tag, inner),) = value.items()
    if tag == "N":
        return ("N", Decimal(inner).normalize())
    if tag == "M":
        return ("M", {k: canonical(v) for k, v in inner.items()})
    if tag == "L":
        return ("L", [canonical(v) for v in inner])
    return (tag, inner)

def canonical_item(item: dict | None) -> dict | None:
    return None if item is None else {k: canonical(v) for k, v in item.items()}


def fingerprint(item: dict) -> str:
    """An order-insensitive text form of an item, for comparing lists of items."""
    def plain(value):
        if isinstance(value, dict):
            return sorted((k, plain(v)) for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value

    return repr(plain(canonical_item(item)))

class ItemsModel(RuleBasedStateMachine):
    backend = ":memory:"

    def __init__(self) -> None:
        super().__init__()
        self.model: dict[tuple[str, str], dict] = {}
        self.db = None

    @initialize()
    def open(self) -> None:
        import tempfile

        path = self.backend if self.backend == ":memory:" else tempfile.mkdtemp()
        durability = None if self.backend == ":memory:" else "lazy"
        self.db = ddblite.connect(path, durability=durability)
        self.client = self.db.client()
        self.client.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "g", "AttributeType": "S"},
                {"AttributeName": "l", "AttributeType": "N"},
            ],
            BillingMode="PAY_PER_REQUEST",
            # Sparse indexes: only items carrying g (or l) appear in them.
            GlobalSecondaryIndexes=[{
                "IndexName": "byG",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }],
            LocalSecondaryIndexes=[{
                "IndexName": "byL",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "l", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }],
        )

    def teardown(self) -> None:
        if self.db is not None:
            self.db.close()

    @staticmethod
    def key(pk: str, sk: str) -> dict:
        return {"pk": {"S": pk}, "sk": {"N": sk}}

    @rule(pk=PKS, sk=SKS, attrs=ATTRS)
    def put(self, pk, sk, attrs):
        item = dict(attrs, **self.key(pk, sk))
        old = self.client.put_item(TableName=TABLE, Item=item, ReturnValues="ALL_OLD")
        assert canonical_item(old.get("Attributes")) == canonical_item(self.model.get((pk, sk)))
        self.model[(pk, sk)] = item

    @rule(pk=PKS, sk=SKS)
    def get(self, pk, sk):
        got = self.client.get_item(TableName=TABLE, Key=self.key(pk, sk), ConsistentRead=True)
        assert canonical_item(got.get("Item")) == canonical_item(self.model.get((pk, sk)))

    @rule(pk=PKS, sk=SKS)
    def delete(self, pk, sk):
        old = self.client.delete_item(
            TableName=TABLE, Key=self.key(pk, sk), ReturnValues="ALL_OLD"
        )
        expected = self.model.pop((pk, sk), None)
        assert canonical_item(old.get("Attributes")) == canonical_item(expected)

    @rule(writes=st.lists(st.tuples(PKS, SKS, st.one_of(st.none(), ATTRS)), max_size=6,
                          unique_by=lambda w: (w[0], w[1])))
    def batch_write(self, writes):
        if not writes:
            return
        requests = []
        for pk, sk, attrs in writes:
            if attrs is None:
                requests.append({"DeleteRequest": {"Key": self.key(pk, sk)}})
                self.model.pop((pk, sk), None)
            else:
                item = dict(attrs, **self.key(pk, sk))
                requests.append({"PutRequest": {"Item": item}})
                self.model[(pk, sk)] = item
        response = self.client.batch_write_item(RequestItems={TABLE: requests})
        assert response["UnprocessedItems"] == {}

    @rule(keys=st.lists(st.tuples(PKS, SKS), min_size=1, max_size=5, unique=True))
    def batch_get(self, keys):
        response = self.client.batch_get_item(
            RequestItems={TABLE: {"Keys": [self.key(pk, sk) for pk, sk in keys]}}
        )
        got = sorted(map(fingerprint, response["Responses"][TABLE]))
        expected = sorted(fingerprint(self.model[k]) for k in keys if k in self.model)
        assert got == expected

    @rule(pk=PKS, sk=SKS, attrs=ATTRS)
    def put_if_absent(self, pk, sk, attrs):
        item = dict(attrs, **self.key(pk, sk))
        exists = (pk, sk) in self.model
        try:
            self.client.put_item(
                TableName=TABLE, Item=item, ConditionExpression="attribute_not_exists(pk)"
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            assert exists
        else:
            assert not exists
            self.model[(pk, sk)] = item

    @rule(pk=PKS, sk=SKS, amount=st.integers(-5, 5), existing_only=st.booleans())
    def add_to_counter(self, pk, sk, amount, existing_only):
        """UpdateItem ADD on a counter, optionally only when the item exists."""
        old = self.model.get((pk, sk))
        params = dict(
            TableName=TABLE, Key=self.key(pk, sk), UpdateExpression="ADD c :n",
            ExpressionAttributeValues={":n": {"N": str(amount)}}, ReturnValues="ALL_NEW",
        )
        if existing_only:
            params["ConditionExpression"] = "attribute_exists(pk)"
        try:
            response = self.client.update_item(**params)
        except self.client.exceptions.ConditionalCheckFailedException:
            assert existing_only and old is None
            return
        assert not (existing_only and old is None)
        new = dict(old) if old is not None else self.key(pk, sk)
        before = Decimal(new["c"]["N"]) if "c" in new else Decimal(0)
        new["c"] = {"N": str(before + amount)}
        self.model[(pk, sk)] = new
        assert canonical_item(response["Attributes"]) == canonical_item(new)

    @rule(pk=PKS, sk=SKS, below=st.integers(-3, 3))
    def delete_if_counter_below(self, pk, sk, below):
        old = self.model.get((pk, sk))
        passes = old is not None and "c" in old and Decimal(old["c"]["N"]) < below
        try:
            self.client.delete_item(
                TableName=TABLE, Key=self.key(pk, sk), ConditionExpression="c < :v",
                ExpressionAttributeValues={":v": {"N": str(below)}},
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            assert not passes
        else:
            assert passes
            del self.model[(pk, sk)]

    @rule(actions=st.lists(
        st.tuples(PKS, SKS, st.sampled_from(["put", "delete", "add", "check"]), ATTRS,
                  st.booleans()),
        min_size=1, max_size=5, unique_by=lambda action: action[:2],
    ))
    def transact_write(self, actions):
        """TransactWriteItems: every action's condition (must exist / must not exist) is
        judged on the state before; all apply or none."""
        requests, passes = [], True
        for pk, sk, kind, attrs, guarded in actions:
            exists = (pk, sk) in self.model
            body = {"TableName": TABLE}
            if kind == "put":
                body["Item"] = dict(attrs, **self.key(pk, sk))
                condition = "attribute_not_exists(pk)"
                passes &= not guarded or not exists
            else:
                body["Key"] = self.key(pk, sk)
                condition = "attribute_exists(pk)"
                passes &= (not guarded and kind != "check") or exists
            if kind == "add":
                body["UpdateExpression"] = "ADD c :one"
                body["ExpressionAttributeValues"] = {":one": {"N": "1"}}
            if guarded or kind == "check":
                body["ConditionExpression"] = condition
            member = {"put": "Put", "delete": "Delete", "add": "Update", "check": "ConditionCheck"}
            requests.append({member[kind]: body})
        try:
            self.client.transact_write_items(TransactItems=requests)
        except self.client.exceptions.TransactionCanceledException as exc:
            assert not passes
            codes = [reason["Code"] for reason in exc.response["CancellationReasons"]]
            assert "ConditionalCheckFailed" in codes and len(codes) == len(actions)
            return
        assert passes
        for pk, sk, kind, attrs, _ in actions:
            if kind == "put":
                self.model[(pk, sk)] = dict(attrs, **self.key(pk, sk))
            elif kind == "delete":
                self.model.pop((pk, sk), None)
            elif kind == "add":
                new = dict(self.model.get((pk, sk)) or self.key(pk, sk))
                before = Decimal(new["c"]["N"]) if "c" in new else Decimal(0)
                new["c"] = {"N": str(before + 1)}
                self.model[(pk, sk)] = new

    @rule(keys=st.lists(st.tuples(PKS, SKS), min_size=1, max_size=5, unique=True))
    def transact_get(self, keys):
        response = self.client.transact_get_items(TransactItems=[
            {"Get": {"TableName": TABLE, "Key": self.key(pk, sk)}} for pk, sk in keys
        ])
        got = [canonical_item(entry.get("Item")) for entry in response["Responses"]]
        assert got == [canonical_item(self.model.get(key)) for key in keys]

    @rule(pk=PKS, forward=st.booleans(), limit=st.one_of(st.none(), st.integers(1, 4)))
    def query(self, pk, forward, limit):
        expected = sorted(
            (k for k in self.model if k[0] == pk), key=lambda k: Decimal(k[1]), reverse=not forward
        )
        got, start = [], None
        while True:
            params = dict(
                TableName=TABLE,
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": pk}},
                ScanIndexForward=forward,
                ConsistentRead=True,
            )
            if limit is not None:
                params["Limit"] = limit
            if start is not None:
                params["ExclusiveStartKey"] = start
            page = self.client.query(**params)
            got.extend(page["Items"])
            start = page.get("LastEvaluatedKey")
            if start is None:
                break
        assert [(i["pk"]["S"], i["sk"]["N"]) for i in got] == expected
        for item in got:
            key = (item["pk"]["S"], item["sk"]["N"])
            assert canonical_item(item) == canonical_item(self.model[key])

    @rule(segments=st.integers(1, 3))
    def scan(self, segments):
        seen = []
        for segment in range(segments):
            params = dict(TableName=TABLE, Segment=segment, TotalSegments=segments)
            while True:
                page = self.client.scan(**params)
                seen.extend((i["pk"]["S"], i["sk"]["N"]) for i in page["Items"])
                if "LastEvaluatedKey" not in page:
                    break
                params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        assert sorted(seen) == sorted(self.model)

    def _scan_index(self, index: str) -> list[dict]:
        found, params = [], {"TableName": TABLE, "IndexName": index}
        while True:
            page = self.client.scan(**params)
            found.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return found
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    @invariant()
    def indexes_match_the_table(self):
        if self.db is None:
            return
        gsi = self._scan_index("byG")
        expected = [item for item in self.model.values() if "g" in item]
        assert sorted(map(fingerprint, gsi)) == sorted(map(fingerprint, expected))
        lsi = self._scan_index("byL")
        keys_only = [
            {name: item[name] for name in ("pk", "sk", "l")}
            for item in self.model.values() if "l" in item
        ]
        assert sorted(map(fingerprint, lsi)) == sorted(map(fingerprint, keys_only))

    @invariant()
    def item_count_matches(self):
        if self.db is None:
            return
        table = self.client.describe_table(TableName=TABLE)["Table"]
        assert table["ItemCount"] == len(self.model)

class LmdbItemsModel(ItemsModel):
    backend = "lmdb"

TestMemoryModel = ItemsModel.TestCase
TestMemoryModel.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
TestLmdbModel = LmdbItemsModel.TestCase
TestLmdbModel.settings = settings(max_examples=20, stateful_step_count=25, deadline=None)

pytestmark = pytest.mark.filterwarnings("ignore")
