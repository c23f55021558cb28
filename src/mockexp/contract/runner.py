"""Run Schemathesis (its engine, not its command line) against an implementation of one of
our specs, with mockexp's domain checks, and gather what failed per operation.

    report = run(spec, "http://127.0.0.1:8080/api/v5", headers={"Authorization": "Token ..."})
    assert report.ok, report.table()
"""

from __future__ import annotations

import copy
import re
from typing import Any, Callable, Iterable, Mapping

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

from mockexp.contract import PHASES
from mockexp.contract import checks as domain_checks
from mockexp.contract.report import Failure, Outcome, Report
from mockexp.specs import Spec

DOMAIN_CHECKS = tuple(domain_checks.NAMES)

# Statuses a schema-valid request may get whatever the API: success, and server errors
# (reported by `not_a_server_error`, not twice). Which refusals are also acceptable (a rule
# no schema can state: percentages, ids that must exist, a state that forbids the change) is
# the spec's to say, in `x-mockexp-contract.refusals`; without it, Schemathesis' default.
ALWAYS_ACCEPTABLE = ["2xx", "3xx", "5xx"]
# How invalid data may be refused: Schemathesis' default list, and 413, the refusal of a body past
# the server's size limit before it is read (an array far over its maxItems can be one, and is
# more likely sent as a form, whose encoding is longer than JSON's)
REJECTIONS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]


