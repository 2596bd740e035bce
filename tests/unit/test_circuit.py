"""The circuit breaker's rules (domain) and the decorator around a model that applies them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vibe.adapters.breaker import CircuitBreakerModel, CircuitOpen
from vibe.adapters.memory import InMemoryCircuitStore
from vibe.domain.circuit import Admission, Circuit, CircuitPolicy
from vibe.domain.conversation import CallRetry, ModelChunk, ModelRequest, TextDelta, TurnEnd
from vibe.domain.errors import UnavailableError, UpstreamError
from vibe.domain.ports import ModelClient
from vibe.testing import FakeClock

POLICY = CircuitPolicy(failures=3, window=timedelta(seconds=60), cooldown=timedelta(seconds=30))
T0 = datetime(2026, 3, 1, 14, 2, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def failed(circuit: Circuit, *times: float) -> Circuit:
    for moment in times:
        circuit = circuit.failed(at(moment), "The model service is overloaded.", POLICY)
    return circuit


# --- the rules ------------------------------------------------------------------------------------


def test_three_failures_in_a_row_within_the_window_open_it() -> None:
    assert failed(Circuit(), 0, 1).state == "closed"
    opened = failed(Circuit(), 0, 1, 2)
    assert (opened.state, opened.trips, opened.retry_at) == ("open", 1, at(32))
    assert opened.admit(at(10), POLICY) == (opened, Admission.REFUSE)


def test_failures_spread_wider_than_the_window_do_not() -> None:
    assert failed(Circuit(), 0, 30, 61).state == "closed"  # the third came 61 s after the first
    assert failed(Circuit(), 0, 30, 61).failures == 1


def test_an_answer_counts_from_zero_again() -> None:
    assert failed(failed(Circuit(), 0, 1).succeeded(), 2, 3).state == "closed"


def test_after_the_cooldown_exactly_one_probe_goes() -> None:
    opened = failed(Circuit(), 0, 1, 2)
    probing, admission = opened.admit(at(32), POLICY)
    assert (probing.state, admission) == ("half_open", Admission.PROBE)
    assert probing.admit(at(33), POLICY)[1] is Admission.REFUSE  # everyone else still fails fast
    assert probing.succeeded() == Circuit(trips=1)
    reopened = probing.failed(at(40), "down", POLICY)
    assert (reopened.state, reopened.retry_at) == ("open", at(70))


def test_a_probe_that_never_answers_lets_another_go_after_its_lease() -> None:
    probing, _ = failed(Circuit(), 0, 1, 2).admit(at(32), POLICY)
    assert probing.admit(at(32 + 59), POLICY)[1] is Admission.REFUSE
    assert probing.admit(at(32 + 60), POLICY)[1] is Admission.PROBE
    assert probing.released(at(40)).admit(at(40), POLICY)[1] is Admission.PROBE


def test_the_outage_message_names_the_outage() -> None:
    message = failed(Circuit(), 0, 1, 2).outage_message()
    assert "3 calls in a row failed since 14:02:00 UTC" in message
    assert "overloaded" in message
    assert "14:02:32 UTC" in message


events = st.lists(st.tuples(st.sampled_from(["fail", "ok", "admit"]), st.floats(0, 200)), max_size=40)


@given(events)
def test_it_opens_only_after_enough_failures_and_refuses_only_while_open(
    steps: list[tuple[str, float]],
) -> None:
    circuit, now, streak = Circuit(), 0.0, 0
    for kind, pause in steps:
        now += pause
        before = circuit
        if kind == "fail":
            circuit = circuit.failed(at(now), "down", POLICY)
            streak += 1
        elif kind == "ok":
            circuit, streak = circuit.succeeded(), 0
            assert circuit.state == "closed"
        else:
            circuit, admission = circuit.admit(at(now), POLICY)
            assert (admission is Admission.CALL) == (before.state == "closed")
            if admission is Admission.REFUSE:
                assert before.retry_at is not None
                assert at(now) < before.retry_at
        if circuit.state == "open" and before.state == "closed":
            assert streak >= POLICY.failures
        assert circuit.trips >= before.trips


# --- the decorator --------------------------------------------------------------------------------


Try = Sequence[ModelChunk] | BaseException


class FlakyModel(ModelClient):
    """Each call plays the next script: chunks (``CallRetry`` among them, as an adapter's retries
    would send) then, optionally, an exception."""

    def __init__(self, calls: Sequence[Sequence[Try]]) -> None:
        self.calls = list(calls)
        self.made = 0

    @property
    def name(self) -> str:
        return "flaky"

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
        self.made += 1
        for step in self.calls.pop(0):
            if isinstance(step, BaseException):
                raise step
            for chunk in step:
                await asyncio.sleep(0)
                yield chunk


REQUEST = ModelRequest(system=(), messages=(), tools=())
ANSWER: list[ModelChunk] = [TextDelta("hello"), TurnEnd("end_turn")]
OVERLOADED = CallRetry("The model service is overloaded.")
GAVE_UP = UpstreamError(
    "The model service is overloaded. It failed 4 times.", code="model_unavailable", outage=True
)


async def play(model: ModelClient) -> list[ModelChunk]:
    return [chunk async for chunk in model.stream(REQUEST)]


def guarded(calls: Sequence[Sequence[Try]]) -> tuple[CircuitBreakerModel, FlakyModel, FakeClock]:
    clock = FakeClock(T0)
    inner = FlakyModel(calls)
    return CircuitBreakerModel(inner, InMemoryCircuitStore(), clock, POLICY), inner, clock


async def test_it_opens_mid_retry_and_then_fails_fast_without_calling() -> None:
    model, inner, clock = guarded([[[OVERLOADED, OVERLOADED, OVERLOADED, OVERLOADED], GAVE_UP], [ANSWER]])
    with pytest.raises(CircuitOpen) as opened:
        await play(model)
    assert opened.value.code == "model_unavailable"
    assert "3 calls in a row failed" in opened.value.detail
    clock.advance(10)
    with pytest.raises(CircuitOpen):
        await play(model)
    assert inner.made == 1  # the second call never reached the model


async def test_the_probe_closes_it_and_calls_flow_again() -> None:
    model, inner, clock = guarded([[[OVERLOADED] * 3], [ANSWER], [ANSWER]])
    with pytest.raises(CircuitOpen):
        await play(model)
    clock.advance(30)
    assert await play(model) == ANSWER
    assert (await model.circuit()) == Circuit(trips=1)
    assert await play(model) == ANSWER
    assert inner.made == 3


async def test_a_failed_probe_opens_it_for_another_cooldown() -> None:
    model, _, clock = guarded([[[OVERLOADED] * 3], [[OVERLOADED]]])
    with pytest.raises(CircuitOpen):
        await play(model)
    clock.advance(30)
    with pytest.raises(CircuitOpen):
        await play(model)
    circuit = await model.circuit()
    assert circuit is not None
    assert (circuit.state, circuit.retry_at) == ("open", clock.now() + timedelta(seconds=30))


async def test_rate_limits_and_refusals_are_answers_not_outages() -> None:
    limited = CallRetry("The model service is rate limiting us.", outage=False)
    refused = UpstreamError("The model service refused the request (400).", code="model_error")
    model, _, _ = guarded(
        [[[OVERLOADED, OVERLOADED, limited, limited], refused], [[OVERLOADED, OVERLOADED], ANSWER]]
    )
    with pytest.raises(UpstreamError) as caught:
        await play(model)
    assert caught.value is refused
    assert await play(model) == [OVERLOADED, OVERLOADED, *ANSWER]  # two in a row again, and an answer
    assert (await model.circuit()) == Circuit()


async def test_a_cancelled_probe_lets_the_next_call_probe() -> None:
    stalled = asyncio.Event()

    class Stalling(FlakyModel):
        async def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
            stalled.set()
            await asyncio.sleep(60)
            yield TurnEnd("end_turn")

    clock = FakeClock(T0)
    store = InMemoryCircuitStore()
    await store.update(lambda c: failed(c, 0, 1, 2))
    clock.advance(40)
    model = CircuitBreakerModel(Stalling([]), store, clock, POLICY)
    probe = asyncio.create_task(play(model))
    await stalled.wait()
    with pytest.raises(CircuitOpen):  # a probe is under way
        await play(model)
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe
    assert (await store.read()).admit(clock.now(), POLICY)[1] is Admission.PROBE


class DownStore(InMemoryCircuitStore):
    async def read(self) -> Circuit:
        raise UnavailableError("Redis is down")

    async def update(self, change: Callable[[Circuit], Circuit]) -> tuple[Circuit, Circuit]:
        raise UnavailableError("Redis is down")


async def test_a_store_that_does_not_answer_lets_calls_through() -> None:
    model = CircuitBreakerModel(FlakyModel([[[OVERLOADED] * 5, ANSWER]]), DownStore(), FakeClock(T0), POLICY)
    assert await play(model) == [OVERLOADED] * 5 + ANSWER
    assert await model.circuit() is None
