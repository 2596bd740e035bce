"""The fair queue at the hashing thread: round-robin across addresses, then accounts; bounded; and a
waiter that goes away (a client that hung up) neither keeps its place nor swallows a turn."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vibe.application.fair_queue import FairQueue
from vibe.domain.errors import UnavailableError


async def served_order(queue: FairQueue, requests: list[tuple[str, str]]) -> list[str]:
    """Queue ``requests`` (group, key) behind one turn held, then release it: the order they got in."""
    order: list[str] = []

    async def one(group: str, key: str, name: str) -> None:
        async with queue.turn(group, key):
            order.append(name)
            await asyncio.sleep(0)

    await queue.acquire("holder", "holder")
    tasks = [asyncio.create_task(one(g, k, f"{g}/{k}#{i}")) for i, (g, k) in enumerate(requests)]
    await asyncio.sleep(0)
    assert queue.waiting == len(requests)
    queue.release()
    await asyncio.gather(*tasks)
    return order


async def test_a_burst_for_one_account_waits_behind_itself_not_in_front_of_others() -> None:
    burst = [("10.0.0.1", "victim")] * 8
    order = await served_order(FairQueue(), [*burst, ("10.0.0.1", "ada"), ("10.0.0.2", "bob")])
    assert order[:3] == ["10.0.0.1/victim#0", "10.0.0.2/bob#9", "10.0.0.1/ada#8"]


async def test_someone_arriving_during_a_burst_waits_for_the_turn_in_progress_only() -> None:
    """A sparse account (nobody waiting for it) goes ahead of a backlogged one that already had a
    turn, within an address and across addresses (FQ-CoDel's new flows first)."""
    queue = FairQueue()
    waiting: dict[str, asyncio.Task[None]] = {}
    order: list[str] = []

    async def arrive(group: str, key: str, name: str) -> None:
        waiting[name] = asyncio.create_task(queue.acquire(group, key))
        await asyncio.sleep(0)

    async def hand_over() -> None:  # the turn in progress ends: who gets the next one
        queue.release()
        await asyncio.sleep(0)
        served = [name for name, task in waiting.items() if task.done()]
        for name in served:
            del waiting[name]
        order.extend(served)

    await queue.acquire("holder", "holder")
    for i in range(4):
        await arrive("10.0.0.1", "victim", f"victim#{i}")
    await hand_over()  # the burst's first turn starts; the other three wait
    await arrive("10.0.0.1", "ada", "ada")
    await arrive("10.0.0.2", "bob", "bob")
    for _ in range(5):
        await hand_over()
    # bob's address is sparse too, so he goes first; ada's has the burst, but her account is sparse
    assert order == ["victim#0", "bob", "ada", "victim#1", "victim#2", "victim#3"]


async def test_groups_take_turns_then_accounts_within_a_group() -> None:
    requests = [("a", "x"), ("a", "x"), ("a", "y"), ("b", "z"), ("b", "z"), ("c", "w")]
    order = await served_order(FairQueue(), requests)
    assert order == ["a/x#0", "b/z#3", "c/w#5", "a/y#2", "b/z#4", "a/x#1"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.sampled_from("ab"), st.sampled_from("xy")), st.sampled_from(["release", "cancel"])
        ),
        max_size=40,
    )
)
async def test_every_waiter_gets_one_turn_in_its_keys_order(steps: list[tuple[str, str] | str]) -> None:
    """Whatever arrives, leaves and is released in any order: no turn is lost or given twice, the
    waiters of one key are served first come first served, and the count of waiters stays right."""
    queue = FairQueue()
    await queue.acquire("holder", "holder")
    served: list[tuple[tuple[str, str], int]] = []
    waiters: list[asyncio.Task[None]] = []
    releases = 0

    async def wait(entry: tuple[str, str], number: int) -> None:
        await queue.acquire(*entry)
        served.append((entry, number))

    for step in steps:
        if step == "release":
            if 1 + len(served) > releases:  # a turn is held
                queue.release()
                releases += 1
        elif step == "cancel":
            next((task for task in waiters if not task.done()), asyncio.Future()).cancel()
        elif isinstance(step, tuple):
            waiters.append(asyncio.create_task(wait(step, len(waiters))))
        await asyncio.sleep(0)
        assert queue.waiting == sum(not task.done() for task in waiters)
        assert 1 + len(served) - releases <= 1  # never more turns held than there are
    while 1 + len(served) > releases:  # give every turn back: everybody still waiting is served
        queue.release()
        releases += 1
        await asyncio.sleep(0)
    assert all(task.done() for task in waiters)
    assert queue.waiting == 0
    numbers = [number for _, number in served]
    assert len(numbers) == len(set(numbers)) == sum(not task.cancelled() for task in waiters)
    for entry in {entry for entry, _ in served}:
        mine = [number for e, number in served if e == entry]
        assert mine == sorted(mine)


async def test_a_full_queue_refuses_at_once() -> None:
    queue = FairQueue(max_waiting=3)
    await queue.acquire("g", "holder")
    waiting = [asyncio.create_task(queue.acquire("g", f"k{i}")) for i in range(3)]
    await asyncio.sleep(0)
    with pytest.raises(UnavailableError):
        await queue.acquire("g", "one too many")
    for _ in range(4):
        queue.release()
        await asyncio.sleep(0)
    await asyncio.gather(*waiting)
    assert queue.waiting == 0


@pytest.mark.parametrize("handed_over_first", [False, True])
async def test_a_cancelled_waiter_leaves_the_queue_and_the_turn_goes_on(handed_over_first: bool) -> None:
    queue = FairQueue()
    await queue.acquire("g", "holder")
    gone = asyncio.create_task(queue.acquire("g", "gone"))
    stays = asyncio.create_task(queue.acquire("h", "stays"))
    await asyncio.sleep(0)
    if handed_over_first:  # the turn reaches "gone" (first in line) just before it is cancelled
        queue.release()
        gone.cancel()
    else:
        gone.cancel()
        queue.release()
    await asyncio.wait_for(stays, 1)
    assert gone.cancelled()
    assert queue.waiting == 0
    queue.release()
    await asyncio.wait_for(queue.acquire("g", "next"), 1)  # the one turn is free again, not lost


async def test_concurrency_is_the_number_of_turns_held_at_once() -> None:
    queue = FairQueue(concurrency=2)
    held = 0
    most = 0

    async def work() -> None:
        nonlocal held, most
        async with queue.turn("g", "k"):
            held += 1
            most = max(most, held)
            await asyncio.sleep(0.001)
            held -= 1

    await asyncio.gather(*(work() for _ in range(10)))
    assert most == 2
