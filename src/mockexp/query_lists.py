"""Query parameters that hold a list in one value (`owners=1,2`: style form, explode false)
and are given more than once (`owners=1&owners=2`): every occurrence counts, as if the
values had been sent comma-separated, where Connexion's parser keeps only the last one."""

from __future__ import annotations

import typing as t

from connexion.uri_parsing import QUERY_STRING_DELIMITERS, OpenAPIURIParser


class MergingURIParser(OpenAPIURIParser):
    @staticmethod
    def _resolve_param_duplicates(values: list, param_defn: dict, _in: str) -> t.Any:
        if len(values) > 1 and (param_defn.get("schema") or {}).get("type") == "array":
            style = param_defn.get("style", OpenAPIURIParser.style_defaults[_in])
            return QUERY_STRING_DELIMITERS.get(style, ",").join(values)
        return OpenAPIURIParser._resolve_param_duplicates(values, param_defn, _in)
