"""Giosg API v5: experiments of an organization, behind `Authorization: Token <token>`."""

from mockexp.vendor import Vendor
from mockexp.vendors.giosg import fixtures, handlers, models

VENDOR = Vendor(name="giosg", spec="giosg.yaml", model=models.Giosg, handlers=handlers, load_fixtures=fixtures.load,
                api_made=("experiments",), export=fixtures.export)
