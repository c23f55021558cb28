"""GrowthBook's demo world, built with Faker from the seed in `fixtures/growthbook.yaml`.

Everything is made through the model's own operations at times in the past (creates, then
changes and toggles, each a revision; saved groups, archetypes, members and code references as
the API makes them), so the demo data obeys the same rules as what users create. Experiments
(and what they are analysed over) come before the features, whose experiment-ref rules name
them: a generated feature's names the experiment with its key as tracking key, or else one
chosen by its name (an organization without experiments has no such rules)."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

from faker import Faker

from mockexp.fixtures import scenario
from mockexp.worlds.vocabulary import Words
from mockexp.store import SEQUENCES
from mockexp.vendors.growthbook import experimentation_fixtures
from mockexp.vendors.growthbook.experimentation_export import Experimentation
from mockexp.vendors.growthbook.models import GrowthBook
from mockexp.vendors.growthbook.models.common import (
    ADMIN, ARCHETYPES, CODE_REFS, ENVIRONMENTS, EXPERIMENTS, FEATURES, KEYS, ORGANIZATIONS, PROJECTS, REVISIONS, SAVED_GROUPS, SDK_CONNECTIONS, made_id,
)
from mockexp.vendors.growthbook.models.saved_groups import OF_TYPE
from mockexp.vendors.growthbook.models.sdk_connections import FLAGS
from mockexp.vendors.growthbook.models.world import add_organization
from mockexp.worlds.export import call, only, parents_first, ref

DAY = timedelta(days=1)
TYPES = ("boolean", "boolean", "string", "number", "json")


@dataclass
class Seeding:
    growthbook: GrowthBook
    words: Words
    admin: str  # the organization's admin key, which makes everything
    projects: list[str]
    environments: list[str]
    groups: dict[str, str]  # saved group name in the plan -> its id
    experiments: list[Mapping[str, Any]]  # the organization's experiments, by id
    owners: list[str]  # the members' emails, who own features

    @property
    def fake(self) -> Faker:
        return self.words.fake

    def days_ago(self, days: float) -> datetime:
        return self.growthbook.clock.now() - days * DAY


def load(growthbook: GrowthBook) -> None:
    world = scenario("growthbook")
    fake = Faker()
    fake.seed_instance(world["seed"])
    for plan in world["organizations"]:
        _organization(growthbook, fake, plan)


def _organization(growthbook: GrowthBook, fake: Faker, plan: dict) -> None:
    with growthbook.backdated(growthbook.clock.now() - 400 * DAY):
        add_organization(growthbook, plan["id"], plan["name"], plan["owner"])
        for key in plan["keys"]:
            user = plan["owner"] if key.get("user") else None
            growthbook.add_key(key["value"], plan["id"], key["role"], key["description"], user=user, super_admin=key.get("superAdmin", False))
        admin = plan["keys"][0]["value"]
        projects = [growthbook.post_project(dict(item), admin)["project"]["id"] for item in plan["projects"]]
        environments = [growthbook.post_environment(dict(item), admin)["environment"]["id"] for item in plan["environments"]]
        for env, language in zip(environments, itertools.cycle(("python", "javascript"))):
            growthbook.post_sdk_connection({"name": f"{plan['name']} ({env})", "language": language, "environment": env}, admin)
        owners = [member["email"] for member in plan.get("members", [])] or [plan["owner"]]
        seeding = Seeding(growthbook, Words(fake), admin, projects, environments, {}, [], owners)
        _organization_data(seeding, plan)
    # experimentation (issue 12), before the features whose experiment-ref rules name its experiments
    experimentation_fixtures.load(growthbook, admin, plan, projects)
    seeding.experiments = growthbook.org(admin).view(EXPERIMENTS, order_by=lambda e: e["id"])
    for offset, item in enumerate(plan["showcase"]):
        _showcase(seeding, item, 300 - offset)
    names = [f"{area}-{thing}" for area, thing in itertools.product(plan["areas"], plan["things"])]
    fake.random.shuffle(names)
    for offset in range(plan["generated"]):
        _generated(seeding, names[offset], 250 - offset * 7)
    with growthbook.backdated(seeding.days_ago(2)):
        for submission in plan.get("codeRefs", []):
            growthbook.post_code_refs(submission, admin)


def _organization_data(seeding: Seeding, plan: dict) -> None:
    """Attributes, saved groups, archetypes, members and settings (the plan's indices into
    projects made ids)."""
    growthbook, admin = seeding.growthbook, seeding.admin
    for attribute in plan.get("attributes", []):
        growthbook.add_attribute(attribute, admin)
    for group in plan.get("savedGroups", []):
        body = {**group, "projects": [seeding.projects[i] for i in group.get("projects", [])]}
        seeding.groups[group["name"]] = growthbook.post_saved_group(body, admin)["savedGroup"]["id"]
    for archetype in plan.get("archetypes", []):
        growthbook.post_archetype(dict(archetype), admin)
    for member in plan.get("members", []):
        id = growthbook.add_member(member["name"], member["email"], member["role"], admin)["id"]
        roles = [{**r, "project": seeding.projects[r["project"]]} for r in member.get("projectRoles", [])]
        if roles or member.get("environments"):
            growthbook.update_member_role(id, {"member": {"environments": member.get("environments", []), "projectRoles": roles}}, admin)
    if plan.get("settings"):
        growthbook.change_settings(plan["settings"], admin)


def _showcase(seeding: Seeding, item: dict, days: float) -> None:
    body = {**copy.deepcopy(item), "project": seeding.projects[item["project"]], "owner": seeding.fake.random_element(seeding.owners),
            "description": seeding.words.idea(item["id"], keep=True).description}
    for entry in body["environments"].values():
        for rule in entry["rules"]:
            for target in rule.get("savedGroupTargeting", []):
                target["savedGroups"] = [seeding.groups[name] for name in target["savedGroups"]]
    with seeding.growthbook.backdated(seeding.days_ago(days)):
        seeding.growthbook.post_feature(body, seeding.admin)


def _generated(seeding: Seeding, name: str, days: float) -> None:
    fake, words, growthbook = seeding.fake, seeding.words, seeding.growthbook
    value_type = fake.random_element(TYPES)
    environments = {env: {"enabled": fake.boolean(60), "rules": _rules(words, value_type, name, seeding.experiments)} for env in seeding.environments}
    body = {"id": name, "owner": fake.random_element(seeding.owners), "description": words.idea(name, keep=True).description, "valueType": value_type,
            "defaultValue": _value(words, value_type), "project": fake.random_element(seeding.projects + [""]),
            "tags": fake.random_elements(["ui", "backend", "experiment", "kill-switch", "ops"], length=fake.random_int(0, 2), unique=True),
            "environments": environments}
    with growthbook.backdated(seeding.days_ago(days)):
        growthbook.post_feature(body, seeding.admin)
    if fake.boolean(50):
        with growthbook.backdated(seeding.days_ago(days - 3)):
            growthbook.update_feature(name, {"description": words.idea(name, keep=True).hypothesis, "defaultValue": _value(words, value_type)}, seeding.admin)
    if fake.boolean(40):
        env = fake.random_element(seeding.environments)
        with growthbook.backdated(seeding.days_ago(days - 5)):
            growthbook.toggle_feature(name, {"reason": words.text("toggle_reasons"), "environments": {env: not environments[env]["enabled"]}}, seeding.admin)


def _rules(words: Words, value_type: str, name: str, experiments: list[Mapping[str, Any]]) -> list[dict]:
    fake = words.fake
    rules: list[dict[str, Any]] = []
    for kind in fake.random_elements(["force", "rollout", "experiment-ref"], length=fake.random_int(0, 2), unique=True):
        rule: dict[str, Any] = {"type": kind, "description": words.text("rule_descriptions")}
        if kind == "force":
            rule.update(condition=json.dumps({"country": fake.random_element(["US", "DE", "FR", "GB", "SE"])}), value=_value(words, value_type))
        elif kind == "rollout":
            rule.update(value=_value(words, value_type), coverage=fake.random_element([0.1, 0.25, 0.5, 0.75]), hashAttribute="id")
        else:
            served = [_value(words, value_type) for _ in range(2)]
            experiment = _experiment_for(name, experiments)
            if experiment is None:
                continue
            rule.update(experimentId=experiment["id"], variations=[{"value": served[index % 2], "variationId": variation["variationId"]}
                                                                   for index, variation in enumerate(experiment["variations"])])
        rules.append(rule)
    return rules


def _experiment_for(name: str, experiments: list[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The experiment a generated feature's experiment-ref rule names: the one tracked by the
    feature's key, else one chosen by the key (none when there are no experiments)."""
    if not experiments:
        return None
    same = [e for e in experiments if e["trackingKey"] == name]
    return same[0] if same else experiments[int(hashlib.sha256(name.encode()).hexdigest(), 16) % len(experiments)]


