"""Every vendor mockexp fakes, by name."""

from mockexp.vendor import Vendor
from mockexp.vendors import absmartly, giosg, growthbook, launchdarkly, posthog

ALL: dict[str, Vendor] = {vendor.name: vendor for vendor in (absmartly.VENDOR, giosg.VENDOR, growthbook.VENDOR, launchdarkly.VENDOR, posthog.VENDOR)}
