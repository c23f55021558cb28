"""The violations a proxy saw, kept in a request journal (`control/journal.py`: the newest
N, filtered by vendor, operationId, method, path, status, since, until), and their
renderings: a summary for people, JUnit XML for CI systems, JSON for everything else."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from mockexp.control.journal import Journal


@dataclass(frozen=True)
class Violation:
    """One way an exchange broke the spec (with what a journal filter reads: vendor,
    operation_id, method, path, status, instant). Never holds a header or a body."""

    instant: datetime
    vendor: str
    operation_id: str | None
    method: str
    path: str
    status: int
    kind: str
    message: str

    def to_json(self, id: int) -> dict:
        return {"id": id, "time": self.instant.isoformat().replace("+00:00", "Z"), "vendor": self.vendor, "operationId": self.operation_id,
                "method": self.method, "path": self.path, "status": self.status, "kind": self.kind, "message": self.message}


class Violations(Journal):
    """The journal of violations, with its reports."""

    exchanges = 0  # requests forwarded, counted by the proxy

    def summary(self) -> str:
        found = self.entries()
        if not found:
            return f"mockexp proxy: no violations in {self.exchanges} exchange(s)"
        kinds = Counter(entry["kind"] for entry in found)
        lines = [f"mockexp proxy: {len(found)} violation(s) in {self.exchanges} exchange(s): "
                 + ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))]
        lines += [f"  {entry['status']} {entry['method']} {entry['path']}  {entry['kind']}: {entry['message']}" for entry in found]
        return "\n".join(lines)

    def to_json(self, vendor: str, upstream: str) -> str:
        found = self.entries()
        return json.dumps({"vendor": vendor, "upstream": upstream, "exchanges": self.exchanges, "ok": not found,
                           "violations": found, "dropped": self.dropped}, indent=2)

    def to_junit(self, vendor: str, upstream: str) -> str:
        """One test case per operation seen with a violation (and one `exchanges` case that
        passes when there is none)."""
        found = self.entries()
        by_operation: dict[str, list[dict]] = {}
        for entry in found:
            by_operation.setdefault(entry["operationId"] or f"{entry['method']} {entry['path']}", []).append(entry)
        suites = ET.Element("testsuites", name=f"mockexp proxy {vendor}")
        suite = ET.SubElement(suites, "testsuite", name=f"mockexp proxy {vendor}", tests=str(len(by_operation) or 1), failures=str(len(by_operation)), errors="0")
        ET.SubElement(ET.SubElement(suite, "properties"), "property", name="upstream", value=upstream)
        for name, entries in sorted(by_operation.items()):
            case = ET.SubElement(suite, "testcase", classname=f"mockexp.proxy.{vendor}", name=name)
            failure = ET.SubElement(case, "failure", message="; ".join(sorted({e["kind"] for e in entries})), type="violation")
            failure.text = "\n".join(f"{e['status']} {e['method']} {e['path']} {e['kind']}: {e['message']}" for e in entries)
        if not by_operation:
            ET.SubElement(suite, "testcase", classname=f"mockexp.proxy.{vendor}", name=f"{self.exchanges} exchanges")
        ET.indent(suites)
        return ET.tostring(suites, encoding="unicode", xml_declaration=True)