def _value(words: Words, value_type: str) -> str:
    fake = words.fake
    if value_type == "boolean":
        return fake.random_element(["true", "false"])
    if value_type == "number":
        return str(fake.random_int(1, 100))
    if value_type == "json":
        return json.dumps({"enabled": fake.boolean(), "variant": words.text("values")})
    return words.text("values")


# -- export: each organization's projects, environments, experimentation, features and SDK connections as the API calls that make them again

FEATURE_FIELDS = ("id", "archived", "description", "owner", "valueType", "tags", "prerequisites", "jsonSchema")
ENVIRONMENT_FIELDS = ("id", "description", "toggleOnList", "defaultState")
UPDATED = "Updated through the API"  # the comment of a revision an update publishes


def export(growthbook: GrowthBook) -> list[dict]:
    """Every organization with an admin key: its projects and SDK connections in the order
    they were made, its environments (parents first), its saved groups, archetypes (each by
    its owner's key) and code references (one submission per repository and branch), its
    experimentation (dimensions, fact tables with their filters and fact metrics, segments,
    metrics and experiments: see `experimentation_export`, which says what of it a load
    does not keep), made before the features that name its experiments, and
    its features one by one, each
    with its revision history: the first revision as the create (with the feature's
    settings as they are now), every later published one as the call that makes it again
    (a toggle when only on/off changed, with the revision's comment as the reason; a revert
    when it brings back an earlier revision, with its comment; else an update), a draft with
    the call that saved it, and a last update if the feature now differs from its latest
    revision (a new environment took a parent's rules). Ids the server makes (`prj_...`)
    are `${name.project.id}` references; feature and rule ids and revision numbers are kept
    (a revert to revision N does the same after a load). Each call is made by the admin key
    that published it when there is one, else the organization's first.

    A load does not keep: times (everything happens "now", but for experiments' phases,
    whose dates a create takes), the server-made ids and keys
    (projects', saved groups', archetypes', SDK connections', dimensions', segments',
    metrics' and experiments' ids, client keys: made afresh; rules name saved groups and
    experiments by `${...}` references, so an experiment-ref rule's key in the SDK payload,
    its experiment's id, changes too), the comment of a
    revision an update published (it becomes "Updated through the API"), the settings a
    feature had before its latest change of description, owner, tags, project or
    prerequisites (its create has today's), and the settings of environments that have
    since been deleted. Features whose prerequisites name each other in a circle cannot be
    made again (each create names the other). Visual changesets (only the visual editor
    makes one), objects managed by config.yml, and what is derived (snapshots, metric
    analyses) are not made again. Organizations, keys and data sources are not API-made:
    the demo world's stay."""
    requests: list[dict] = []
    names = itertools.count(1)
    for organization in growthbook.store.view(ORGANIZATIONS, order_by=lambda o: (o["dateCreated"], o["id"])):
        keys = growthbook.store.view(KEYS, {"organization": organization["id"], "role": ADMIN}, order_by=lambda key: key["value"])
        if keys:
            requests += _Organization(growthbook, growthbook.store.tenant(organization["id"]), keys, names).requests()
    return requests


