"""LaunchDarkly's rules: projects, environments, flags, metrics, members and access tokens,
and experiments with their iterations, changed through semantic-patch instructions.

Plain Python over the store and the clock; no HTTP here. Request bodies arrive already
checked against the spec (types, enums, patterns); these are the rules the spec cannot state.
Every time is Unix milliseconds read from the clock. One module per resource; the model is
their sum.
"""

from mockexp.vendors.launchdarkly.models.access import Access
from mockexp.vendors.launchdarkly.models.common import EXPERIMENTS, Ids, millis
from mockexp.vendors.launchdarkly.models.experiments import Experiments
from mockexp.vendors.launchdarkly.models.flags import Flags
from mockexp.vendors.launchdarkly.models.instructions import INSTRUCTIONS, Instructions
from mockexp.vendors.launchdarkly.models.iterations import Iterations
from mockexp.vendors.launchdarkly.models.metrics import Metrics
from mockexp.vendors.launchdarkly.models.projects import Projects
from mockexp.vendors.launchdarkly.models.representation import Representation
from mockexp.vendors.launchdarkly.models.sdk import SdkData


class LaunchDarkly(Access, Experiments, Iterations, Instructions, Flags, Metrics, Projects, Representation, SdkData):
    """Every operation of LaunchDarkly's experiments API, and the read-only projects,
    environments, flags, metrics and metric groups around it, over one store and clock; and
    what its server-side SDKs read (`SdkData`), from the same flags."""


__all__ = ["EXPERIMENTS", "INSTRUCTIONS", "Ids", "LaunchDarkly", "millis"]
