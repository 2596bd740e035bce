"""The circuit breaker on the model's API, as a value: closed, open or half-open, and its rules.

Closed: calls go through; outage failures (5xx, 529, connection errors, timeouts) are counted, and
``failures`` of them in a row within ``window`` open the circuit. Any answer from the API (the first
chunk of a stream, or a refusal of the request) is a success and counts them from zero again.
Open: calls fail at once, until ``cooldown`` has passed. Then the first call to ask becomes the probe
(half-open): it goes through while everyone else still fails at once. The probe's success closes the
circuit; its failure opens it for another cooldown. A probe that never answers (its worker died) lets
another one go after ``probe_lease``.

Every change is a pure function of the state, the time and the policy, so a store can apply it
atomically (compare-and-set) whether it lives in one process or in Redis for every worker.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from typing import Literal

import msgspec

__all__ = ["Admission", "Circuit", "CircuitPolicy"]

State = Literal["closed", "open", "half_open"]


class Admission(Enum):
    CALL = "call"  # closed: go ahead
    PROBE = "probe"  # the one call that tests whether the API is back
    REFUSE = "refuse"  # open, or a probe is under way: fail at once


class CircuitPolicy(msgspec.Struct, frozen=True, kw_only=True):
    failures: int = 5
    window: timedelta = timedelta(seconds=60)
    cooldown: timedelta = timedelta(seconds=30)
    probe_lease: timedelta = timedelta(seconds=60)


class Circuit(msgspec.Struct, frozen=True, kw_only=True):
    state: State = "closed"
    failures: int = 0  # outage failures in a row (closed), or since it opened (open, half-open)
    first_failure: datetime | None = None  # the first of those failures
    opened_at: datetime | None = None
    retry_at: datetime | None = None  # open: when a probe may go; half-open: when the probe's lease ends
    reason: str = ""  # what the last failure said
    trips: int = 0  # how many times it opened, ever

    def admit(self, now: datetime, policy: CircuitPolicy) -> tuple[Circuit, Admission]:
        if self.state == "closed":
            return self, Admission.CALL
        if self.retry_at is not None and now < self.retry_at:
            return self, Admission.REFUSE
        probing = msgspec.structs.replace(self, state="half_open", retry_at=now + policy.probe_lease)
        return probing, Admission.PROBE

    def failed(self, now: datetime, reason: str, policy: CircuitPolicy) -> Circuit:
        """One outage failure of a call."""
        if self.state == "closed":
            fresh = self.first_failure is None or now - self.first_failure > policy.window
            first = now if fresh else self.first_failure
            count = 1 if fresh else self.failures + 1
            if count < policy.failures:
                return msgspec.structs.replace(self, failures=count, first_failure=first, reason=reason)
            return Circuit(
                state="open",
                failures=count,
                first_failure=first,
                opened_at=now,
                retry_at=now + policy.cooldown,
                reason=reason,
                trips=self.trips + 1,
            )
        if self.state == "half_open":  # the probe failed: another cooldown
            return msgspec.structs.replace(
                self, state="open", failures=self.failures + 1, retry_at=now + policy.cooldown, reason=reason
            )
        return msgspec.structs.replace(self, failures=self.failures + 1, reason=reason)

    def succeeded(self) -> Circuit:
        """The API answered: whatever the state, it is closed and counts from zero."""
        if self.state == "closed" and self.failures == 0:
            return self
        return Circuit(trips=self.trips)

    def released(self, now: datetime) -> Circuit:
        """The probe ended without a verdict (its generation was cancelled): the next call may probe."""
        if self.state != "half_open":
            return self
        return msgspec.structs.replace(self, retry_at=now)

    def outage_message(self) -> str:
        """What a call refused while the circuit is open tells the user."""
        since = f" since {self.first_failure:%H:%M:%S} UTC" if self.first_failure else ""
        retry = f" The next check is at {self.retry_at:%H:%M:%S} UTC." if self.retry_at else ""
        cause = f" ({self.reason.rstrip('.')})" if self.reason else ""
        return (
            f"The model service is down: {self.failures} calls in a row failed{since}{cause}. "
            f"Generations fail at once until it answers again; please try again in a few minutes.{retry}"
        )
