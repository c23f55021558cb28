"""The APIs a mock serves: each vendor's specs, loaded and checked against its model
(`binding.RegistrationError` otherwise), and the admin API's; and which of them a request
path belongs to (by base path: `mockexp.routing`)."""

from __future__ import annotations

from typing import Mapping

from mockexp import admin, binding, specs
from mockexp.routing import Mounted, Routes
from mockexp.vendor import Vendor


class ServedApis:
    def __init__(self, vendors: Mapping[str, Vendor]) -> None:
        self.vendors = vendors
        self.specs = {name: specs.load_named(vendor.spec) for name, vendor in vendors.items()}
        self.more_specs = {name: [specs.load_named(file) for file in vendor.more_specs] for name, vendor in vendors.items()}
        for name, vendor in vendors.items():
            for spec in self.of(name):
                binding.check(vendor, spec)
        self.routes = Routes(Mounted(vendors[name], spec) for name, spec in self.mounted())
        self.admin_spec = specs.load_named(admin.SPEC)

    def of(self, vendor: str) -> list[specs.Spec]:
        """A vendor's specs, its main one first."""
        return [self.specs[vendor], *self.more_specs[vendor]]

    def mounted(self) -> list[tuple[str, specs.Spec]]:
        """Every vendor API served: (vendor name, spec), a vendor's main spec first."""
        return [(name, spec) for name in self.vendors for spec in self.of(name)]

    def base_path(self, vendor: str) -> str:
        return self.specs[vendor].base_path

    def spec_at(self, path: str) -> tuple[Vendor, specs.Spec] | None:
        """The vendor and spec a request path belongs to (`routing.Routes.at`)."""
        found = self.routes.at(path)
        return (found.owner, found.spec) if found is not None else None

    def vendor_at(self, path: str) -> Vendor | None:
        """The vendor whose API a request path belongs to."""
        found = self.spec_at(path)
        return found[0] if found else None

    def slash_optional(self, path: str) -> bool:
        """Whether `path` (without a trailing slash) is one of a vendor's paths that end in a
        slash, for a vendor that answers them either way."""
        found = self.spec_at(path)
        if found is None or not found[1].slash_optional:
            return False
        template = found[1].template_of(path)
        return template is not None and template.endswith("/")
