"""ABsmartly's rules: accounts with their API keys and catalogue (applications, unit types,
users, teams, experiment tags, goals, metrics), and experiments with their lifecycle,
iterations, activity notes and preview statistics; and (`sdk/`) what its SDKs read and publish.

Plain Python over the store and the clock; no HTTP here. Request bodies arrive already
checked against the spec (types, enums, patterns, ranges); these are the rules the spec
cannot state. One module per resource; the model is their sum.
"""

from mockexp.vendors.absmartly.models.common import EXPERIMENTS, NOTES
from mockexp.vendors.absmartly.models.lifecycle import Lifecycle
from mockexp.vendors.absmartly.models.listing import ExperimentListing
from mockexp.vendors.absmartly.models.previews import Statistics
from mockexp.vendors.absmartly.sdk import Collector


class ABsmartly(Collector, Lifecycle, ExperimentListing, Statistics):
    """Every operation of ABsmartly's Web Console experiments API and of its Collector API
    (the SDK side, `sdk/`), over one store and clock."""


__all__ = ["ABsmartly", "EXPERIMENTS", "NOTES"]
