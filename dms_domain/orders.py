"""The order lifecycle: statuses, events, and forward-only progress.

Events from the ERP, the WMS and the dealer may arrive out of order
(api-contract.md "Dealer ordering"). A later event implies the earlier ones
(``shipped`` while ``submitted`` moves the order to ``shipped``); an event
that would move the order backwards, repeat its status or leave a terminal
status is recorded by the caller and ignored here, never applied.

The model is data:

- ``RANK``: how far along the lifecycle a status is. ``cancel_requested``
  shares ``confirmed``'s rank (it is a confirmed order with a question
  pending), so the ERP's "no" returning it to ``confirmed`` is not a step
  back. The terminal statuses share the last rank.
- ``ALLOWED``: every status move that may ever be applied, implied skips
  included. Nothing leaves a terminal status.
- ``PROGRESS_EVENTS``: events that name the status they report; they apply
  when they move the order to a higher rank along an allowed move.
- ``CANCEL_STEPS``: the cancel flow, by (status, event). A dealer's cancel
  before ERP acceptance cancels at once; after it, before any shipment, it
  asks the ERP; its yes cancels, its no returns to ``confirmed``.

``apply_event`` is pure: it returns a ``Transition`` saying whether the event
was applied and why. The one thing it raises is ``Refused`` (409
``not_cancellable``) for a dealer's cancel of an order that has shipped in
part or whole, or has ended otherwise than cancelled.

Decisions where the contract is silent: an ERP rejection after acceptance is
ignored (``not_allowed``); a shipment reported while a cancel is pending is
applied (the goods have left; the pending cancel is moot); a cancel answer
with no cancel pending is ignored; a dealer's repeated cancel of a
``cancel_requested`` or ``cancelled`` order is a ``duplicate``, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dms_domain.errors import Refused


class OrderStatus(StrEnum):
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"  # the ERP accepted it
    REJECTED = "rejected"
    CANCEL_REQUESTED = "cancel_requested"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    INVOICED = "invoiced"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class OrderEvent(StrEnum):
    CONFIRMED = "confirmed"  # ERP accepted the order
    REJECTED = "rejected"  # ERP rejected the order
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    INVOICED = "invoiced"
    CLOSED = "closed"
    CANCEL_REQUESTED = "cancel_requested"  # the dealer (or its manager) asks to cancel
    CANCEL_ACCEPTED = "cancel_accepted"  # the ERP agreed to cancel
    CANCEL_DECLINED = "cancel_declined"  # the ERP refused to cancel


class TransitionReason(StrEnum):
    ADVANCED = "advanced"  # applied: the order moved forward (earlier steps implied)
    CANCEL_FLOW = "cancel_flow"  # applied: a step of the cancel flow
    DUPLICATE = "duplicate"  # ignored: the order already has that status
    BACKWARD = "backward"  # ignored: the order is already further along
    TERMINAL = "terminal"  # ignored: the order's status is final
    NOT_ALLOWED = "not_allowed"  # ignored: the event makes no sense in this status


_S = OrderStatus
_E = OrderEvent

RANK: dict[OrderStatus, int] = {
    _S.SUBMITTED: 0,
    _S.CONFIRMED: 1,
    _S.CANCEL_REQUESTED: 1,
    _S.PARTIALLY_SHIPPED: 2,
    _S.SHIPPED: 3,
    _S.INVOICED: 4,
    _S.CLOSED: 5,
    _S.REJECTED: 5,
    _S.CANCELLED: 5,
}

TERMINAL: frozenset[OrderStatus] = frozenset({_S.REJECTED, _S.CANCELLED, _S.CLOSED})

_AFTER_CONFIRMED = frozenset({_S.PARTIALLY_SHIPPED, _S.SHIPPED, _S.INVOICED, _S.CLOSED})

ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    _S.SUBMITTED: frozenset({_S.CONFIRMED, _S.REJECTED, _S.CANCELLED}) | _AFTER_CONFIRMED,
    _S.CONFIRMED: frozenset({_S.CANCEL_REQUESTED}) | _AFTER_CONFIRMED,
    _S.CANCEL_REQUESTED: frozenset({_S.CONFIRMED, _S.CANCELLED}) | _AFTER_CONFIRMED,
    _S.PARTIALLY_SHIPPED: frozenset({_S.SHIPPED, _S.INVOICED, _S.CLOSED}),
    _S.SHIPPED: frozenset({_S.INVOICED, _S.CLOSED}),
    _S.INVOICED: frozenset({_S.CLOSED}),
    _S.CLOSED: frozenset(),
    _S.REJECTED: frozenset(),
    _S.CANCELLED: frozenset(),
}

PROGRESS_EVENTS: dict[OrderEvent, OrderStatus] = {
    _E.CONFIRMED: _S.CONFIRMED,
    _E.REJECTED: _S.REJECTED,
    _E.PARTIALLY_SHIPPED: _S.PARTIALLY_SHIPPED,
    _E.SHIPPED: _S.SHIPPED,
    _E.INVOICED: _S.INVOICED,
    _E.CLOSED: _S.CLOSED,
}

CANCEL_STEPS: dict[tuple[OrderStatus, OrderEvent], OrderStatus] = {
    (_S.SUBMITTED, _E.CANCEL_REQUESTED): _S.CANCELLED,
    (_S.CONFIRMED, _E.CANCEL_REQUESTED): _S.CANCEL_REQUESTED,
    (_S.CANCEL_REQUESTED, _E.CANCEL_ACCEPTED): _S.CANCELLED,
    (_S.CANCEL_REQUESTED, _E.CANCEL_DECLINED): _S.CONFIRMED,
}

# A dealer's cancel repeated on these is a duplicate; on any other status
# without a CANCEL_STEPS entry it is refused.
_ALREADY_CANCELLING = frozenset({_S.CANCEL_REQUESTED, _S.CANCELLED})


@dataclass(frozen=True, slots=True)
class Transition:
    """What an event did to an order: the status before and after, and why."""

    previous: OrderStatus
    status: OrderStatus
    event: OrderEvent
    applied: bool
    reason: TransitionReason
    detail: str
    note: str | None = None  # the reason the ERP gave, for a rejection or a declined cancel


def is_terminal(status: OrderStatus) -> bool:
    return status in TERMINAL


def is_open(status: OrderStatus) -> bool:
    """An open order still counts toward the dealer's credit exposure."""
    return status not in TERMINAL


