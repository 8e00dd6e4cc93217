"""Transactions across processes and reopenings: money is conserved, tokens hold."""

from __future__ import annotations

import multiprocessing
import random

import ddblite

ACCOUNTS = 8
START_BALANCE = 100
TRANSFERS_PER_PROCESS = 60


def _transfer_request(source: int, target: int, amount: int, token: str) -> dict:
    def move(account: int, delta: int, condition: str | None) -> dict:
        update = {
            "TableName": "accounts",
            "Key": {"id": {"S": f"acct{account}"}},
            "UpdateExpression": "ADD balance :delta",
            "ExpressionAttributeValues": {":delta": {"N": str(delta)}},
        }
        if condition:
            update["ConditionExpression"] = condition
            update["ExpressionAttributeValues"][":amount"] = {"N": str(amount)}
        return {"Update": update}

    return {
        "ClientRequestToken": token,
        "TransactItems": [
            move(source, -amount, "balance >= :amount"),
            move(target, amount, None),
        ],
    }


def _transferrer(path: str, worker: int, queue) -> None:
    rng = random.Random(worker)
    applied = 0
    with ddblite.connect(path, durability="lazy") as db:
        client = db.client()
        for n in range(TRANSFERS_PER_PROCESS):
            source, target = rng.sample(range(ACCOUNTS), 2)
            request = _transfer_request(source, target, rng.randint(1, 40), f"w{worker}-{n}")
            try:
                client.transact_write_items(**request)
                applied += 1
            except client.exceptions.TransactionCanceledException:
                continue
            # A client that lost the answer retries with the same token: applied once.
            client.transact_write_items(**request)
    queue.put(applied)


def _create_accounts(path: str) -> None:
    with ddblite.connect(path) as db:
        client = db.client()
        client.create_table(
            TableName="accounts",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        for account in range(ACCOUNTS):
            client.put_item(TableName="accounts", Item={
                "id": {"S": f"acct{account}"}, "balance": {"N": str(START_BALANCE)}
            })


def test_concurrent_transfers_conserve_the_total(tmp_path):
    path = str(tmp_path / "db")
    _create_accounts(path)
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_transferrer, args=(path, w, queue)) for w in range(3)]
    for process in workers:
        process.start()
    applied = sum(queue.get(timeout=120) for _ in workers)
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    with ddblite.connect(path) as db:
        items = db.client().scan(TableName="accounts")["Items"]
    balances = [int(item["balance"]["N"]) for item in items]
    assert sum(balances) == ACCOUNTS * START_BALANCE
    assert min(balances) >= 0
    assert applied > 0


def test_token_survives_reopen_and_is_seen_by_another_connection(tmp_path, clock):
    path = str(tmp_path / "db")
    _create_accounts(path)
    request = _transfer_request(0, 1, 10, "reopen-token")
    with ddblite.connect(path, clock=clock) as db:
        db.client().transact_write_items(**request)
    with ddblite.connect(path, clock=clock) as db, ddblite.connect(path, clock=clock) as other:
        db.client().transact_write_items(**request)
        other.client().transact_write_items(**request)
        balance = other.client().get_item(TableName="accounts", Key={"id": {"S": "acct0"}})
    assert balance["Item"]["balance"] == {"N": str(START_BALANCE - 10)}
