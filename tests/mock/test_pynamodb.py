"""PynamoDB (a botocore user with its own connection layer) inside ddblite.mock."""

from __future__ import annotations

import pytest
from pynamodb.attributes import BinaryAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from ddblite.mock import mock


class Thing(Model):
    class Meta:
        table_name = "things"
        region = "us-east-1"
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    blob = BinaryAttribute(null=True, legacy_encoding=False)
    count = NumberAttribute(null=True)


@mock
def test_pynamodb_model_round_trip():
    assert not Thing.exists()
    Thing.create_table(wait=True)
    assert Thing.exists()
    Thing("a", blob=b"\x00\xff", count=3).save()
    with Thing.batch_write() as batch:
        for number in range(30):
            batch.save(Thing(f"k{number}", count=number))
    got = Thing.get("a")
    assert (got.blob, got.count) == (b"\x00\xff", 3)
    assert Thing.get("k29").count == 29
    got.delete()
    with pytest.raises(Thing.DoesNotExist):
        Thing.get("a")
