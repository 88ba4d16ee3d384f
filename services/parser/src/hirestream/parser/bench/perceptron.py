"""The averaged perceptron both learned parser components train with (pure Python, no dependency).

Deterministic for the same data: the examples are shuffled with a fixed seed. Features seen fewer
than ``min_count`` times are left out: they say little about unseen CVs and fatten the data file.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import TypeVar

Label = TypeVar("Label", bound=Hashable)


def averaged_perceptron(
    data: Sequence[tuple[list[str], Label]],
    classes: Sequence[Label],
    fallback: Label,
    epochs: int,
    seed: int,
    min_count: int,
) -> dict[Label, dict[str, float]]:
    """Class → feature → averaged weight (unrounded, zeros included). A guess is the class with
    the highest score, ``fallback`` on a tie; a wrong guess moves the gold class's weights up and
    the guess's down. With two classes the weights are each other's negatives, and the positive
    class's are exactly a binary perceptron's."""
    counts: dict[str, int] = defaultdict(int)
    for feats, _ in data:
        for f in feats:
            counts[f] += 1
    data = [([f for f in feats if counts[f] >= min_count], y) for feats, y in data]
    weights: dict[Label, dict[str, float]] = {c: defaultdict(float) for c in classes}
    totals: dict[Label, dict[str, float]] = {c: defaultdict(float) for c in classes}
    stamps: dict[Label, dict[str, int]] = {c: defaultdict(int) for c in classes}
    order = list(range(len(data)))
    rng = random.Random(seed)
    step = 0
    for _ in range(epochs):
        rng.shuffle(order)
        for index in order:
            feats, gold = data[index]
            step += 1
            scores = {c: sum(weights[c].get(f, 0.0) for f in feats) for c in classes}
            guess = max(classes, key=lambda c: (scores[c], c == fallback))
            if guess == gold:
                continue
            for cls, sign in ((gold, 1.0), (guess, -1.0)):
                w, t, s = weights[cls], totals[cls], stamps[cls]
                for f in feats:
                    t[f] += (step - s[f]) * w[f]
                    s[f] = step
                    w[f] += sign
    return {
        cls: {f: (totals[cls][f] + (step - stamps[cls][f]) * w) / step for f, w in ws.items()}
        for cls, ws in weights.items()
    }


def rounded(weights: dict[str, float], places: int = 4) -> dict[str, float]:
    """Weights rounded for the shipped data file, the ones that round to zero left out: the
    file stays small and its bytes depend on nothing but the data and the seed."""
    kept = {f: round(v, places) for f, v in weights.items()}
    return {f: v for f, v in kept.items() if v}
