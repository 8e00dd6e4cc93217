"""`ddblite bench`: workloads A-F, user workloads, JSON that agrees with db.usage()."""

from __future__ import annotations

import json
import random

import pytest

import ddblite
from ddblite import cli
from ddblite.bench import Config, format_table, plot, run
from ddblite.bench.distributions import Chooser, Zipfian
from ddblite.server.app import DynamoDBApp
from ddblite.server.runner import BackgroundServer

FIELDS = {"ddblite", "target", "config", "workload", "distribution", "load_seconds",
          "elapsed_seconds", "operations", "throughput_ops_per_second", "latency_ms",
          "by_operation", "errors", "throttles", "consumed_capacity", "hot_partitions",
          "estimated_monthly_cost", "timeline"}


def small(**changes) -> Config:
    return Config(**{"records": 300, "operations": 400, **changes})


@pytest.mark.parametrize("workload", list("ABCDEF"))
def test_every_ycsb_workload_runs_embedded(workload):
    report = run(small(workload=workload))
    assert FIELDS <= set(report)
    assert report["errors"] == {}
    assert report["operations"] == 400
    usage = report["ddblite_usage"]
    capacity = report["consumed_capacity"]
    # The driver's sum of ConsumedCapacity and ddblite's own count are the same units.
    assert usage["ReadCapacityUnits"] == capacity["ReadCapacityUnits"]
    assert usage["WriteCapacityUnits"] == capacity["WriteCapacityUnits"]
    expected_ops = {"A": {"read", "update"}, "B": {"read", "update"}, "C": {"read"},
                    "D": {"read", "insert"}, "E": {"scan", "insert"},
                    "F": {"read", "read-modify-write"}}[workload]
    assert set(report["by_operation"]) <= expected_ops
    assert sum(entry["count"] for entry in report["by_operation"].values()) == 400
    latency = report["latency_ms"]
    assert 0 < latency["p50"] <= latency["p95"] <= latency["p99"] <= latency["max"]
    assert "ops/s" in format_table(report)


def test_read_only_capacity_is_exact():
    # 1 KB records, eventually consistent GetItem: half a unit each.
    report = run(small(workload="C", operations=200))
    assert report["consumed_capacity"] == {"ReadCapacityUnits": 100.0,
                                           "WriteCapacityUnits": 0.0}
    assert report["ddblite_usage"]["ReadRequests"] == 200
    shares = sum(entry["Share"] for entry in report["hot_partitions"])
    assert shares == pytest.approx(1.0)  # 300 records in 3 partition keys, all listed


def test_served_and_threads(tmp_path):
    report = run(small(workload="A", serve=True, threads=2, operations=200))
    assert report["target"]["kind"] == "served"
    assert report["errors"] == {} and report["operations"] == 200
    assert "ddblite_usage" not in report


def test_any_endpoint_and_processes(tmp_path):
    with ddblite.connect(":memory:") as db, BackgroundServer(DynamoDBApp(db)) as server:
        report = run(small(workload="B", target=server.url, processes=2, operations=200))
        assert report["target"] == {"kind": "endpoint", "description": server.url}
        assert report["operations"] == 200
        usage = db.usage()["Tables"]["usertable"]
    # The server counted the load too; the run's reads all reached it.
    assert usage["ReadCapacityUnits"] >= report["consumed_capacity"]["ReadCapacityUnits"]


def test_throttled_run_counts_what_ddblite_refused():
    report = run(small(workload="A", throttle=True, provisioned=(400, 50), records=40,
                       operations=200))
    assert report["throttles"] > 0
    assert report["errors"] == {}
    usage = report["ddblite_usage"]
    assert usage["ThrottledReads"] + usage["ThrottledWrites"] == report["throttles"]


def test_user_workload_module(tmp_path):
    module = tmp_path / "orders.py"
    module.write_text(
        "def put(ctx):\n"
        "    ctx.call('PutItem', ctx.client.put_item, TableName=ctx.table,\n"
        "             Item=ctx.record(ctx.new_record()))\n"
        "def get(ctx):\n"
        "    ctx.call('GetItem', ctx.client.get_item, TableName=ctx.table,\n"
        "             Key=ctx.key(ctx.pick()), ConsistentRead=True)\n"
        "MIX = {'put': (1, put), 'get': (3, get)}\n"
        "DISTRIBUTION = 'uniform'\n"
    )
    report = run(small(workload=str(module)))
    assert set(report["by_operation"]) == {"put", "get"}
    assert report["distribution"] == "uniform"
    gets = report["by_operation"]["get"]["count"]
    assert report["consumed_capacity"]["ReadCapacityUnits"] == gets * 1.0


def test_command_line_json_and_plot(tmp_path, capsys):
    picture = tmp_path / "run.png"
    saved = tmp_path / "run.json"
    assert cli.main(["bench", "-w", "C", "--records", "100", "--operations", "100",
                     "--format", "json", "--output", str(saved), "--plot", str(picture)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["workload"] == "C" and json.loads(saved.read_text())["operations"] == 100
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert cli.main(["bench", "--processes", "2"]) == 2


def test_plot_of_several_runs(tmp_path):
    reports = [run(small(workload=name, operations=100)) for name in "AC"]
    plot(reports, str(tmp_path / "both.svg"))
    assert b"<svg" in (tmp_path / "both.svg").read_bytes()[:400]


def test_key_distributions():
    rng = random.Random(7)
    zipf = Zipfian(1000)
    ranks = [zipf.rank(rng) for _ in range(20000)]
    assert ranks.count(0) > ranks.count(10) > ranks.count(500)
    latest = Chooser("latest", 1000)
    picks = [latest.pick(rng, 1000) for _ in range(5000)]
    assert sum(pick >= 900 for pick in picks) > sum(pick < 100 for pick in picks)
    uniform = Chooser("uniform", 10)
    assert {uniform.pick(rng, 10) for _ in range(500)} == set(range(10))
    with pytest.raises(ValueError):
        Chooser("pareto", 10)


def test_stats_of_a_directory_and_a_server(tmp_path, capsys):
    path = str(tmp_path / "store")
    run(small(workload="A", target=path, operations=100))
    assert cli.main(["stats", path, "--format", "json"]) == 0
    saved = json.loads(capsys.readouterr().out)["Tables"]["usertable"]
    assert saved["WriteRequests"] >= 300 // 25  # the load's batches at least
    assert saved["EstimatedMonthlyCost"]["Region"] == "us-east-1"
    assert cli.main(["stats", path]) == 0
    assert "usertable:" in capsys.readouterr().out
    with ddblite.connect(":memory:") as db, BackgroundServer(DynamoDBApp(db)) as server:
        client = db.client()
        client.create_table(
            TableName="things", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        client.put_item(TableName="things", Item={"pk": {"S": "a"}})
        assert cli.main(["stats", server.url, "--format", "json"]) == 0
    served = json.loads(capsys.readouterr().out)["Tables"]["things"]
    assert served["WriteCapacityUnits"] == 1.0
    assert served["HotKeys"] == [{"Key": "a", "ReadCapacityUnits": 0.0,
                                  "WriteCapacityUnits": 1.0}]
