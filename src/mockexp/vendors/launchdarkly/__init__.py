"""LaunchDarkly REST API v2: experiments of a project's environment, with iterations and
semantic-patch updates, behind `Authorization: <access token>`."""

from mockexp.vendor import Vendor
from mockexp.vendors.launchdarkly import fixtures, handlers, models

VENDOR = Vendor(name="launchdarkly", spec="launchdarkly.yaml", model=models.LaunchDarkly, handlers=handlers, load_fixtures=fixtures.load,
                api_made=("experiments",), export=fixtures.export)
