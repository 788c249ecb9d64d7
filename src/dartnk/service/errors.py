"""The API's one error shape: ``{"error", "detail", "field"?}`` for 401, 403, 404, 409 and 422.

The status comes from the exception's class (a table, not branches); FastAPI's own request
validation errors are answered in the same shape, naming the first bad field's path.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from dartnk.errors import ConflictError, DartnkError, InputError, NotFoundError

log = logging.getLogger("dartnk.service")


class Unauthorized(DartnkError):
    """No valid ``Authorization: Bearer TOKEN`` (HTTP 401)."""


class Forbidden(DartnkError):
    """The user's role or site may not do this (HTTP 403)."""


ERROR_STATUS: tuple[tuple[type[DartnkError], int, str], ...] = (
    (Unauthorized, 401, "unauthorized"),
    (Forbidden, 403, "forbidden"),
    (NotFoundError, 404, "not_found"),
    (ConflictError, 409, "conflict"),
    (InputError, 422, "invalid_input"),
    (DartnkError, 422, "invalid_input"),
)

HTTP_ERROR_NAMES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
                    422: "invalid_input"}


def error_body(error: str, detail: str, field: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": error, "detail": detail}
    if field:
        body["field"] = field
    return body


def status_of(exc: DartnkError) -> tuple[int, str]:
    for cls, status, name in ERROR_STATUS:
        if isinstance(exc, cls):
            return status, name
    return 422, "invalid_input"


def _dartnk_error(_request: Request, exc: DartnkError) -> JSONResponse:
    status, name = status_of(exc)
    field = exc.field_path if exc.field_path != "input" else None
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(error_body(name, str(exc), field), status_code=status, headers=headers)


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or "body"


def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    first = errors[0] if errors else {"loc": ("body",), "msg": "invalid request"}
    field = _field_path(tuple(first.get("loc", ())))
    kind = first.get("type", "")
    if kind == "missing":
        detail = f"{field}: required field is missing"
    elif kind == "extra_forbidden":
        detail = f"{field}: unknown field"
    elif kind == "json_invalid":
        detail = f"body: valid JSON ({first.get('ctx', {}).get('error', 'syntax error')})"
        field = "body"
    else:
        msg = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        detail = f"{field}: expected {msg[:1].lower() + msg[1:]}, got {first.get('input')!r}"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more problem(s))"
    return JSONResponse(error_body("invalid_input", detail, field), status_code=422)


def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    name = HTTP_ERROR_NAMES.get(exc.status_code, "error")
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return JSONResponse(error_body(name, detail), status_code=exc.status_code, headers=getattr(exc, "headers", None))


def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    """The database could not be reached or stayed locked: 503, try again (nothing was written)."""
    log.warning("database unavailable: %s", exc)
    return JSONResponse(error_body("unavailable", "the database is unavailable or busy; nothing was written, "
                                   "try again"), status_code=503, headers={"Retry-After": "5"})


def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return JSONResponse(error_body("internal_error", "the server could not complete the request; it was logged"),
                        status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DartnkError, _dartnk_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    from sqlalchemy.exc import OperationalError

    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": name.replace("_", " "), "content": {"application/json": {"schema": {
        "type": "object", "required": ["error", "detail"],
        "properties": {"error": {"type": "string"}, "detail": {"type": "string"}, "field": {"type": "string"}}}}}}
    for status, name in ((401, "unauthorized"), (403, "forbidden"), (404, "not_found"), (409, "conflict"),
                         (422, "invalid_input"))
}
"""OpenAPI documentation of the error shape, attached to every router."""
