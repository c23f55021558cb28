"""PostHog: experiments, experiment holdouts and saved metrics of a project, behind
`Authorization: Bearer <personal API key>` with scopes; and the SDK endpoints (flags, their
definitions, event capture), at the host's root and beside the API at `/api`."""

from mockexp.vendor import Vendor
from mockexp.vendors.posthog import fixtures, handlers, models

VENDOR = Vendor(name="posthog", spec="posthog.yaml", model=models.PostHog, handlers=handlers, load_fixtures=fixtures.load,
                more_specs=("posthog-sdk.yaml", "posthog-sdk-local-evaluation.yaml"),
                api_made=("experiments", "experiment_holdouts", "experiment_saved_metrics", "feature_flags", "change_requests"), export=fixtures.export)
