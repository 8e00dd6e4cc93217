"""Where ExportTableToPointInTime writes and ImportTable reads: DynamoDB's S3 side.

ddblite keeps "S3" on the local file system: a bucket named `file:///some/dir` is that
directory, any other bucket name is a directory under DDBLITE_S3_ROOT (default
./ddblite-s3). With DDBLITE_S3_ENDPOINT set (an S3-compatible endpoint) or
DDBLITE_S3=boto3 (real S3, or moto's `mock_aws` in tests) buckets are real S3 buckets
reached through boto3.
"""

from __future__ import annotations

import os
from pathlib import Path


def join(*parts: str) -> str:
    """An S3 key from parts, without empty parts or doubled slashes."""
    return "/".join(part.strip("/") for part in parts if part and part.strip("/"))


class LocalBucket:
    """A directory standing in for a bucket: keys are relative paths."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, key: str, data: bytes) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def get(self, key: str) -> bytes:
        return (self.root / key).read_bytes()

    def keys(self, prefix: str) -> list[str]:
        """Every key starting with prefix (as S3 matches prefixes: not only folders)."""
        if not self.root.is_dir():
            return []
        found = []
        for path in self.root.rglob("*"):
            if path.is_file():
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    found.append(key)
        return sorted(found)


class Boto3Bucket:
    """A real S3 bucket (or an S3-compatible endpoint, or moto's) through boto3."""

    def __init__(self, name: str, endpoint_url: str | None) -> None:
        import boto3

        self.name = name
        self._s3 = boto3.client("s3", endpoint_url=endpoint_url)

    def put(self, key: str, data: bytes) -> None:
        self._s3.put_object(Bucket=self.name, Key=key, Body=data)

    def get(self, key: str) -> bytes:
        return self._s3.get_object(Bucket=self.name, Key=key)["Body"].read()

    def keys(self, prefix: str) -> list[str]:
        found = []
        for page in self._s3.get_paginator("list_objects_v2").paginate(
                Bucket=self.name, Prefix=prefix):
            found.extend(entry["Key"] for entry in page.get("Contents", ()))
        return sorted(found)


def bucket(name: str) -> LocalBucket | Boto3Bucket:
    if name.startswith("file://"):
        return LocalBucket(Path(name[len("file://"):]))
    endpoint = os.environ.get("DDBLITE_S3_ENDPOINT")
    if endpoint or os.environ.get("DDBLITE_S3") == "boto3":
        return Boto3Bucket(name, endpoint or None)
    return LocalBucket(Path(os.environ.get("DDBLITE_S3_ROOT", "./ddblite-s3")) / name)
