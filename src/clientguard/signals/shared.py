"""Results several signals read, computed once per review.

Every signal is a plain function of ``(ledger, as_of, policy)``; several of them (and the
review itself) read the same payment profiles or concentration reports. Inside
:func:`sharing` (the review opens it around its signals) :func:`shared` computes each such
result once per ledger, date and policy; outside it, each call computes afresh, so a signal
called on its own in a test needs nothing set up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from clientguard.ledger import Ledger
    from clientguard.policy import Policy


# Internal (the review's once-per-review cache of results several signals read), left out of
# __all__: sharing, shared.
__all__: list[str] = []

T = TypeVar("T")

_RESULTS: ContextVar[dict[tuple[str, int, date, int], tuple[Any, ...]] | None] = ContextVar(
    "clientguard_shared_results", default=None
)


@contextmanager
def sharing() -> Iterator[None]:
    """Within this block, :func:`shared` computes each result once."""
    token = _RESULTS.set({})
    try:
        yield
    finally:
        _RESULTS.reset(token)


def active() -> bool:
    """Whether :func:`shared` keeps its results now (inside :func:`sharing`): for a result
    that is cheaper made together with another one only when the other will be read too."""
    return _RESULTS.get() is not None


def shared(
    name: str,
    ledger: Ledger,
    as_of: date,
    policy: Policy,
    compute: Callable[..., T],
    **options: Any,
) -> T:
    """``compute(ledger, as_of=as_of, policy=policy, **options)``, once per ``name``, ledger,
    date and policy within :func:`sharing`."""
    results = _RESULTS.get()
    if results is None:
        return compute(ledger, as_of=as_of, policy=policy, **options)
    key = (name, id(ledger), as_of, id(policy))
    held = results.get(key)
    # The objects are kept with the result: an id is only unique while its object lives.
    if held is None or held[1] is not ledger or held[2] is not policy:
        held = (compute(ledger, as_of=as_of, policy=policy, **options), ledger, policy)
        results[key] = held
    value: T = held[0]
    return value


def held(name: str, ledger: Ledger, as_of: date, policy: Policy) -> Any:
    """What :func:`shared` already computed under ``name`` for this ledger, date and policy
    within :func:`sharing`; None where nothing was (outside it, or not yet): for a signal that
    needs only part of a result, and computes that part alone when the whole is not held."""
    results = _RESULTS.get()
    if results is None:
        return None
    held = results.get((name, id(ledger), as_of, id(policy)))
    if held is None or held[1] is not ledger or held[2] is not policy:
        return None
    return held[0]
