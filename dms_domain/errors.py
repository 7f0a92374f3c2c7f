"""One exception tree for dms-hub, split by what the caller must do.

    DmsError
    ├── InvalidInput          the request or record is malformed: fix it (422)
    │   └── BadRecord         an inbound record that cannot be applied: quarantine it, go on
    ├── NotFound              the object does not exist or is outside the caller's scope (404)
    ├── Refused               a business rule says no: tell a person (403/409)
    ├── ConfigurationError    the deployment is wrong: fix the settings or mapping files
    └── ExternalSystemError   a remote system failed
        ├── TransientError    retry later with backoff
        └── PermanentError    never retry: tell a person
            └── BusinessRejection   the remote side said no to this document (reason kept)

Foreign errors (httpx, zeep, pyodbc, SQLAlchemy) are translated into this tree at
the edge, with ``raise ... from exc`` so the cause stays visible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldError:
    """One bad field: a dotted path such as ``lines[0].qty`` and what is wrong
    with it; ``type`` (and ``limits``) name the rule for a client that words
    it in its own language, as the request validator's types do."""

    field: str
    message: str
    type: str | None = None
    limits: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"field": self.field, "message": self.message}
        if self.type is not None:
            found["type"] = self.type
        if self.limits:
            found["limits"] = dict(self.limits)
        return found


class DmsError(Exception):
    """Root of every error dms-hub raises on purpose."""

    code: str = "error"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.extra: dict[str, Any] = extra


class InvalidInput(DmsError):
    code = "validation_failed"

    def __init__(
        self, detail: str, errors: list[FieldError] | None = None, *, code: str | None = None
    ) -> None:
        super().__init__(detail, code=code)
        self.errors: list[FieldError] = errors or []

    @classmethod
    def field(cls, name: str, message: str) -> InvalidInput:
        return cls(f"{name}: {message}", [FieldError(name, message)])


class BadRecord(InvalidInput):
    code = "bad_record"


class NotFound(DmsError):
    code = "not_found"


class Refused(DmsError):
    """A business rule refuses the request. ``status`` is the HTTP status it maps to."""

    code = "refused"

    def __init__(self, detail: str, *, code: str, status: int = 409, **extra: Any) -> None:
        super().__init__(detail, code=code, **extra)
        self.status = status


class ConfigurationError(DmsError):
    code = "configuration_error"


class ExternalSystemError(DmsError):
    code = "external_system_error"


class TransientError(ExternalSystemError):
    code = "transient_error"


class PermanentError(ExternalSystemError):
    code = "permanent_error"


class BusinessRejection(PermanentError):
    """The remote system refused the document for a business reason (unknown
    customer, blocked material, validation): the order is rejected, not retried."""

    code = "business_rejection"


@dataclass
class FieldErrors:
    """Collects every bad field before refusing, so the caller fixes all at once."""

    errors: list[FieldError] = field(default_factory=list)

    def add(
        self,
        name: str,
        message: str,
        *,
        type: str | None = None,
        limits: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.errors.append(FieldError(name, message, type, limits))

    def raise_if_any(self, detail: str = "the request has invalid fields") -> None:
        if self.errors:
            first = self.errors[0]
            summary = f"{first.field}: {first.message}"
            if len(self.errors) > 1:
                summary += f" (and {len(self.errors) - 1} more)"
            raise InvalidInput(f"{detail}: {summary}", list(self.errors))
