"""The numbers of an experiment's results, made up but plausible and repeatable: each metric's
baseline and each variation's true effect come from a seed (the experiment, phase, metric and
variation), the noise of a sample from the same seed and the sample's size, so one snapshot
always answers the same and a later one, with more users, answers a little differently.

Comparisons are GrowthBook's: the relative change of a variation's mean over the control's,
its 95% interval from the delta method, and then either the Bayesian chance to beat control
and risk (expected loss) or the frequentist p-value. The sample-ratio check is a chi-squared
test of the users against the traffic split. Plain Python, no store."""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass

Z95 = 1.959963984540054
# metric type -> (lowest, highest) baseline mean, and the coefficient of variation per user
BASELINES = {"binomial": (0.03, 0.35), "proportion": (0.03, 0.35), "retention": (0.1, 0.6), "count": (1.0, 8.0),
             "duration": (60.0, 900.0), "revenue": (5.0, 80.0), "mean": (5.0, 80.0), "quantile": (0.5, 4.0), "ratio": (20.0, 90.0)}
SPREAD = {"count": 1.1, "duration": 1.4, "revenue": 2.0, "mean": 2.0, "quantile": 0.6, "ratio": 0.9}
PROPORTIONS = ("binomial", "proportion", "retention")
NO_COMPARISON = {"percentChange": 0, "ciLow": 0, "ciHigh": 0, "pValue": 0, "risk": 0, "chanceToBeatControl": 0}  # the control's own, or nothing to compare


def seeded(*parts: object) -> random.Random:
    return random.Random(int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16], 16))


@dataclass(frozen=True)
class Arm:
    """One variation's sample of one metric."""
    users: int
    numerator: float
    denominator: float
    mean: float
    stddev: float


def split_users(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """`total` users over the variations by their weights, with a multinomial's wobble."""
    out = []
    for weight in weights:
        expected = total * weight
        out.append(max(0, round(rng.gauss(expected, math.sqrt(max(expected * (1 - weight), 0.0))))))
    return out


def arms(metric_type: str, seed: tuple, users: list[int]) -> list[Arm]:
    """Each variation's sample of the metric (the first is the control)."""
    low, high = BASELINES.get(metric_type, BASELINES["mean"])
    baseline = seeded(*seed, "baseline").uniform(low, high)
    out = []
    for index, n in enumerate(users):
        effect = 0.0 if index == 0 else seeded(*seed, "effect", index).gauss(0.01, 0.03)
        out.append(_sample(metric_type, baseline * (1 + effect), n, seeded(*seed, "sample", index, n)))
    return out


def _sample(metric_type: str, true_mean: float, n: int, rng: random.Random) -> Arm:
    if n == 0:
        return Arm(0, 0.0, 0.0, 0.0, 0.0)
    if metric_type in PROPORTIONS:
        p = min(max(true_mean, 0.001), 0.999)
        conversions = min(n, max(0, round(rng.gauss(n * p, math.sqrt(n * p * (1 - p))))))
        mean = conversions / n
        return Arm(n, float(conversions), float(n), mean, math.sqrt(mean * (1 - mean)))
    stddev = true_mean * SPREAD[metric_type]
    units = n if metric_type != "ratio" else max(1, round(n * rng.uniform(0.2, 0.6)))  # a ratio's denominator: e.g. orders
    mean = max(0.0, rng.gauss(true_mean, stddev / math.sqrt(units)))
    if metric_type == "quantile":
        return Arm(n, mean, float(n), mean, stddev)
    return Arm(n, mean * units, float(units), mean, stddev)


def compare(control: Arm, arm: Arm, engine: str, inverse: bool = False) -> dict:
    """The analysis of `arm` against the control, as GrowthBook reports it (zeros where the
    engine has no such number, as GrowthBook's API does)."""
    if control.mean <= 0 or arm.denominator <= 0 or control.denominator <= 0:
        return dict(NO_COMPARISON)
    change = (arm.mean - control.mean) / control.mean
    variance = (arm.stddev ** 2 / (arm.denominator * control.mean ** 2)
                + arm.mean ** 2 * control.stddev ** 2 / (control.denominator * control.mean ** 4))
    se = math.sqrt(variance) or 1e-12
    found = {"percentChange": change, "ciLow": change - Z95 * se, "ciHigh": change + Z95 * se}
    better = -change if inverse else change
    if engine == "frequentist":
        return {**found, "pValue": 2 * (1 - _phi(abs(change) / se)), "risk": 0, "chanceToBeatControl": 0}
    risk = se * _density(better / se) - better * _phi(-better / se)  # expected loss of choosing the variation
    return {**found, "pValue": 0, "risk": max(risk, 0.0), "chanceToBeatControl": _phi(better / se)}


def srm(users: list[int], weights: list[float]) -> float:
    """The p-value of the users against the split they were meant to follow (1 = as meant)."""
    total, weight_sum = sum(users), sum(weights)
    if total == 0 or len(users) < 2 or weight_sum <= 0:
        return 1.0
    chi = sum((n - total * w / weight_sum) ** 2 / (total * w / weight_sum) for n, w in zip(users, weights) if w > 0)
    return _chi2_survival(chi, len(users) - 1)


def _phi(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2))


def _density(z: float) -> float:
    return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def _chi2_survival(x: float, df: int) -> float:
    """P(X > x) for a chi-squared X of `df` degrees of freedom (closed forms, no SciPy)."""
    half = x / 2
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for i in range(1, df // 2):
            term *= half / i
            total += term
        return min(1.0, math.exp(-half) * total)
    total = math.erfc(math.sqrt(half))
    term = math.sqrt(half) * math.exp(-half) / math.gamma(1.5)
    for i in range(1, (df + 1) // 2):
        total += term
        term *= half / (i + 0.5)
    return min(1.0, total)
