"""Paging as a spec declares it (`x-mockexp-pagination`): the envelopes of every vendor's
lists, cut from a model's listing by the core, and declarations that cannot work refused."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlparse

import pytest

from mockexp.contract.follow import identity, items_of
from mockexp.errors import NotFound
from mockexp.paging import DeclarationError, Listing, Pagination, Request, render

OBJECTS = [{"id": f"o{index:02d}", "n": index} for index in range(1, 8)]  # 7 objects


def operation(declaration: dict, *parameters: str, default: int = 2, properties: tuple[str, ...] = ()) -> dict:
    query = [{"name": name, "in": "query", "schema": {"type": "integer", **({"default": default} if index == 0 else {})}} for index, name in enumerate(parameters)]
    schema = {"type": "object", "properties": {name: {} for name in properties}} if properties else {"type": "object"}
    return {"x-mockexp-pagination": declaration, "parameters": query, "responses": {"200": {"content": {"application/json": {"schema": schema}}}}}


def page(pagination: Pagination, listing: Listing, **query) -> dict:
    return render(pagination, listing, Request("https://mock.test", "/things", [(k, str(v)) for k, v in query.items()]))


def query_of(url: str) -> dict:
    return dict(parse_qsl(urlparse(url).query))


POSTHOG = Pagination.of(operation({"style": "offset", "parameters": {"size": "limit", "offset": "offset"},
                                   "body": {"total": "count", "next": "next", "previous": "previous", "items": "results"}}, "limit", "offset"), strict=True)
GROWTHBOOK = Pagination.of(operation({"style": "offset", "parameters": {"size": "limit", "offset": "offset"},
                                      "body": {"items": "features", "limit": "limit", "offset": "offset", "count": "count", "total": "total",
                                               "has_more": "hasMore", "next_offset": "nextOffset"}}, "limit", "offset", default=3), strict=True)
ABSMARTLY = Pagination.of(operation({"style": "page", "parameters": {"size": "items", "page": "page"}, "body": {"items": "experiments"}}, "items", "page"), strict=True)


def test_posthog_style_counts_the_whole_list_and_links_pages_by_full_urls():
    first = page(POSTHOG, Listing(OBJECTS), limit=3)
    assert list(first) == ["count", "next", "previous", "results"]
    assert first["count"] == 7 and [o["id"] for o in first["results"]] == ["o01", "o02", "o03"]
    assert first["previous"] is None and first["next"].startswith("https://mock.test/things?")
    assert query_of(first["next"]) == {"limit": "3", "offset": "3"}
    last = page(POSTHOG, Listing(OBJECTS), limit=3, offset=6)
    assert [o["id"] for o in last["results"]] == ["o07"] and last["next"] is None
    assert query_of(last["previous"]) == {"limit": "3", "offset": "3"}


def test_growthbook_style_counts_the_page_and_says_where_the_next_one_starts():
    first = page(GROWTHBOOK, Listing(OBJECTS))
    assert first == {"features": OBJECTS[:3], "limit": 3, "offset": 0, "count": 3, "total": 7, "hasMore": True, "nextOffset": 3}
    last = page(GROWTHBOOK, Listing(OBJECTS), offset=6)
    assert (last["count"], last["total"], last["hasMore"], last["nextOffset"]) == (1, 7, False, None)


def test_absmartly_style_pages_by_number_from_one():
    pages = [page(ABSMARTLY, Listing(OBJECTS), page=number, items=3)["experiments"] for number in (1, 2, 3, 4)]
    assert [[o["n"] for o in found] for found in pages] == [[1, 2, 3], [4, 5, 6], [7], []]


def test_only_the_page_is_represented():
    shown = []
    page(POSTHOG, Listing(OBJECTS, represent=lambda o: shown.append(o["id"]) or o), limit=2, offset=4)
    assert shown == ["o05", "o06"]


def test_other_query_parameters_are_kept_in_page_urls():
    first = render(POSTHOG, Listing(OBJECTS), Request("https://mock.test", "/things", [("search", "a b"), ("limit", "2")]))
    assert query_of(first["next"]) == {"limit": "2", "offset": "2", "search": "a b"}


CURSOR = Pagination.of(operation({"style": "cursor", "parameters": {"size": "page_size", "cursor": "cursor"},
                                  "body": {"next": "next", "previous": "previous", "items": "results"}}, "page_size", "cursor"), strict=True)


def newest_first() -> Listing:
    return Listing(list(reversed(OBJECTS)), key=lambda o: (o["n"], o["id"]), descending=True)


def walk(listing_of, start: dict) -> list[dict]:
    pages = [start]
    while pages[-1]["next"]:
        pages.append(page(CURSOR, listing_of(), page_size=3, cursor=query_of(pages[-1]["next"])["cursor"]))
    return pages


def test_cursors_walk_forward_and_back_over_the_same_pages():
    pages = walk(newest_first, page(CURSOR, newest_first(), page_size=3))
    assert [[o["n"] for o in p["results"]] for p in pages] == [[7, 6, 5], [4, 3, 2], [1]]
    back = page(CURSOR, newest_first(), page_size=3, cursor=query_of(pages[2]["previous"])["cursor"])
    assert [o["n"] for o in back["results"]] == [4, 3, 2]


def test_a_cursor_stays_put_when_objects_are_added_before_it():
    first = page(CURSOR, newest_first(), page_size=3)
    grown = Listing([{"id": "o08", "n": 8}] + list(reversed(OBJECTS)), key=lambda o: (o["n"], o["id"]), descending=True)
    after = page(CURSOR, grown, page_size=3, cursor=query_of(first["next"])["cursor"])
    assert [o["n"] for o in after["results"]] == [4, 3, 2]


@pytest.mark.parametrize("cursor", ["garbage", "eyJkIjoibmV4dCIsInAiOlsxXX0", "eyJkIjoic2lkZXdheXMiLCJwIjpbMSwibyJdfQ"])
def test_a_made_up_cursor_is_not_found(cursor):
    with pytest.raises(NotFound):
        page(CURSOR, newest_first(), page_size=3, cursor=cursor)


LAUNCHDARKLY = Pagination.of(operation({"style": "offset", "parameters": {"size": "limit", "offset": "offset"},
                                        "body": {"items": "items", "total": "total_count", "links": "_links"}, "urls": "path"}, "limit", "offset"), strict=True)


def test_launchdarkly_style_links_are_paths_and_extra_fields_join_them():
    listing = Listing(OBJECTS, extra={"_links": {"parent": {"href": "/parent", "type": "application/json"}}})
    middle = page(LAUNCHDARKLY, listing, limit=3, offset=3)
    assert middle["total_count"] == 7
    links = {name: link["href"] for name, link in middle["_links"].items()}
    assert links == {"self": "/things?limit=3&offset=3", "first": "/things?limit=3&offset=0", "last": "/things?limit=3&offset=6",
                     "next": "/things?limit=3&offset=6", "prev": "/things?limit=3&offset=0", "parent": "/parent"}


@pytest.mark.parametrize("declaration, complaint", [
    ({"style": "scroll", "parameters": {}, "body": {"items": "x"}}, "style"),
    ({"style": "offset", "parameters": {"size": "limit", "offset": "skip"}, "body": {"items": "x"}}, "parameters.offset"),
    ({"style": "offset", "parameters": {"size": "limit", "offset": "offset", "page": "page"}, "body": {"items": "x"}}, "do not apply"),
    ({"style": "offset", "parameters": {"size": "limit", "offset": "offset"}, "body": {"total": "n"}}, "needs `items`"),
    ({"style": "offset", "parameters": {"size": "limit", "offset": "offset"}, "body": {"items": "x", "sum": "s"}}, "not sum"),
    ({"style": "offset", "parameters": {"size": "limit", "offset": "offset"}, "body": {"items": "rows"}}, "items: rows"),
    ({"style": "offset", "parameters": {"size": "limit", "offset": "offset"}, "body": {"items": "x"}, "urls": "relative"}, "urls"),
    ({"style": "offset", "parameters": {"size": "limit", "offset": "offset"}, "body": {"items": "x"}, "identity": {"a": 1}}, "identity"),
])
def test_a_declaration_that_cannot_work_is_refused_saying_why(declaration, complaint):
    with pytest.raises(DeclarationError, match=complaint.replace(".", r"\.")):
        Pagination.of(operation(declaration, "limit", "offset", properties=("x",)), strict=True)


def test_a_page_size_parameter_without_a_default_is_refused():
    with pytest.raises(DeclarationError, match="default"):
        Pagination.of(operation({"style": "offset", "parameters": {"size": "limit", "offset": "offset"}, "body": {"items": "x"}}, "offset", "limit"), strict=True)


def test_items_without_an_id_are_told_apart_by_the_fields_their_identity_lists():
    declaration = {"style": "offset", "parameters": {"size": "limit", "offset": "offset"}, "body": {"items": "x"}, "identity": ["feature", "branch"]}
    found = Pagination.of(operation(declaration, "limit", "offset", properties=("x",)), strict=True)
    assert found.identity == ("feature", "branch")
    assert identity({"feature": "a", "branch": "main"}, found.identity) != identity({"feature": "a", "branch": "dev"}, found.identity)
    assert identity({"feature": "a"}, found.identity) is None


def test_an_unpaged_list_is_read_as_a_bare_array_or_the_one_array_its_object_wraps():
    assert items_of({}, [{"id": "a"}]) == [{"id": "a"}]
    assert items_of({}, {"archetypes": [{"id": "a"}]}) == [{"id": "a"}]
    assert items_of({}, {"visualChangesets": [], "total": 0}) == []
    assert items_of({}, {"experiment": {"id": "a", "tags": []}}) is None  # one object, not a list
    assert items_of({}, {"a": [], "b": []}) is None
