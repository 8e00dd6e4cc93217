"""The dispatch registry is the one list of operations every front door derives from."""

from __future__ import annotations

from ddblite import dispatch
from ddblite.client import Client, snake_case
from ddblite.server import connection
from ddblite.server.app import STREAMS_OPERATIONS
from ddblite.streams_client import StreamsClient


def test_every_operation_module_is_loaded():
    assert {"TransactWriteItems", "TransactGetItems", "PutItem", "Query"} <= set(
        dispatch.known_operations()
    )


def test_the_embedded_clients_have_a_method_per_operation():
    for name in dispatch.known_operations():
        owner = StreamsClient if name in STREAMS_OPERATIONS else Client
        assert callable(getattr(owner, snake_case(name))), name
    assert not hasattr(Client, "list_streams")


def test_read_operations_never_wait_for_a_sync():
    reads = dispatch.read_operations()
    assert {"GetItem", "TransactGetItems", "Query", "Scan", "BatchGetItem", "DescribeTimeToLive",
            "ListBackups", "DescribeExport"} <= reads
    assert STREAMS_OPERATIONS <= reads
    assert "DynamoDBStreams_20120810.GetRecords" in connection.READ_OPERATIONS
    assert not {"PutItem", "TransactWriteItems", "UpdateItem"} & reads
    assert "DynamoDB_20120810.TransactGetItems" in connection.READ_OPERATIONS
    assert "DynamoDB_20120810.TransactWriteItems" not in connection.READ_OPERATIONS


def test_every_operation_of_botocores_models_has_a_handler():
    import botocore.session

    session = botocore.session.get_session()
    known = dispatch.known_operations()
    for service in ("dynamodb", "dynamodbstreams"):
        missing = [name for name in session.get_service_model(service).operation_names
                   if name not in known]
        assert missing == [], (service, missing)
