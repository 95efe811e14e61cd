"""A seeded uniform sample of a stream of unknown length, drawing random numbers only for what it keeps."""

import math
import random


class Reservoir:
    """Reservoir sampling by skips (Li's Algorithm L, 1994).

    After the first `capacity` items, the number of items to pass over before the next one that
    enters the sample is drawn directly, so an item that is not kept costs nothing: a block of
    items is offered as a count and a function that gives the items asked for. Every item of the
    stream is in the final sample with probability `capacity / seen`; while no more than
    `capacity` items were offered, the sample is all of them in stream order.

    Args:
        capacity: the most items in the sample, a non-negative integer.
        seed: seed of the sample.
    """

    def __init__(self, capacity, seed=0):
        if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 0:
            raise ValueError(f"capacity must be a non-negative integer, got {capacity!r}")
        self.capacity = capacity
        self.items = []
        self.seen = 0
        self._random = random.Random(seed)
        self._log_weight = 0.0
        self._next = None

    def offer(self, count, item_at):
        """Offers the next `count` items of the stream.

        Args:
            count: number of items offered.
            item_at: function of an index in `range(count)` that returns that item; it is called
                only for the items that enter the sample.
        """
        start, end = self.seen, self.seen + count
        filled = min(end, start + self.capacity - len(self.items))
        self.items.extend(item_at(index - start) for index in range(start, max(start, filled)))
        if self._next is None and len(self.items) == self.capacity and self.capacity:
            self._next = self.capacity - 1
            self._skip()
        while self._next is not None and self._next < end:
            self.items[self._random.randrange(self.capacity)] = item_at(self._next - start)
            self._skip()
        self.seen = end

    def _skip(self):
        self._log_weight += math.log(self._uniform()) / self.capacity
        self._next += math.floor(math.log(self._uniform()) / math.log(-math.expm1(self._log_weight))) + 1

    def _uniform(self):
        """A uniform draw in the open interval (0, 1)."""
        while True:
            value = self._random.random()
            if value:
                return value
