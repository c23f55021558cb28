"""The bulk import of facts: fact tables, their filters and fact metrics, each upserted by the id
the request gives (added when new, changed when it exists), in that order (so a metric may use a
table the same import adds), all or nothing: one refusal (a 400 naming the item's field, as in
`factMetrics[2].data.numerator.column`) leaves everything as it was."""

from __future__ import annotations

import contextlib
from typing import Any, Iterator, Mapping

from mockexp.errors import Invalid
from mockexp.store import Tables
from mockexp.vendors.growthbook.models.common import FACT_METRICS, FACT_TABLE_FILTERS, FACT_TABLES, check_managed
from mockexp.vendors.growthbook.models.fact_metrics import FactMetrics


class BulkImport(FactMetrics):
    def post_bulk_import_facts(self, body: dict, caller: str) -> dict:
        org, role = self.org(caller), self.key(caller)["role"]
        counts = {name: 0 for name in ("factTablesAdded", "factTablesUpdated", "factTableFiltersAdded", "factTableFiltersUpdated",
                                       "factMetricsAdded", "factMetricsUpdated")}
        with org.transaction():
            for index, item in enumerate(body.get("factTables", [])):
                with _at("factTables", index):
                    counts["factTablesAdded" if self._upsert_table(org, item, role) else "factTablesUpdated"] += 1
            for index, item in enumerate(body.get("factTableFilters", [])):
                with _at("factTableFilters", index):
                    counts["factTableFiltersAdded" if self._upsert_filter(org, item, role) else "factTableFiltersUpdated"] += 1
            for index, item in enumerate(body.get("factMetrics", [])):
                with _at("factMetrics", index):
                    counts["factMetricsAdded" if self._upsert_metric(org, item, role) else "factMetricsUpdated"] += 1
        return {"success": True, **counts}

    def _upsert_table(self, org: Tables, item: Mapping[str, Any], role: str) -> bool:
        """Whether the fact table is new (else it was changed)."""
        data, current = item["data"], org.get(FACT_TABLES, item["id"])
        if current is None:
            with _at("data"):
                self.put_fact_table(org, item["id"], data)
            return True
        check_managed(current, role)
        if data["datasource"] != current["datasource"]:
            raise Invalid.field(("data", "datasource"), f"Fact table {item['id']} is of data source {current['datasource']}: that cannot change.")
        with _at("data"):
            self.change_fact_table(org, current, data)
        return False

    def _upsert_filter(self, org: Tables, item: Mapping[str, Any], role: str) -> bool:
        current = org.get(FACT_TABLE_FILTERS, item["id"])
        if current is None:
            if org.get(FACT_TABLES, item["factTableId"]) is None:
                raise Invalid.field("factTableId", f"Fact table {item['factTableId']!r} does not exist.")
            with _at("data"):
                self.put_fact_table_filter(org, item["factTableId"], item["id"], item["data"])
            return True
        if current["factTableId"] != item["factTableId"]:
            raise Invalid.field("id", f"Filter {item['id']} is a filter of fact table {current['factTableId']}, not {item['factTableId']}.")
        check_managed(current, role)
        with _at("data"):
            self.change_fact_table_filter(org, current, item["data"])
        return False

    def _upsert_metric(self, org: Tables, item: Mapping[str, Any], role: str) -> bool:
        current = org.get(FACT_METRICS, item["id"])
        if current is None:
            with _at("data"):
                self.put_fact_metric(org, item["id"], item["data"])
            return True
        check_managed(current, role)
        with _at("data"):
            self.change_fact_metric(org, current, item["data"])
        return False


@contextlib.contextmanager
def _at(*where: str | int) -> Iterator[None]:
    """A refusal inside names its field from here (`factTables[0]` + `data` + `sql`)."""
    try:
        yield
    except Invalid as refused:
        if not refused.errors:
            raise
        raise Invalid([((*where, *path), reason) for path, reason in refused.errors]) from None
