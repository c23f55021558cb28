"""Code references: where each feature's key appears in a repository's branch, as a CI job
submits them. A submission replaces, per feature, that repository and branch's references;
`deleteMissing` also drops the ones of features it no longer mentions."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Invalid
from mockexp.paging import Listing
from mockexp.vendors.growthbook.models.common import CODE_REFS, FEATURES
from mockexp.vendors.growthbook.models.world import World

SHOWN = ("filePath", "startingLineNumber", "lines", "flagKey")  # a submitted ref's contentHash is not kept


def ref_key(feature: str, repo: str, branch: str) -> str:
    return f"{feature}|{repo}|{branch}"


class CodeRefs(World):
    def list_code_refs(self, caller: str) -> Listing:
        return Listing(self.org(caller).query(CODE_REFS, order_by=_order), represent=_shown)

    def get_code_refs(self, id: str, caller: str) -> dict:
        org = self.org(caller)
        self.stored(org, FEATURES, id)
        return {"codeRefs": [_shown(ref) for ref in org.query(CODE_REFS, {"feature": id}, order_by=_order)]}

    def post_code_refs(self, body: dict, caller: str, delete_missing: str = "false") -> dict:
        org = self.org(caller)
        repo, branch, by_feature = body["repoName"], body["branch"], {}
        for index, ref in enumerate(body["refs"]):
            if org.get(FEATURES, ref["flagKey"]) is None:
                raise Invalid.field(f"refs[{index}].flagKey", f"Feature {ref['flagKey']!r} does not exist.")
            by_feature.setdefault(ref["flagKey"], []).append({name: ref[name] for name in SHOWN})
        gone = []
        if delete_missing == "true":
            gone = [r["feature"] for r in org.view(CODE_REFS, {"repo": repo, "branch": branch}) if r["feature"] not in by_feature]
        organization, now = self.key(caller)["organization"], self.now()
        with org.transaction():
            for feature, refs in by_feature.items():
                key = ref_key(feature, repo, branch)
                record = {"key": key, "organization": organization, "dateUpdated": now, "feature": feature, "repo": repo, "branch": branch, "refs": refs}
                if org.get(CODE_REFS, key) is None:
                    org.insert(CODE_REFS, key, record)
                else:
                    org.replace(CODE_REFS, key, record)
            for feature in gone:
                org.delete(CODE_REFS, ref_key(feature, repo, branch))
        return {"featuresUpdated": sorted({*by_feature, *gone})}


def _order(ref: Mapping[str, Any]) -> tuple:
    return ref["feature"], ref["repo"], ref["branch"]


def _shown(ref: Mapping[str, Any]) -> dict:
    return {name: value for name, value in ref.items() if name != "key"}
