"""`mockexp specs --explain FILE`: what the mock inferred from a document, per operation."""

from __future__ import annotations

from mockexp.generic import document
from mockexp.generic.inference import Inferred, Plan
from mockexp.specs import Spec


def explain(file: str) -> str:
    from mockexp import generic

    source = generic.Source.parse(file)
    spec, inferred = document.load(source.file, source.base_path)
    return text(generic.api_name(spec.path), spec, inferred)


def text(name: str, spec: Spec, inferred: Inferred) -> str:
    lines = [f"{name}: {spec.title}, {len(spec.operations)} operations at {spec.base_path or '/'} ({spec.path})", "", "resources:"]
    for resource in inferred.resources.values():
        where = " + ".join(path for path in (resource.collection, resource.item) if path)
        scope = f", inside {resource.parent} ({', '.join(resource.scope)})" if resource.parent else ""
        lines.append(f"  {resource.name:24} {where}   id: {resource.id_field or '(the path)'}{scope}")
    lines += ["", "operations:"]
    for plan in inferred.plans.values():
        lines.append(f"  {plan.operation.label:40} {plan.operation.operation_id:28} {_what(plan)}")
        lines += [f"  {'':40} {'':28} {note}" for note in plan.notes]
    added = [f"  {operation.label} {code}: {response['description']}" for operation in spec.operations
             for code, response in operation.definition.get("responses", {}).items() if str(response.get("description", "")).startswith("(added by mockexp")]
    if added:
        lines += ["", "answers added to the served document:", *added]
    return "\n".join(lines)


def _what(plan: Plan) -> str:
    parts = [plan.role + (f" {plan.resource.name}" if plan.resource else "")]
    if plan.answer and plan.answer.envelope:
        parts.append(f"in {{{plan.answer.envelope!r}: ...}}")
    if plan.listing and plan.listing.items:
        parts.append(f"list in {plan.listing.items!r}" + (f", count in {plan.listing.total!r}" if plan.listing.total else ""))
    if plan.filters:
        parts.append("filters " + ", ".join(f"{name}->{field}" for name, field in plan.filters.items()))
    paging = plan.operation.pagination
    if paging is not None:
        parts.append(f"pages by {paging.style} ({', '.join(paging.parameters.values())})")
    parts.append(f"answers {plan.status}")
    return "; ".join(parts)
