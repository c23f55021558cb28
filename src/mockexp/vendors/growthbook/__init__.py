"""GrowthBook: the REST API v1 (projects, environments, features with their rules, toggles and
revisions, SDK connections, saved groups, archetypes, members, code references, settings, and
a super admin's organizations; data sources, dimensions, segments, fact tables and metrics,
legacy metrics, experiments, visual changesets, snapshots, results and query objects), behind
a secret key sent with HTTP Basic or as a Bearer token; and the SDK endpoint."""

from mockexp.vendor import Vendor
from mockexp.vendors.growthbook import fixtures, handlers, models

VENDOR = Vendor(name="growthbook", spec="growthbook.yaml", model=models.GrowthBook, handlers=handlers, load_fixtures=fixtures.load,
                more_specs=("growthbook-sdk.yaml",),
                api_made=("projects", "environments", "features", "feature_revisions", "sdk_connections", "saved_groups",
                          "archetypes", "code_refs",
                          # experimentation (issue 12): what the API makes over the data sources (which it only reads), the visual
                          # changesets of its experiments, and what it derives (snapshots, metric analyses, query objects)
                          "dimensions", "segments", "fact_tables", "fact_table_filters", "fact_metrics", "metrics", "metric_analyses",
                          "experiments", "visual_changesets", "snapshots", "queries"), export=fixtures.export)