class _Organization:
    def __init__(self, growthbook: GrowthBook, org, keys: list, names) -> None:
        self.org, self.names = org, names
        self.keys = {growthbook.actor(key["value"]): key["value"] for key in reversed(keys)}
        self.first_key = keys[0]["value"]
        by_order = sorted(org.view(ENVIRONMENTS), key=lambda e: (e["order"], e["id"]))
        self.environments = parents_first(by_order, lambda e: e["id"], lambda e: [e["parent"]] if e.get("parent") else [])
        self.projects: dict[str, str] = {}  # project id -> the reference to the answer that makes it again
        self.groups: dict[str, str] = {}  # saved group id -> the same

    def requests(self) -> list[dict]:
        out = [self._project(project) for project in made_order(self.org, PROJECTS, "prj_")]
        out += [self._environment(environment) for environment in self.environments]
        out += [self._saved_group(group) for group in made_order(self.org, SAVED_GROUPS, "grp_")]
        experimentation = Experimentation(self)
        out += experimentation.requests()  # before the features, whose experiment-ref rules name the experiments
        features = sorted(self.org.view(FEATURES), key=lambda f: f["id"])
        for feature in parents_first(features, lambda f: f["id"], self._needs):
            out += [experimentation.experiment_references(request) for request in _History(self, feature).requests()]
        out += [self._archetype(archetype) for archetype in made_order(self.org, ARCHETYPES, "sam_")]
        out += self._code_refs()
        out += [self._connection(connection) for connection in made_order(self.org, SDK_CONNECTIONS, "sdk_")]
        return [self._with_group_references(request) for request in out]

    def call(self, operation: str, body: Any, *, by: str | None = None, **parts: Any) -> dict:
        return call(operation, body, credential=self.keys.get(by, self.first_key), **parts)

    def made_order(self, table: str, prefix: str) -> list[Mapping[str, Any]]:
        return made_order(self.org, table, prefix)

    def project_ids(self, ids: list[str]) -> list[str]:
        return [self.projects.get(id, id) for id in ids]

    def _project(self, project: Mapping[str, Any]) -> dict:
        name = f"p{next(self.names)}"
        self.projects[project["id"]] = ref(name, "project", "id")
        return self.call("postProject", only(project, ("name", "description", "settings")), name=name)

    def _environment(self, environment: Mapping[str, Any]) -> dict:
        body = {**only(environment, ENVIRONMENT_FIELDS), "projects": self.project_ids(environment["projects"])}
        if environment.get("parent"):
            body["parent"] = environment["parent"]
        return self.call("postEnvironment", body)

    def _saved_group(self, group: Mapping[str, Any]) -> dict:
        name = f"g{next(self.names)}"
        self.groups[group["id"]] = ref(name, "savedGroup", "id")
        body = {**only(group, ("name", "type", "owner", *OF_TYPE[group["type"]])), "projects": self.project_ids(group["projects"])}
        return self.call("postSavedGroup", body, name=name)

    def _archetype(self, archetype: Mapping[str, Any]) -> dict:
        body = {**only(archetype, ("name", "description", "isPublic", "attributes")), "projects": self.project_ids(archetype["projects"])}
        return self.call("postArchetype", body, by=archetype["owner"])

    def _code_refs(self) -> list[dict]:
        """One submission per repository and branch, with the references of every feature
        (the content hash, which the mock does not keep, made from the lines)."""
        by_branch: dict[tuple, list] = {}
        for record in sorted(self.org.view(CODE_REFS), key=lambda r: (r["repo"], r["branch"], r["feature"])):
            by_branch.setdefault((record["repo"], record["branch"]), []).extend(
                {**ref_, "flagKey": record["feature"], "contentHash": hashlib.sha256(ref_["lines"].encode()).hexdigest()} for ref_ in record["refs"])
        return [self.call("postCodeRefs", {"branch": branch, "repoName": repo, "refs": refs}) for (repo, branch), refs in by_branch.items()]

    def _with_group_references(self, request: dict) -> dict:
        """Saved group ids (in rules' conditions and group lists) as references to their creates."""
        if not self.groups:
            return request
        pattern = re.compile("|".join(re.escape(id) for id in sorted(self.groups, key=len, reverse=True)))
        text = json.dumps(request)
        return json.loads(pattern.sub(lambda match: json.dumps(self.groups[match.group(0)])[1:-1], text)) if pattern.search(text) else request

    def _connection(self, connection: Mapping[str, Any]) -> dict:
        body = {**only(connection, ("name", "environment", *FLAGS)), "language": connection["languages"][0], "projects": self.project_ids(connection["projects"])}
        return self.call("postSdkConnection", body)

    def _needs(self, feature: Mapping[str, Any]) -> list[str]:
        """The features this one names (as prerequisites, of itself or of a rule of any revision)."""
        rule_sets = [entry["rules"] for entry in feature["environments"].values()]
        rule_sets += [rules for revision in self.org.view(REVISIONS, {"feature": feature["id"]}) for rules in revision["rules"].values()]
        return [*feature["prerequisites"], *(p["id"] for rules in rule_sets for rule in rules for p in rule.get("prerequisites", []))]


