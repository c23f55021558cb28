"""A made-up vendor registered only in these tests: one resource (widgets of a shop), so the
core's work for every vendor (binding, status, paging, tenant scoping, errors) is tested
without any real vendor's rules in the way."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Mapping

from starlette.responses import PlainTextResponse

from mockexp.errors import Conflict, DomainError, NotFound, Unauthorized
from mockexp.paging import Listing
from mockexp.store import Tables
from mockexp.vendor import Credential, Vendor

WIDGETS = "widgets"
KEYS = {"key-ann": "ann", "key-bob": "bob"}


class Toy:
    def __init__(self, store: Tables, clock) -> None:
        self.store = store
        self.clock = clock

    def credentials(self) -> list[Credential]:
        return [Credential("toy", "X-Key", key, user, "maker", ("make widgets",), True, {"shopId": "north"}) for key, user in KEYS.items()]

    def list_widgets(self, shop_id: str, colour: str | None = None) -> Listing:
        where = {"colour": colour} if colour else None
        return Listing(self.store.tenant(shop_id).query(WIDGETS, where, order_by=lambda w: w["key"]))

    def create_widget(self, shop_id: str, caller: str, body: Mapping[str, Any]) -> dict:
        shop = self.store.tenant(shop_id)
        if shop.get(WIDGETS, body["key"]) is not None:
            raise Conflict(f"widget {body['key']} exists")
        return shop.insert(WIDGETS, body["key"], {**body, "made_by": caller})

    def get_widget(self, shop_id: str, widget_key: str) -> dict:
        widget = self.store.tenant(shop_id).get(WIDGETS, widget_key)
        if widget is None:
            raise NotFound(f"no widget {widget_key}")
        return widget

    def delete_widget(self, shop_id: str, widget_key: str) -> None:
        if not self.store.tenant(shop_id).delete(WIDGETS, widget_key):
            raise NotFound(f"no widget {widget_key}")


def authenticate(toy: Toy, scheme: str, credential: str, request, operation=None) -> str:
    if credential not in KEYS:
        raise Unauthorized("unknown key")
    return KEYS[credential]


def render_error(error: DomainError) -> tuple[dict, dict]:
    return {"error": error.message}, dict(error.headers)


async def get_widget_label(toy: Toy, shop_id: str, widget_key: str) -> Any:
    """HTTP details the spec cannot state: a text body with a header of its own."""
    widget = toy.get_widget(shop_id, widget_key)
    return PlainTextResponse(f"{widget['colour']} widget {widget['key']}", headers={"X-Label-Of": widget["key"]})


# what a vendor's handlers.py holds
handlers = SimpleNamespace(__name__="tests.kit.toy.handlers", __file__=__file__, authenticate=authenticate,
                           render_error=render_error, get_widget_label=get_widget_label)


def load(toy: Toy) -> None:
    toy.create_widget("north", "ann", {"key": "w1", "colour": "red"})


VENDOR = Vendor(name="toy", spec="toy.yaml", model=Toy, handlers=handlers, load_fixtures=load)
