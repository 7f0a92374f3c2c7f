"""Who is calling, and what they may see."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dms_domain.errors import FieldError


class Role(StrEnum):
    ADMIN = "admin"
    INTEGRATOR = "integrator"
    MANAGER = "manager"
    DEALER = "dealer"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a user (by token) or a machine client (by API key)."""

    name: str
    role: Role
    dealer_code: str | None = None
    regions: frozenset[str] = frozenset()
    via: str = "token"

    def sees_everything(self) -> bool:
        return self.role in (Role.ADMIN, Role.INTEGRATOR)

    def may_see_dealer(self, dealer_code: str, dealer_regions: frozenset[str]) -> bool:
        if self.sees_everything():
            return True
        if self.role is Role.MANAGER:
            return bool(self.regions & dealer_regions)
        return self.dealer_code == dealer_code


def scope_errors(role: Role, dealer_code: str | None, regions: list[str]) -> list[FieldError]:
    """What is wrong with a role's scope: dealers name one dealer, managers regions."""
    errors: list[FieldError] = []
    if role is Role.DEALER and not dealer_code:
        errors.append(
            FieldError("dealer_code", "a dealer user or key needs the dealer it acts for")
        )
    if role is not Role.DEALER and dealer_code:
        errors.append(FieldError("dealer_code", f"only the dealer role has one, not {role.value}"))
    if role is Role.MANAGER and not regions:
        errors.append(FieldError("regions", "a manager needs at least one region"))
    if role is not Role.MANAGER and regions:
        errors.append(FieldError("regions", f"only the manager role has regions, not {role.value}"))
    return errors
