"""Run Schemathesis (its engine, not its command line) against an implementation of one of
our specs, and gather what failed, per operation.

    report = run(spec, "http://127.0.0.1:8080/api/v5", headers={"Authorization": "Token ..."})
    assert report.ok, report.describe()
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

from mockexp.specs import Spec

PHASES = ("examples", "coverage", "fuzzing", "stateful")

# A schema-valid request may still break a rule no schema can state (percentages that must
# add up, ids that must exist, a state that forbids the change): vendors answer 400 then.
POSITIVE_DATA_STATUSES = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]


@dataclass(frozen=True)
class Failure:
    operation: str
    phase: str
    check: str
    message: str
    curl: str


@dataclass
class Report:
    failures: list[Failure] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    scenarios: dict[str, dict[str, int]] = field(default_factory=dict)  # operation -> status -> count
    phases: dict[str, dict[str, int]] = field(default_factory=dict)  # phase -> status -> count

    @property
    def ok(self) -> bool:
        return not self.failures and not self.errors and bool(self.scenarios)

    def phases_run(self) -> set[str]:
        """Phases in which at least one scenario ran (was not skipped)."""
        return {phase for phase, counts in self.phases.items() if set(counts) - {"skip"}}

    def failed_checks(self) -> set[str]:
        return {failure.check for failure in self.failures}

    def describe(self) -> str:
        lines = [f"{operation}: {counts}" for operation, counts in sorted(self.scenarios.items())]
        lines += [f"ERROR {error}" for error in self.errors]
        for failure in self.failures:
            lines.append(f"FAILED {failure.operation} [{failure.phase}] {failure.check}: {failure.message}\n    {failure.curl}")
        return "\n".join(lines)


def configure(
    base_url: str,
    *,
    headers: Mapping[str, str] | None = None,
    parameters: Mapping[str, Any] | None = None,
    phases: Iterable[str] = PHASES,
    max_examples: int = 25,
    seed: int | None = None,
    workers: int = 1,
) -> SchemathesisConfig:
    chosen = set(phases)
    unknown = chosen - set(PHASES)
    if unknown:
        raise ValueError(f"unknown phases {sorted(unknown)}; known: {', '.join(PHASES)}")
    data: dict[str, Any] = {
        "base-url": base_url,
        "headers": dict(headers or {}),
        "workers": workers,
        "generation": {"max-examples": max_examples},
        "phases": {phase: {"enabled": phase in chosen} for phase in PHASES},
        "checks": {"enabled": True, "positive_data_acceptance": {"expected-statuses": POSITIVE_DATA_STATUSES}},
    }
    # Schemathesis can learn constraints from 4xx messages ("error feedback"), but it
    # learns them as unconditional: Giosg's "starts_at: This field is required." (only
    # for a published experiment) becomes "starts_at is always required", and a draft
    # without it is then reported as invalid data accepted.
    data["phases"]["fuzzing"]["error-feedback"] = {"enabled": False}
    if parameters:
        data["parameters"] = dict(parameters)
    if seed is not None:
        data["seed"] = seed
    return SchemathesisConfig.from_dict(data)


def run(spec: Spec, base_url: str, **options: Any) -> Report:
    config = configure(base_url, **options)
    schema = schemathesis.openapi.from_dict(spec.fresh_document(), config=config)
    report = Report()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _record(report, event)
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            report.errors.append(_error_text(event))
    return report


def _record(report: Report, event: events.ScenarioFinished) -> None:
    recorder = event.recorder
    phase = event.phase.value if event.phase else ""
    for counts in (report.scenarios.setdefault(recorder.label, {}), report.phases.setdefault(phase, {})):
        counts[event.status.value] = counts.get(event.status.value, 0) + 1
    if event.status not in (Status.FAILURE, Status.ERROR):
        return
    seen = set()
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.status != Status.FAILURE or check.failure_info is None:
                continue
            failure = check.failure_info.failure
            key = (check.name, failure.title)
            if key in seen:
                continue
            seen.add(key)
            operation = recorder.cases[case_id].value.operation.label if case_id in recorder.cases else recorder.label
            message = f"{failure.title}: {failure.message}".strip()
            report.failures.append(Failure(operation, phase, check.name, message, check.failure_info.code_sample))


def _error_text(event: Any) -> str:
    info = getattr(event, "info", None)
    label = getattr(event, "label", "")
    return f"{label}: {getattr(info, 'message', None) or info or event}"
