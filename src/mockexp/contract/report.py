"""What a contract run found, per operation, and its renderings: a table for people, JUnit
XML for CI systems, JSON for everything else."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Failure:
    operation: str
    phase: str
    check: str
    message: str
    curl: str


@dataclass
class Outcome:
    """One operation's scenarios (an operation runs once per phase, stateful runs mix them)."""

    passed: int = 0
    failed: int = 0
    errored: int = 0
    skipped: int = 0
    cases: int = 0


@dataclass
class Report:
    vendor: str
    base_url: str
    operations: dict[str, Outcome] = field(default_factory=dict)
    phases: dict[str, Outcome] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seed: int | None = None

    @property
    def ok(self) -> bool:
        ran = any(outcome.passed or outcome.failed or outcome.errored for outcome in self.operations.values())
        return ran and not self.failures and not self.errors

    def phases_run(self) -> set[str]:
        return {phase for phase, outcome in self.phases.items() if outcome.passed or outcome.failed or outcome.errored}

    def failed_checks(self) -> set[str]:
        return {failure.check for failure in self.failures}

    def failures_of(self, operation: str) -> list[Failure]:
        return [failure for failure in self.failures if failure.operation == operation]

    # -- renderings ------------------------------------------------------------------------

    def table(self) -> str:
        width = max([len(name) for name in self.operations] + [len("operation")])
        lines = [f"{'operation':{width}}  passed  failed  errored  cases  failing checks", "-" * (width + 56)]
        for name, outcome in sorted(self.operations.items()):
            checks = ", ".join(sorted({failure.check for failure in self.failures_of(name)})) or "-"
            lines.append(f"{name:{width}}  {outcome.passed:6}  {outcome.failed:6}  {outcome.errored:7}  {outcome.cases:5}  {checks}")
        for failure in self.failures:
            phase = f" [{failure.phase}]" if failure.phase else ""
            lines += ["", f"FAILED {failure.operation}{phase} {failure.check}", _indent(failure.message)]
            if failure.curl:
                lines += ["  reproduce with:", _indent(failure.curl)]
        for error in self.errors:
            lines += ["", f"ERROR {error}"]
        verdict = "passed" if self.ok else f"FAILED: {len(self.failures)} failure(s), {len(self.errors)} error(s)"
        seed = f", seed {self.seed}" if self.seed is not None else ""
        lines += ["", f"mockexp contract {self.vendor} against {self.base_url}{seed}: {verdict}"]
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(
            {
                "vendor": self.vendor,
                "base_url": self.base_url,
                "seed": self.seed,
                "ok": self.ok,
                "operations": {name: asdict(outcome) for name, outcome in sorted(self.operations.items())},
                "phases": {name: asdict(outcome) for name, outcome in sorted(self.phases.items())},
                "failures": [asdict(failure) for failure in self.failures],
                "errors": self.errors,
            },
            indent=2,
        )

    def to_junit(self) -> str:
        """One test case per operation; a failed check is a <failure>, an error an <error>."""
        names = sorted(set(self.operations) | {failure.operation for failure in self.failures})
        suites = ET.Element("testsuites", name=f"mockexp contract {self.vendor}")
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=f"mockexp contract {self.vendor}",
            tests=str(len(names) + (1 if self.errors else 0)),
            failures=str(sum(1 for name in names if self.failures_of(name))),
            errors=str(1 if self.errors else 0),
            skipped=str(sum(1 for outcome in self.operations.values() if not (outcome.passed or outcome.failed or outcome.errored))),
        )
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="base_url", value=self.base_url)
        if self.seed is not None:
            ET.SubElement(properties, "property", name="seed", value=str(self.seed))
        for name in names:
            outcome = self.operations.get(name, Outcome())
            case = ET.SubElement(suite, "testcase", classname=f"mockexp.contract.{self.vendor}", name=name)
            failures = self.failures_of(name)
            if failures:
                element = ET.SubElement(case, "failure", message="; ".join(sorted({f.check for f in failures})), type="contract")
                element.text = "\n\n".join(f"[{f.phase}] {f.check}: {f.message}\n{f.curl}" for f in failures)
            elif name in self.operations and not (outcome.passed or outcome.failed or outcome.errored):
                ET.SubElement(case, "skipped", message="no scenario ran")
        if self.errors:
            case = ET.SubElement(suite, "testcase", classname=f"mockexp.contract.{self.vendor}", name="run")
            ET.SubElement(case, "error", message="the run met errors", type="error").text = "\n".join(self.errors)
        ET.indent(suites)
        return ET.tostring(suites, encoding="unicode", xml_declaration=True)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())
