import math

import numpy as np
import pytest

from keras_attention.data.reservoir import Reservoir


def _sample(capacity, seed, offers):
    reservoir = Reservoir(capacity, seed=seed)
    start = 0
    for count in offers:
        reservoir.offer(count, lambda index, start=start: start + index)
        start += count
    return reservoir


def test_every_item_is_kept_with_probability_capacity_over_seen():
    capacity, length, trials = 5, 40, 4000
    counts = np.zeros(length)
    for seed in range(trials):
        reservoir = _sample(capacity, seed, [7, 13, 20])
        assert len(reservoir.items) == capacity
        assert len(set(reservoir.items)) == capacity
        counts[reservoir.items] += 1
    expected = trials * capacity / length
    spread = math.sqrt(trials * (capacity / length) * (1 - capacity / length))
    assert np.all(np.abs(counts - expected) < 5 * spread), counts
    chi_square = float(np.sum((counts - expected) ** 2 / expected))
    assert chi_square < 80.0, chi_square  # 39 degrees of freedom: the 0.1% tail starts at 72.1


def test_a_short_stream_is_kept_whole_in_stream_order():
    reservoir = _sample(10, 3, [4, 0, 3])
    assert reservoir.items == list(range(7))
    assert reservoir.seen == 7


def test_the_sample_does_not_depend_on_how_the_stream_is_offered():
    one_offer = _sample(50, 11, [100_000]).items
    assert _sample(50, 11, [1] * 1000 + [99_000]).items == one_offer
    assert _sample(50, 11, [30, 70, 3, 99_897]).items == one_offer
    assert _sample(50, 12, [100_000]).items != one_offer


def test_item_at_is_called_only_for_items_that_enter_the_sample():
    calls = []
    reservoir = Reservoir(100, seed=0)
    reservoir.offer(1_000_000, lambda index: calls.append(index) or index)
    assert reservoir.seen == 1_000_000
    assert calls[:100] == list(range(100))
    # An item enters after the first `capacity` with probability capacity / position.
    expected = 100 + sum(100 / position for position in range(101, 1_000_001))
    assert abs(len(calls) - expected) < 0.2 * expected, (len(calls), expected)
    assert calls == sorted(calls)
    assert set(reservoir.items) <= set(calls)


def test_capacity_zero_keeps_nothing():
    reservoir = Reservoir(0)
    reservoir.offer(1000, lambda index: pytest.fail("nothing is kept"))
    assert reservoir.items == []
    assert reservoir.seen == 1000


@pytest.mark.parametrize("capacity", [-1, 2.5, "10", True, None])
def test_capacity_must_be_a_non_negative_integer(capacity):
    with pytest.raises(ValueError, match=f"capacity must be a non-negative integer, got {capacity!r}"):
        Reservoir(capacity)