def made_order(org, table: str, prefix: str) -> list[Mapping[str, Any]]:
    """The objects of `table` in the order they were made: their ids come from a counter (see `World.new_id`)."""
    count = (org.get(SEQUENCES, prefix) or {"next": 1})["next"]
    numbers = {made_id(prefix, org.name(SEQUENCES), number): number for number in range(1, count)}
    return sorted(org.view(table), key=lambda row: (numbers.get(row["id"], count), row["id"]))


class _History:
    """One feature's revisions as the calls that make them again. What a revision holds, its
    content, is compared as {defaultValue, envs: {env: {enabled, rules}}} over the
    environments there are now (off with no rules where it does not mention one)."""

    def __init__(self, organization: _Organization, feature: Mapping[str, Any]) -> None:
        self.organization, self.feature = organization, feature
        self.revisions = list(organization.org.view(REVISIONS, {"feature": feature["id"]}, order_by=lambda r: r["version"]))
        self.published: dict[int, dict] = {}  # version -> content, of the published revisions made again so far

    def requests(self) -> list[dict]:
        out: list[dict] = []
        before = None
        for index, revision in enumerate(self.revisions):
            if revision["status"] != "published":
                continue  # a draft is saved with the revision it follows
            following = self.revisions[index + 1] if index + 1 < len(self.revisions) else None
            draft = self._content(following) if following and following["status"] == "draft" and following["version"] == revision["version"] + 1 else None
            content = self._content(revision)
            by = revision["publishedBy"]
            out.append(self._create(content, draft, by) if before is None else self._change(before, content, revision["comment"], draft, by))
            self.published[revision["version"]] = before = content
        now = self._content({"defaultValue": self.feature["defaultValue"], "enabled": {env: entry["enabled"] for env, entry in self.feature["environments"].items()},
                             "rules": {env: entry["rules"] for env, entry in self.feature["environments"].items()}})
        if before is None:
            out.append(self._create(now, None, None))
        elif now != before:
            out.append(self._change(before, now, UPDATED, None, None))
        return out

    def _content(self, revision: Mapping[str, Any]) -> dict:
        envs = {env["id"]: {"enabled": revision["enabled"].get(env["id"], False), "rules": list(revision["rules"].get(env["id"], []))}
                for env in self.organization.environments}
        return {"defaultValue": revision["defaultValue"], "envs": envs}

    def _create(self, content: dict, draft: dict | None, by: str | None) -> dict:
        feature = self.feature
        # an environment left out starts as its defaultState says, with no rules
        defaults = {env["id"]: {"enabled": env["defaultState"], "rules": []} for env in self.organization.environments}
        sent = {env: dict(entry) for env, entry in content["envs"].items() if entry != defaults[env]}
        body = {**only(feature, FEATURE_FIELDS), "project": self.organization.project_ids([feature["project"]])[0] if feature["project"] else "",
                "defaultValue": content["defaultValue"], "environments": _with_draft(sent, content, draft)}
        return self.organization.call("postFeature", body, by=by)

    def _change(self, before: dict, after: dict, comment: str, draft: dict | None, by: str | None) -> dict:
        """The call that takes the feature from `before` to `after`, publishing `comment` if it can."""
        path = {"id": self.feature["id"]}
        envs = after["envs"]
        if draft is None and envs and _values(after) == _values(before):
            flips = {env: entry["enabled"] for env, entry in envs.items() if before["envs"][env]["enabled"] != entry["enabled"]}
            first = next(iter(envs))
            return self.organization.call("toggleFeature", {"reason": comment, "environments": flips or {first: envs[first]["enabled"]}}, by=by, path=path)
        if draft is None:
            for version, old in self.published.items():
                if after == _reverted(before, old):
                    return self.organization.call("revertFeature", {"revision": version, "comment": comment}, by=by, path=path)
        body: dict[str, Any] = {} if after["defaultValue"] == before["defaultValue"] else {"defaultValue": after["defaultValue"]}
        sent = _with_draft({env: dict(entry) for env, entry in envs.items() if before["envs"][env] != entry}, after, draft)
        if sent:
            body["environments"] = sent
        return self.organization.call("updateFeature", body, by=by, path=path)


def _values(content: dict) -> tuple:
    """What a toggle leaves as it was: the default value and every environment's rules."""
    return content["defaultValue"], {env: entry["rules"] for env, entry in content["envs"].items()}


def _reverted(before: dict, old: dict) -> dict:
    """What reverting to `old` makes of `before` (its default value and rules; on/off stay)."""
    return {"defaultValue": old["defaultValue"], "envs": {env: {"enabled": entry["enabled"], "rules": old["envs"][env]["rules"]} for env, entry in before["envs"].items()}}


def _with_draft(sent: dict, content: dict, draft: dict | None) -> dict:
    """`sent` (environments a create or update publishes) with the draft saved alongside:
    the environments where the draft differs (or the first, if it differs nowhere)."""
    if draft is None:
        return sent
    differing = [env for env, entry in draft["envs"].items() if entry != content["envs"][env]] or list(draft["envs"])[:1]
    for env in differing:
        sent[env] = {**sent.get(env, content["envs"][env]), "draft": draft["envs"][env]}
    return sent
