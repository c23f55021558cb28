"""What a drift run found: each step as both sides answered it, and the differences, as a
table for people and JSON for everything else."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from mockexp.drift.compare import MOCK_GAP, Difference, compare
from mockexp.drift.sequence import Observed, Step


@dataclass
class DriftReport:
    vendor: str
    upstream: str
    steps: list[tuple[Step, Observed | None, Observed | None]] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)

    @classmethod
    def of(cls, vendor: str, upstream: str, steps: list[Step], real: list[Observed], mock: list[Observed]) -> "DriftReport":
        report = cls(vendor, upstream)
        by_name = [{seen.step.name: seen for seen in side} for side in (real, mock)]
        created = tuple(side["create"].body if "create" in side else None for side in by_name)
        for step in steps:
            one, other = by_name[0].get(step.name), by_name[1].get(step.name)
            report.steps.append((step, one, other))
            if one is not None and other is not None:
                report.differences += compare(one, other, created)
            elif one is not None or other is not None:  # one side could not run it: its create failed
                report.differences.append(Difference(step.name, step.operation.operation_id, "status", "status", _status(one), _status(other),
                                                     report._cause()))
        return report

    def _cause(self) -> str:
        """A step only one side ran follows from an earlier status difference (the create's):
        it is classed as that one is (a real API that failed its create is no mock gap)."""
        earlier = next((d for d in self.differences if d.kind == "status"), None)
        return earlier.classification if earlier is not None else MOCK_GAP

    @property
    def ok(self) -> bool:
        """No mock gap (spec gaps and vendor deviations are reported, but are not the mock's)."""
        return not any(difference.classification == MOCK_GAP for difference in self.differences)

    def counts(self) -> dict[str, int]:
        return dict(Counter(difference.classification for difference in self.differences))

    def table(self) -> str:
        named = max([len(step.operation.operation_id) for step, _, _ in self.steps] + [len("operation")])
        lines = [f"{'step':18} {'operation':{named}} {'real':>5} {'mock':>5}", "-" * (named + 32)]
        lines += [f"{step.name:18} {step.operation.operation_id:{named}} {_status(one):>5} {_status(other):>5}" for step, one, other in self.steps]
        if self.differences:
            width = max(len(d.where) for d in self.differences)
            lines += ["", f"{'step':18} {'difference':12} {'where':{width}}  {'real':24} {'mock':24} class", "-" * (width + 100)]
            lines += [f"{d.step:18} {d.kind:12} {d.where:{width}}  {d.real:24} {d.mock:24} {d.classification}" for d in self.differences]
        counts = ", ".join(f"{count} {name}(s)" for name, count in sorted(self.counts().items())) or "no differences"
        lines += ["", f"mockexp drift {self.vendor}: {self.upstream} against a fresh mock: {counts}"]
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps({
            "vendor": self.vendor, "upstream": self.upstream, "ok": self.ok, "counts": self.counts(),
            "steps": [{"step": step.name, "operationId": step.operation.operation_id, "method": step.operation.method,
                       "real": _seen(one), "mock": _seen(other)} for step, one, other in self.steps],
            "differences": [difference.to_json() for difference in self.differences],
        }, indent=2)


def _status(seen: Observed | None) -> str:
    return str(seen.status) if seen is not None else "-"


def _seen(seen: Observed | None) -> dict | None:
    return None if seen is None else {"path": seen.path, "status": seen.status}
