"""GrowthBook's rules: organizations with their keys, projects, environments, and features with
their rules, toggles and revisions, SDK connections and the payload their SDKs read, saved
groups, attributes and archetypes, members and their roles, code references, and settings;
and experimentation: data sources, dimensions, segments, fact tables and metrics, legacy
metrics, experiments, visual changesets, snapshots with their results, and query objects.

Plain Python over the store and the clock; no HTTP here. Request bodies arrive already
checked against the spec (types, enums, patterns, ranges); these are the rules the spec
cannot state. One module per resource; the model is their sum.
"""

from mockexp.vendors.growthbook.models.access import Access
from mockexp.vendors.growthbook.models.archetypes import Archetypes
from mockexp.vendors.growthbook.models.code_refs import CodeRefs
from mockexp.vendors.growthbook.models.features import Features
from mockexp.vendors.growthbook.models.members import Members
from mockexp.vendors.growthbook.models.organizations import Organizations
from mockexp.vendors.growthbook.models.projects import Projects
from mockexp.vendors.growthbook.models.saved_groups import SavedGroups
from mockexp.vendors.growthbook.models.sdk_connections import SdkConnections
from mockexp.vendors.growthbook.models.settings import Settings
# experimentation (issue 12)
from mockexp.vendors.growthbook.models.dimensions import Dimensions
from mockexp.vendors.growthbook.models.segments import Segments
from mockexp.vendors.growthbook.models.bulk_import import BulkImport
from mockexp.vendors.growthbook.models.fact_metrics import FactMetrics
from mockexp.vendors.growthbook.models.metrics import Metrics
from mockexp.vendors.growthbook.models.metric_analyses import MetricAnalyses
from mockexp.vendors.growthbook.models.experiments import Experiments
from mockexp.vendors.growthbook.models.visual_changesets import VisualChangesets
from mockexp.vendors.growthbook.models.results import Results


class GrowthBook(Access, Organizations, Projects, Features, SdkConnections, SavedGroups, Archetypes, Members, CodeRefs, Settings,
                 Dimensions, Segments, BulkImport, MetricAnalyses, FactMetrics, Metrics, Experiments, VisualChangesets, Results):  # experimentation (issue 12); each is also DataSources
    """Every operation of GrowthBook's REST API v1 that mockexp serves, over one store and clock."""


__all__ = ["GrowthBook"]
