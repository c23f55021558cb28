"""PostHog's rules: organizations, projects with approval policies, users and their personal
API keys with scopes, feature flags, and experiments with their holdouts and saved metrics.

Plain Python over the store and the clock; no HTTP here. Request bodies arrive already
checked against the spec (types, enums, patterns, ranges); these are the rules the spec
cannot state. One module per resource; the model is their sum.
"""

from mockexp.vendors.posthog.models.access import Access
from mockexp.vendors.posthog.models.common import CHANGE_REQUESTS, EXPERIMENTS, FLAGS, HOLDOUTS, SAVED_METRICS, ApprovalRequired
from mockexp.vendors.posthog.models.experiments import Experiments
from mockexp.vendors.posthog.models.flags import Flags
from mockexp.vendors.posthog.models.holdouts import Holdouts
from mockexp.vendors.posthog.models.lifecycle import Lifecycle
from mockexp.vendors.posthog.models.representation import Representation
from mockexp.vendors.posthog.models.saved_metrics import SavedMetrics
from mockexp.vendors.posthog.sdk import Sdk


class PostHog(Sdk, Access, Experiments, Lifecycle, Flags, Holdouts, SavedMetrics, Representation):
    """Every operation of PostHog's experiments, holdouts and saved metrics, and of its SDK
    endpoints (`sdk/`), over one store and clock."""


__all__ = ["CHANGE_REQUESTS", "EXPERIMENTS", "FLAGS", "HOLDOUTS", "SAVED_METRICS", "ApprovalRequired", "PostHog"]
