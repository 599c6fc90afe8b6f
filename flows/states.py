"""The final state of a run that takes files in: Completed, or Completed named Rejected."""

from __future__ import annotations

from typing import TypeVar

from prefect.states import Completed, State

T = TypeVar("T")

#: Name of the final state of a run that rejected a file; Prefect emits ``prefect.flow-run.Rejected``.
REJECTED = "Rejected"


def intake_state(result: T, rejected: int, total: int) -> State[T]:
    """A Completed state carrying ``result``, named :data:`REJECTED` when a file of the run was rejected.

    Completed, not Failed: the run did its work (the valid files loaded, the rejected ones went to
    quarantine with their problems) and its caller gets ``result``; Failed would make Prefect retry
    the run and its caller raise. The distinct name is what an automation or notification matches.
    """
    if not rejected:
        return Completed(data=result)
    message = f"{rejected} of {total} file(s) rejected; the others loaded or were unchanged"
    return Completed(data=result, name=REJECTED, message=message)
