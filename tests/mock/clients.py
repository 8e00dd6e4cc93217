"""A boto3 DynamoDB client for the mock tests: its own session, dummy credentials."""

from __future__ import annotations

import boto3
from botocore.config import Config


def new_client(**config):
    """A fresh client (its own session); keyword arguments make its botocore Config."""
    return boto3.session.Session().client(
        "dynamodb",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
        config=Config(**config) if config else None,
    )
