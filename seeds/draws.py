"""Small deterministic helpers of the data generator (seeds/generate.py): exact shares, integer
allocation, certificate validity, and draws without early repeats. All randomness comes from the
`random.Random` passed in."""
from __future__ import annotations

import datetime as dt
import math
from random import Random


def spread(rng: Random, n: int, shares: dict[str, float]) -> list[str]:
    """Exactly-proportioned labels for n items (largest remainder), shuffled."""
    total = sum(shares.values())
    quotas = {k: n * w / total for k, w in shares.items()}
    counts = {k: math.floor(q) for k, q in quotas.items()}
    by_remainder = sorted(shares, key=lambda k: counts[k] - quotas[k])  # stable: ties keep order
    for k in by_remainder[: n - sum(counts.values())]:
        counts[k] += 1
    labels = [k for k in shares for _ in range(counts[k])]
    rng.shuffle(labels)
    return labels


def allocate(total: int, weights: list[float], base: list[int]) -> list[int]:
    """Integers >= base summing to total, the part above base proportional to weights."""
    rest = total - sum(base)
    quotas = [rest * w / sum(weights) for w in weights]
    counts = [b + math.floor(q) for b, q in zip(base, quotas)]
    order = sorted(range(len(weights)), key=lambda i: (math.floor(quotas[i]) - quotas[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def validity(rng: Random, as_of: dt.date, years: int, expired: bool) -> tuple[dt.date, dt.date]:
    """(issue date, valid-until date) of a certificate valid for `years`, lapsed before as_of if expired."""
    days = round(years * 365.25)
    until = as_of - dt.timedelta(rng.randint(1, 540)) if expired else as_of + dt.timedelta(rng.randint(30, days - 1))
    return until - dt.timedelta(days - 1), until


class Cycle:
    """Draws from a list in shuffled rounds, so small counts have no repeats; `first` comes first."""

    def __init__(self, rng: Random, items, first=None):
        self.rng, self.items = rng, list(items)
        self.queue = [item for item in self.items if item != first]
        rng.shuffle(self.queue)
        if first is not None:
            self.queue.append(first)  # popped next

    def next(self):
        if not self.queue:
            self.queue = self.items[:]
            self.rng.shuffle(self.queue)
        return self.queue.pop()

