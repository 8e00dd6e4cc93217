"""Which record an operation picks: uniform, zipfian (scrambled, as YCSB) or latest.

Zipfian follows Gray et al., "Quickly generating billion-record synthetic databases"
(the method YCSB uses), with YCSB's constant 0.99; ranks are scrambled by an FNV hash
so the popular records spread over the key space instead of sitting at its start.
"""

from __future__ import annotations

import random

ZIPFIAN_CONSTANT = 0.99
_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3


def fnv1a64(value: int) -> int:
    h = _FNV_OFFSET
    for _ in range(8):
        h ^= value & 0xFF
        h = (h * _FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
        value >>= 8
    return h


class Zipfian:
    """Ranks 0..n-1, rank 0 the most popular."""

    def __init__(self, n: int, theta: float = ZIPFIAN_CONSTANT) -> None:
        self.n = n
        self.theta = theta
        self.zetan = self._zeta(n)
        self.alpha = 1.0 / (1.0 - theta)
        zeta2 = self._zeta(2)
        self.eta = (1 - (2.0 / n) ** (1 - theta)) / (1 - zeta2 / self.zetan) if n > 1 else 0.0

    def _zeta(self, n: int) -> float:
        return sum(1.0 / (i + 1) ** self.theta for i in range(n))

    def grow(self, n: int) -> None:
        """More items (inserts): extend zeta incrementally."""
        if n > self.n:
            self.zetan += sum(1.0 / (i + 1) ** self.theta for i in range(self.n, n))
            self.n = n
            zeta2 = self._zeta(2)
            self.eta = (1 - (2.0 / n) ** (1 - self.theta)) / (1 - zeta2 / self.zetan)

    def rank(self, rng: random.Random) -> int:
        u = rng.random()
        uz = u * self.zetan
        if uz < 1.0:
            return 0
        if uz < 1.0 + 0.5 ** self.theta:
            return 1
        return min(self.n - 1, int(self.n * (self.eta * u - self.eta + 1) ** self.alpha))


class Chooser:
    """Picks a record number among the `count()` records inserted so far."""

    def __init__(self, kind: str, records: int) -> None:
        if kind not in ("uniform", "zipfian", "latest"):
            raise ValueError(f"unknown key distribution {kind!r}")
        self.kind = kind
        self.zipf = Zipfian(records) if kind != "uniform" else None

    def pick(self, rng: random.Random, count: int) -> int:
        if self.kind == "uniform":
            return rng.randrange(count)
        assert self.zipf is not None
        if count > self.zipf.n:
            self.zipf.grow(count)
        rank = self.zipf.rank(rng) % count
        if self.kind == "latest":  # the newest records are the popular ones
            return count - 1 - rank
        return fnv1a64(rank) % count