def is_cancellable(status: OrderStatus) -> bool:
    """True when a dealer's cancel is accepted (applied or a harmless repeat)."""
    return (status, _E.CANCEL_REQUESTED) in CANCEL_STEPS or status in _ALREADY_CANCELLING


_Decision = tuple[OrderStatus, TransitionReason, str]


def apply_event(status: OrderStatus, event: OrderEvent, *, note: str | None = None) -> Transition:
    """Decide what ``event`` does to an order in ``status``; never moves it backwards.

    ``note`` is the reason the sender gave (an ERP rejection, a declined cancel);
    it is carried into the result. Raises ``Refused`` (409 ``not_cancellable``)
    only for a dealer's cancel of an order that can no longer be cancelled.
    """
    if event is _E.CANCEL_REQUESTED and not is_cancellable(status):
        raise Refused(
            f"an order in status {status.value!r} can no longer be cancelled",
            code="not_cancellable",
            status=409,
            order_status=status.value,
        )
    if status in TERMINAL:
        new, reason, detail = _at_terminal(status, event)
    elif event in PROGRESS_EVENTS:
        new, reason, detail = _progress(status, event, PROGRESS_EVENTS[event])
    else:
        new, reason, detail = _cancel_flow(status, event)
    return Transition(status, new, event, new != status, reason, detail, note)


def _at_terminal(status: OrderStatus, event: OrderEvent) -> _Decision:
    if event is _E.CANCEL_REQUESTED:  # only reached for cancelled: a repeat
        return status, TransitionReason.DUPLICATE, "the order is already cancelled"
    return status, TransitionReason.TERMINAL, f"{status.value} is final; {event.value} ignored"


def _progress(status: OrderStatus, event: OrderEvent, target: OrderStatus) -> _Decision:
    if target == status:
        return status, TransitionReason.DUPLICATE, f"the order is already {status.value}"
    if RANK[target] <= RANK[status]:
        detail = f"{event.value} arrived late: the order is already {status.value}"
        return status, TransitionReason.BACKWARD, detail
    if target not in ALLOWED[status]:
        return status, TransitionReason.NOT_ALLOWED, f"{status.value} cannot become {target.value}"
    return target, TransitionReason.ADVANCED, f"{event.value}: {status.value} -> {target.value}"


def _cancel_flow(status: OrderStatus, event: OrderEvent) -> _Decision:
    step = CANCEL_STEPS.get((status, event))
    if step is not None:
        return step, TransitionReason.CANCEL_FLOW, f"{event.value}: {status.value} -> {step.value}"
    if event is _E.CANCEL_REQUESTED:  # only reached for cancel_requested: a repeat
        return status, TransitionReason.DUPLICATE, "a cancellation is already pending"
    return status, TransitionReason.NOT_ALLOWED, f"{event.value} while no cancellation is pending"
