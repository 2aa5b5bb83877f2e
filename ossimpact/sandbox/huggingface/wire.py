"""What every part of the fake Hub shares: timestamps, ids, cursors, errors, JSON and 307 answers."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime

from werkzeug.wrappers import Response


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def hex_id(text: str, length: int) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:length]


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        offset = json.loads(base64.urlsafe_b64decode(padded))["o"]
    except (ValueError, KeyError, TypeError) as err:
        raise ApiError(400, "Invalid cursor") from err
    if not isinstance(offset, int) or offset < 0:
        raise ApiError(400, "Invalid cursor")
    return offset


class ApiError(Exception):
    """Raised inside a handler to answer with the Hub's error body and headers."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def json_response(
    body: object, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def error_response(err: ApiError) -> Response:
    response = json_response({"error": err.message}, err.status, err.headers)
    if "X-Error-Message" not in err.headers:
        response.headers["X-Error-Message"] = err.message
    return response


def redirect(location: str) -> Response:
    response = Response(f"Temporary Redirect. Redirecting to {location}", status=307)
    response.headers["Location"] = location
    response.mimetype = "text/plain"
    return response