def configure(
    base_url: str,
    *,
    headers: Mapping[str, str] | None = None,
    parameters: Mapping[str, Any] | None = None,
    phases: Iterable[str] = PHASES,
    max_examples: int = 25,
    seed: int | None = None,
    workers: int = 1,
    checks: Iterable[str] | None = None,
    exclude_checks: Iterable[str] = (),
    read_only_headers: Mapping[str, str] | None = None,
    refusals: Iterable[int] | None = None,
) -> SchemathesisConfig:
    chosen = set(phases)
    unknown = chosen - set(PHASES)
    if unknown:
        raise ValueError(f"unknown phases {sorted(unknown)}; known: {', '.join(PHASES)}")
    check_config: dict[str, Any] = {
        "enabled": checks is None,
        "read_only_credential_cannot_write": {"headers": dict(read_only_headers or {})},
        "negative_data_rejection": {"expected-statuses": REJECTIONS},
    }
    if refusals is not None:
        check_config["positive_data_acceptance"] = {"expected-statuses": ALWAYS_ACCEPTABLE + [str(status) for status in refusals]}
    for name in checks or ():
        check_config.setdefault(name, {})["enabled"] = True
    for name in exclude_checks:
        check_config.setdefault(name, {})["enabled"] = False
    data: dict[str, Any] = {
        "base-url": base_url,
        "headers": dict(headers or {}),
        "workers": workers,
        "generation": {"max-examples": max_examples},
        "phases": {phase: {"enabled": phase in chosen} for phase in PHASES},
        "checks": check_config,
        # Schemathesis keeps state between runs in ./.schemathesis; a contract run starts clean.
        "cache": {"enabled": False},
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


def run(
    spec: Spec,
    base_url: str,
    *,
    vendor: str | None = None,
    exclude_operations: Iterable[str] = (),
    on_event: Callable[[Any], None] | None = None,
    **options: Any,
) -> Report:
    """Test the implementation at `base_url` (the API's base, e.g. https://api.giosg.com/api/v5)
    against `spec`. `exclude_operations` takes operationIds or labels like `GET /things`.
    An operation whose answer is a stream that stays open (`x-mockexp-stream`) is left out:
    no request to it would end."""
    if options.get("parameters"):
        options["parameters"] = typed(spec, options["parameters"])
    with domain_checks.registered():
        config = configure(base_url, refusals=spec.refusals, **options)
        schema = schemathesis.openapi.from_dict(spec.fresh_document(), config=config)
        excluded = list(exclude_operations) + [operation.operation_id for operation in spec.operations if operation.streams]
        if excluded:
            schema = schema.exclude(operation_id=excluded).exclude(name=excluded)
        report = Report(vendor=vendor or spec.name, base_url=base_url, seed=config.seed)
        fixed = set(options.get("parameters") or {})
        for event in from_schema(schema).execute():
            shown = _take(report, event, fixed)
            if on_event is not None:
                on_event(shown)
    return report


def typed(spec: Spec, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Fixed parameter values as the spec types them: `--parameter project_id=1` is the
    integer 1 where the spec says `project_id` is an integer (as a string, Schemathesis would
    take it for a value of the wrong type)."""
    kinds = {p["name"]: (p.get("schema") or {}).get("type") for op in spec.operations for p in op.parameters}
    out = {}
    for name, value in parameters.items():
        kind = kinds.get(name)
        try:
            out[name] = int(value) if kind == "integer" and isinstance(value, str) else float(value) if kind == "number" and isinstance(value, str) else value
        except ValueError:
            out[name] = value
    return out


def _take(report: Report, event: Any, fixed: set[str]) -> Any:
    """Record what an event tells; the event as the report sees it (a scenario whose only
    failures were dropped is a success)."""
    if isinstance(event, events.ScenarioFinished):
        status = _record(report, event, fixed)
        if status == event.status:
            return event
        shown = copy.copy(event)
        shown.status = status
        return shown
    if isinstance(event, (events.NonFatalError, events.FatalError)):
        report.errors.append(_error_text(event))
    elif isinstance(event, events.EngineFinished):
        for failure in event.failures:
            report.failures.append(Failure("(the whole run)", "", _check_name(failure), f"{failure.title}: {failure.message}".strip(": "), ""))
    return event


def _check_name(failure: Any) -> str:
    """The check behind a whole-run failure (Schemathesis puts its name in the title)."""
    for name in DOMAIN_CHECKS:
        if name in (failure.title or "") or name in (failure.message or ""):
            return name
    return failure.title or type(failure).__name__


_COUNTERS = {Status.SUCCESS: "passed", Status.FAILURE: "failed", Status.ERROR: "errored", Status.SKIP: "skipped", Status.INTERRUPTED: "errored"}


def _record(report: Report, event: events.ScenarioFinished, fixed: set[str]) -> Status:
    recorder = event.recorder
    phase = event.phase.value if event.phase else ""
    failures = _failures(recorder, phase, fixed) if event.status in (Status.FAILURE, Status.ERROR) else []
    status = Status.SUCCESS if event.status == Status.FAILURE and not failures else event.status
    counter = _COUNTERS[status]
    labels = {node.value.operation.label for node in recorder.cases.values()}
    if not labels and status in (Status.FAILURE, Status.ERROR):
        labels = {recorder.label}
    for label in labels:
        outcome = report.operations.setdefault(label, Outcome())
        setattr(outcome, counter, getattr(outcome, counter) + 1)
    for node in recorder.cases.values():
        report.operations.setdefault(node.value.operation.label, Outcome()).cases += 1
    phase_outcome = report.phases.setdefault(phase, Outcome())
    setattr(phase_outcome, counter, getattr(phase_outcome, counter) + 1)
    phase_outcome.cases += len(recorder.cases)
    report.failures.extend(failures)
    return status


def _failures(recorder: Any, phase: str, fixed: set[str]) -> list[Failure]:
    """The scenario's distinct failures, less those about a parameter the run fixes: the value
    Schemathesis took for invalid was replaced by the fixed one before the request was sent
    (it reports them for operations with more path parameters than the fixed ones)."""
    found, seen = [], set()
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.status != Status.FAILURE or check.failure_info is None:
                continue
            failure = check.failure_info.failure
            operation = recorder.cases[case_id].value.operation.label if case_id in recorder.cases else recorder.label
            message = f"{failure.title}: {failure.message}".strip(": ")
            key = (operation, check.name, failure.title)
            if key in seen or (check.name == "negative_data_rejection" and _about_fixed(message, fixed)):
                continue
            seen.add(key)
            found.append(Failure(operation, phase, check.name, message, check.failure_info.code_sample))
    return found


def _about_fixed(message: str, fixed: set[str]) -> bool:
    named = re.search(r"parameter `([^`]+)` in (path|query|header)", message)
    return named is not None and named.group(1) in fixed


def _error_text(event: Any) -> str:
    info = getattr(event, "info", None)
    label = getattr(event, "label", "")
    return f"{label}: {getattr(info, 'message', None) or info or event}"
