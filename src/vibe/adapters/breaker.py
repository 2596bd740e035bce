"""A circuit breaker around any model client: when the model's API is down, calls fail at once.

``CircuitBreakerModel`` wraps a ``ModelClient`` (Claude, OpenAI-compatible, ...) and keeps the
``Circuit`` (see ``domain.circuit`` for the rules) in a ``CircuitStore``: this process's memory, or
Redis for every worker. It learns how calls go from what the wrapped client already tells the agent:

- every failed try comes as a ``CallRetry`` (``outage`` unless it was a rate limit), and a call that
  gives up raises ``UpstreamError`` (``outage`` likewise): each is one failure;
- the first chunk of an answer, or a refusal of the request (the API answered), is a success.

While the circuit is open, a call raises ``CircuitOpen`` (``model_unavailable``, with a message naming
the outage) before any request goes out, and a call still retrying stops at its next failure instead
of sleeping through its backoff. A store that does not answer (Redis down) lets calls through: the
breaker saves time, it must never be why a generation fails.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

from vibe.domain.circuit import Admission, Circuit, CircuitPolicy
from vibe.domain.closing import closing
from vibe.domain.conversation import CallRetry, ModelChunk, ModelRequest, TokenEstimate
from vibe.domain.errors import UnavailableError, UpstreamError
from vibe.domain.ports import CircuitStore, Clock, ModelClient

__all__ = ["CircuitBreakerModel", "CircuitOpen"]

log = logging.getLogger("vibe.model")


class CircuitOpen(UpstreamError):
    """The circuit is open: the call was not made (or not made again)."""

    def __init__(self, circuit: Circuit) -> None:
        super().__init__(circuit.outage_message(), code="model_unavailable")
        self.circuit = circuit


class CircuitBreakerModel(ModelClient):
    def __init__(
        self, inner: ModelClient, store: CircuitStore, clock: Clock, policy: CircuitPolicy | None = None
    ) -> None:
        self._inner = inner
        self._store = store
        self._clock = clock
        self._policy = policy or CircuitPolicy()

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def inner(self) -> ModelClient:
        return self._inner

    @property
    def max_output_tokens(self) -> int:
        return self._inner.max_output_tokens

    async def count_input(self, request: ModelRequest) -> TokenEstimate:
        """The inner model's count: counting is free and no outage to guard against."""
        return await self._inner.count_input(request)

    async def circuit(self) -> Circuit | None:
        """The circuit as the store holds it now; None when the store does not answer."""
        try:
            return await self._store.read()
        except UnavailableError:
            return None

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
        probe = await self._admit()
        settled = False  # this call told the circuit how the API is doing
        answered = False  # the current try's answer has begun
        try:
            async with closing(self._inner.stream(request)) as chunks:
                async for chunk in chunks:
                    if isinstance(chunk, CallRetry):
                        answered = False
                        if chunk.outage:
                            settled = True
                            await self._failed(chunk.reason, stop=True)
                    elif not answered:
                        settled = answered = True
                        await self._change(lambda c: c.succeeded())
                    yield chunk
        except CircuitOpen:
            raise
        except UpstreamError as error:
            settled = True
            if error.outage:
                await self._failed(error.detail, stop=False)
            else:  # the API answered (a refusal, a rate limit): it is up
                await self._change(lambda c: c.succeeded())
            raise
        finally:
            if probe and not settled:  # cancelled before a verdict: let another call probe
                now = self._clock.now()
                await self._change(lambda c: c.released(now))

    async def _admit(self) -> bool:
        """Raise CircuitOpen unless the call may go; True when it goes as the probe."""
        now = self._clock.now()
        admitted: list[Admission] = []

        def admit(circuit: Circuit) -> Circuit:
            changed, admission = circuit.admit(now, self._policy)
            admitted[:] = [admission]
            return changed

        before, after = await self._change(admit) or (None, None)
        if not admitted or admitted[0] is Admission.CALL:
            return False
        if admitted[0] is Admission.REFUSE:
            raise CircuitOpen(after or Circuit())
        log.warning("model circuit half-open: probing the API (%s)", (before or Circuit()).reason)
        return True

    async def _failed(self, reason: str, *, stop: bool) -> None:
        now = self._clock.now()
        changed = await self._change(lambda c: c.failed(now, reason, self._policy))
        if changed is None:
            return
        before, after = changed
        if after.state == "open" and before.state != "open":
            log.error("model circuit opened: %s", after.outage_message())
        if stop and after.state == "open":
            raise CircuitOpen(after)

    async def _change(self, change: Callable[[Circuit], Circuit]) -> tuple[Circuit, Circuit] | None:
        try:
            before, after = await self._store.update(change)
        except UnavailableError as error:
            log.warning("model circuit state unavailable (%s); letting the call through", error.detail)
            return None
        if before.state != "closed" and after.state == "closed":
            log.warning("model circuit closed: the API answers again")
        return before, after
