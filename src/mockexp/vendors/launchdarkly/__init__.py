"""LaunchDarkly REST API v2: experiments of a project's environment, with iterations and
semantic-patch updates, behind `Authorization: <access token>`; and the endpoints its
server-side SDKs call (`launchdarkly-sdk.yaml`: polling, streaming, events), behind
`Authorization: <SDK key>`, read from the same flags."""

from mockexp.vendor import Vendor
from mockexp.vendors.launchdarkly import fixtures, handlers, models

VENDOR = Vendor(name="launchdarkly", spec="launchdarkly.yaml", model=models.LaunchDarkly, handlers=handlers, load_fixtures=fixtures.load,
                more_specs=("launchdarkly-sdk.yaml",),
                api_made=("experiments", "flag_traffic"), export=fixtures.export)
