"""Where ExportTableToPointInTime writes and ImportTable reads: DynamoDB's S3 side.

ddblite keeps "S3" on the local file system: a bucket named `file:///some/dir` is that
directory, any other bucket name is a directory under DDBLITE_S3_ROOT (default
./ddblite-s3). With DDBLITE_S3_ENDPOINT set (an S3-compatible endpoint) or
DDBLITE_S3=boto3 (real S3, or moto's `mock_aws` in tests) buckets are real S3 buckets
reached through boto3.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# DynamoDB's pattern for S3Bucket members (a file:// bucket is ddblite's own addition).
BUCKET_PATTERN = r"^[a-z0-9A-Z]+[\.\-\w]*[a-z0-9A-Z]+$"
_BUCKET = re.compile(BUCKET_PATTERN)


def bucket_name_problem(name: str) -> str | None:
    """The constraint a bucket name breaks, or None (file:// URIs are ddblite's local S3)."""
    if name.startswith("file://") or _BUCKET.fullmatch(name):
        return None
    return f"Member must satisfy regular expression pattern: {BUCKET_PATTERN}"


def join(*parts: str) -> str:
    """An S3 key from parts, without empty parts or doubled slashes."""
    return "/".join(part.strip("/") for part in parts if part and part.strip("/"))


class LocalBucket:
    """A directory standing in for a bucket: keys are relative paths."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        # A key is a path inside the bucket's directory, never outside it ("../").
        root = self.root.resolve()
        path = (root / key).resolve()
        if path != root and root not in path.parents:
            raise PermissionError(f"the S3 key {key!r} leaves the bucket's directory")
        return path

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

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
