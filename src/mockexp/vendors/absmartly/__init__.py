"""ABsmartly: the Web Console API's experiments (with their lifecycle, iterations and activity)
and the catalogue they refer to, behind `Authorization: Api-Key <key>`."""

from mockexp.vendor import Vendor
from mockexp.vendors.absmartly import fixtures, handlers, models

VENDOR = Vendor(name="absmartly", spec="absmartly.yaml", model=models.ABsmartly, handlers=handlers, load_fixtures=fixtures.load,
                api_made=("experiments", "experiment_notes"), export=fixtures.export)
