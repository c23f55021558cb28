"""ABsmartly: the Web Console API's experiments (with their lifecycle, iterations and activity)
and the catalogue they refer to, behind `Authorization: Api-Key <key>`; and the Collector API
its SDKs call (`/v1/context`, behind an SDK key in `X-API-Key`), read from the same state."""

from mockexp.vendor import Vendor
from mockexp.vendors.absmartly import fixtures, handlers, models

VENDOR = Vendor(name="absmartly", spec="absmartly.yaml", model=models.ABsmartly, handlers=handlers, load_fixtures=fixtures.load,
                more_specs=("absmartly-collector.yaml",),
                api_made=("experiments", "experiment_notes", "exposures", "goal_achievements"), export=fixtures.export)
