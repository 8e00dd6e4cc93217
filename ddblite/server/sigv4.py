"""AWS Signature Version 4 checks for `ddblite serve --require-auth KEY:SECRET`.

Only the Authorization-header form is supported (SDKs and the CLI use it).
Error codes and texts are DynamoDB's.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote

from ddblite.clock import Clock
from ddblite.errors import (
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_CLOCK_SKEW = timedelta(minutes=15)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


def credential_region(authorization: str | None) -> str | None:
    """The region of an Authorization header's credential scope (no checks)."""
    if not authorization:
        return None
    start = authorization.find("Credential=")
    if start < 0:
        return None
    end = authorization.find(",", start)
    return _scope_region(authorization[start + 11 : end if end >= 0 else None])


@functools.lru_cache(maxsize=256)
def _scope_region(credential: str) -> str | None:
    # Requests of one client share the credential scope: parse it once.
    scope = credential.split("/")
    return scope[2] if len(scope) == 5 else None


def _auth_params(authorization: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for part in authorization.replace(",", " ").split()[1:]:
        name, _, value = part.partition("=")
        params[name] = value
    return params


def _canonical_query(query: str) -> str:
    pairs = sorted(
        (quote(name, safe="-_.~"), quote(value, safe="-_.~"))
        for name, value in parse_qsl(query, keep_blank_values=True)
    )
    return "&".join(f"{name}={value}" for name, value in pairs)


def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


class SigV4Verifier:
    """Checks that requests are signed with one configured key pair."""

    def __init__(self, access_key: str, secret_key: str, clock: Clock | None = None) -> None:
        self.access_key = access_key
        self.secret_key = secret_key
        self.clock = clock or Clock()

    def verify(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> None:
        """Raise DynamoDB's authentication error, or return if the signature holds.

        `headers` maps lower-case names to values.
        """
        authorization = headers.get("authorization", "").strip()
        if not authorization.startswith("AWS4-"):
            raise MissingAuthenticationTokenException("Request is missing Authentication Token")
        params = _auth_params(authorization)
        missing = "".join(
            f"Authorization header requires '{name}' parameter. "
            for name in ("Credential", "Signature", "SignedHeaders")
            if not params.get(name)
        )
        amz_date = headers.get("x-amz-date") or headers.get("date")
        if not amz_date:
            missing += (
                "Authorization header requires existence of either a 'X-Amz-Date' or a "
                "'Date' header. "
            )
        if missing:
            raise IncompleteSignatureException(missing + "Authorization=" + authorization)
        algorithm = authorization.split(None, 1)[0]
        if algorithm != ALGORITHM:
            raise IncompleteSignatureException(
                f"Unsupported AWS 'algorithm': '{algorithm}' (only {ALGORITHM} for now). "
            )
        scope = params["Credential"].rstrip("/").split("/")
        if len(scope) != 5:
            raise IncompleteSignatureException(
                "Credential must have exactly 5 slash-delimited elements, "
                f"e.g. keyid/date/region/service/term, got '{params['Credential']}'"
            )
        self._check_date(amz_date)
        access_key, date, region, service, _ = scope
        if access_key != self.access_key:
            raise UnrecognizedClientException(
                "The security token included in the request is invalid."
            )
        signed_names = params["SignedHeaders"].lower().split(";")
        canonical_request = "\n".join(
            (
                method,
                quote(path or "/", safe="/-_.~"),
                _canonical_query(query),
                "".join(
                    f"{name}:{' '.join(headers.get(name, '').split())}\n" for name in signed_names
                ),
                ";".join(signed_names),
                hashlib.sha256(body).hexdigest(),
            )
        )
        string_to_sign = "\n".join(
            (
                ALGORITHM,
                amz_date,
                "/".join(scope[1:]),
                hashlib.sha256(canonical_request.encode()).hexdigest(),
            )
        )
        key = _signing_key(self.secret_key, date, region, service)
        expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, params["Signature"]):
            raise InvalidSignatureException(_MISMATCH)

    def _check_date(self, amz_date: str) -> None:
        try:
            signed_at = datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=UTC)
        except ValueError:
            raise IncompleteSignatureException(
                f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'. "
                "See http://en.wikipedia.org/wiki/ISO_8601"
            ) from None
        now = datetime.fromtimestamp(self.clock.now(), UTC).replace(microsecond=0)
        if signed_at < now - MAX_CLOCK_SKEW:
            raise InvalidSignatureException(
                f"Signature expired: {amz_date} is now earlier than "
                f"{(now - MAX_CLOCK_SKEW).strftime(_AMZ_DATE)} "
                f"({now.strftime(_AMZ_DATE)} - 15 min.)"
            )
        if signed_at > now + MAX_CLOCK_SKEW:
            raise InvalidSignatureException(
                f"Signature not yet current: {amz_date} is still later than "
                f"{(now + MAX_CLOCK_SKEW).strftime(_AMZ_DATE)} "
                f"({now.strftime(_AMZ_DATE)} + 15 min.)"
            )
