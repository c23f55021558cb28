"""LaunchDarkly's demo world, built with Faker from the seed in `fixtures/launchdarkly.yaml`.

Experiments are made through the model's own operations (create, create iteration, semantic
patch) at times in the past, so the demo data obeys the same rules as what users create.
"""

from __future__ import annotations

from datetime import timedelta

from faker import Faker

from mockexp.fixtures import scenario
from mockexp.vendors.launchdarkly.models import EXPERIMENTS, Ids, LaunchDarkly, millis
from mockexp.vendors.launchdarkly.models.common import ENVIRONMENTS, PROJECTS
from mockexp.worlds.export import Names, call, first_writer, key_of, only, ref
from mockexp.worlds.vocabulary import Words

DAY = timedelta(days=1)


def load(ld: LaunchDarkly) -> None:
    world = scenario("launchdarkly")
    fake = Faker()
    fake.seed_instance(world["seed"])
    ids = Ids(hex=lambda: fake.hexify("^" * 24), uuid=fake.uuid4)
    words = Words(fake)
    now = ld.clock.now()

    def ago(days: float) -> int:
        return millis(now - days * DAY)

    members = []
    for member in world["members"]:
        first, last = fake.first_name(), fake.last_name()
        email = f"{first}.{last}@{member['email_domain']}".lower()
        members.append(ld.add_member(ids.hex(), email, first, last, member["role"])["_id"])
    for token in world["tokens"]:
        ld.add_token(token["token"], token["name"], members[token["member"]], token["role"], projects=token.get("projects"))

    for project in world["projects"]:
        key = project["key"]
        ld.add_project(key, _title(key), id=ids.hex(), context_kinds=project["context_kinds"])
        environments = project["environments"]
        for environment in environments:
            own = _own_faker(world["seed"], key, environment)
            ld.add_environment(key, environment, _title(environment), id=ids.hex(), api_key=f"sdk-{own.uuid4()}",
                               mobile_key=f"mob-{own.uuid4()}", color=own.hex_color()[1:], critical=environment == "production")
        flags = {flag["key"]: _flag(ld, world["seed"], key, environments, members[0], ago, flag) for flag in project["flags"]}
        for metric in project["metrics"]:
            own = _own_faker(world["seed"], key, "metric", metric["key"])
            ld.add_metric(key, metric["key"], _title(metric["key"]), kind=metric["kind"], version_id=own.uuid4(),
                          is_numeric=metric["numeric"], unit_aggregation_type=metric.get("aggregation"),
                          event_key=metric["key"].replace("-", "_"), randomization_units=metric["units"], id=own.hexify("^" * 24),
                          description=Words(own).metric(metric["key"]), created=ago(metric.get("created_days_ago", 300)), maintainer_id=members[0])
        for group in project["metric_groups"]:
            own = _own_faker(world["seed"], key, "metric-group", group["key"])
            steps = [{"key": m, "nameInGroup": f"Step {i + 1}" if group["kind"] == "funnel" else None} for i, m in enumerate(group["metrics"])]
            ld.add_metric_group(key, group["key"], _title(group["key"]), kind=group["kind"], version_id=own.uuid4(), metrics=steps,
                                id=own.hexify("^" * 24), description=Words(own).metric(group["key"]), created=ago(250), maintainer_id=members[0])
        for environment in environments:
            for holdout in project["holdouts"]:
                ld.add_holdout(key, environment, fake.uuid4(), holdout, _title(holdout))
            for file_name in project["covariates"]:
                ld.add_covariate(key, environment, fake.uuid4(), file_name, ago(30))
        for layer in project["layers"]:
            ld.add_layer(key, environments[0], layer["key"], layer["name"], layer["reservations"])
        for experiment in project["experiments"]:
            _experiment(ld, words, ids, ago, key, environments[0], members[0], flags[experiment["flag"]], experiment)


def _experiment(ld: LaunchDarkly, words: Words, ids: Ids, ago, project_key: str, environment_key: str, member_id: str, flag: dict, plan: dict) -> None:
    state = plan["state"]
    created = {"draft": 2, "running": 8, "stopped": 42, "second_iteration": 27, "archived": 120}[state]
    idea = words.idea(plan["key"])
    body = {
        "key": plan["key"],
        "name": idea.name,
        "description": idea.description,
        "tags": [idea.domain, project_key],
        "methodology": "bayesian" if state in ("running", "archived") else "frequentist",
        "iteration": _iteration(idea.hypothesis, project_key, environment_key, flag, plan),
    }
    if state == "running":
        body["analysisConfig"] = {"bayesianThreshold": "90"}
    elif state != "archived":
        body["analysisConfig"] = {"significanceThreshold": "5", "testDirection": "two-sided",
                                  "multipleComparisonCorrectionMethod": "bonferroni", "multipleComparisonCorrectionScope": "variations",
                                  "sequentialTestingEnabled": False}
    key = plan["key"]
    ld.create_experiment(project_key, environment_key, member_id, body, at=ago(created), ids=ids)
    if state == "draft":
        return

    def patch(days: float, *instructions: dict) -> dict:
        return ld.patch_experiment(project_key, environment_key, key, {"instructions": list(instructions)}, at=ago(days))

    def stop(days: float) -> None:
        current = ld.get_experiment(project_key, environment_key, key, expand="treatments")["currentIteration"]
        patch(days, {"kind": "stopIteration", "winningTreatmentId": current["treatments"][1]["_id"], "winningReason": words.text("winning_reasons")})

    started = {"running": 6, "stopped": 40, "second_iteration": 25, "archived": 110}[state]
    patch(started, {"kind": "startIteration"})
    if state == "stopped":
        stop(12)
    elif state == "second_iteration":
        ld.create_iteration(project_key, environment_key, key, _iteration(idea.hypothesis, project_key, environment_key, flag, plan), at=ago(15), ids=ids)
        patch(15, {"kind": "startIteration", "changeJustification": "Widened the audience to every signed-in customer"})
    elif state == "archived":
        stop(80)
        patch(60, {"kind": "archiveExperiment"})


def _iteration(hypothesis: str, project_key: str, environment_key: str, flag: dict, plan: dict) -> dict:
    variations = flag["variations"]
    shares = [100 // len(variations) + (1 if index < 100 % len(variations) else 0) for index in range(len(variations))]
    metrics = [{"key": key} for key in plan["metrics"]]
    iteration = {
        "hypothesis": hypothesis,
        "canReshuffleTraffic": True,
        "metrics": metrics,
        "treatments": [
            {"name": variation["name"], "baseline": index == 0, "allocationPercent": str(share),
             "parameters": [{"flagKey": flag["key"], "variationId": variation["_id"]}]}
            for index, (variation, share) in enumerate(zip(variations, shares))
        ],
        "flags": {flag["key"]: {"ruleId": "fallthrough" if plan.get("rule") == "fallthrough" else flag["environments"][environment_key]["rules"][0]["_id"],
                                "flagConfigVersion": flag["environments"][environment_key]["version"]}},
        "randomizationUnit": plan["unit"],
        "attributes": ["country"],
    }
    if "funnel" in plan:
        metrics.insert(0, {"key": plan["funnel"], "isGroup": True})
        iteration["primaryFunnelKey"] = plan["funnel"]
    elif "group" in plan:
        metrics.append({"key": plan["group"], "isGroup": True})
        iteration["primarySingleMetricKey"] = plan["metrics"][0]
    else:
        iteration["primarySingleMetricKey"] = plan["metrics"][0]
    return iteration


def _flag(ld: LaunchDarkly, seed: int, project_key: str, environments: list[str], maintainer: str, ago, plan: dict) -> dict:
    """A flag with its own Faker (seeded by the world's seed and its key), so its ids stay the
    same whatever else the world holds. On in every environment but those in `off_in`."""
    own = _own_faker(seed, project_key, "flag", plan["key"])
    names = plan["variations"]
    values = [False, True] if len(names) == 2 else list(range(len(names)))
    variations = [{"_id": own.uuid4(), "name": name, "value": value} for name, value in zip(names, values)]
    created = ago(plan.get("created_days_ago", 365))
    configs = {
        env: {"version": own.random_int(3, 40), "rules": [_rule(own) for _ in range(plan["rules"])], "on": env not in plan.get("off_in", ()),
              "salt": own.hexify("^" * 32), "lastModified": ago(plan.get("modified_days_ago", 20))}
        for env in environments
    }
    for config in configs.values():
        _targeting(config, names, plan)
    archived = ago(plan["archived_days_ago"]) if "archived_days_ago" in plan else None
    return ld.add_flag(project_key, plan["key"], _title(plan["key"]), variations=variations, environments=configs,
                       description=Words(own).idea(plan["key"]).description, tags=plan.get("tags", ["experiment"]), created=created,
                       version=own.random_int(5, 60), maintainer_id=maintainer, archived_date=archived)


def _targeting(config: dict, names: list[str], plan: dict) -> None:
    """What the world file says the flag serves beyond its first variation: individual
    `targets` (variation name -> user keys), `context_targets` (context kind -> variation
    name -> keys), `rule_serves` (per rule: a variation name or percentages per variation),
    `fallthrough` and `off_variation` (the same), `prerequisites` ([{key, variation}])."""
    config["targets"] = [{"values": list(keys), "variation": names.index(name)} for name, keys in plan.get("targets", {}).items()]
    config["contextTargets"] = [{"contextKind": kind, "values": list(keys), "variation": names.index(name)}
                                for kind, targets in plan.get("context_targets", {}).items() for name, keys in targets.items()]
    for rule, serves in zip(config["rules"], plan.get("rule_serves", ())):
        rule.update(_serves(serves, names))
    config["fallthrough"] = _serves(plan.get("fallthrough", names[0]), names)
    config["offVariation"] = names.index(plan.get("off_variation", names[0]))
    config["prerequisites"] = [dict(prerequisite) for prerequisite in plan.get("prerequisites", ())]


def _serves(serves: str | list, names: list[str]) -> dict:
    """A variation by name, or a percentage rollout over the variations in order."""
    if isinstance(serves, str):
        return {"variation": names.index(serves)}
    weights = [{"variation": index, "weight": round(share * 1000)} for index, share in enumerate(serves)]
    return {"rollout": {"variations": weights, "contextKind": "user", "bucketBy": "key"}}


def _own_faker(seed: int, *parts: str) -> Faker:
    fake = Faker()
    fake.seed_instance(f"{seed}:{':'.join(parts)}")
    return fake


def _rule(fake: Faker) -> dict:
    country = fake.country_code()
    return {
        "_id": fake.uuid4(),
        "description": f"Customers in {country}",
        "clauses": [{"attribute": "country", "op": "in", "values": [country], "contextKind": "user", "negate": False}],
    }


def _title(key: str) -> str:
    return key.replace("-", " ").replace(".csv", "").capitalize()


# -- export: the experiments as the API calls that make them again -----------------------------

EXPERIMENT_FIELDS = ("key", "name", "description", "tags", "methodology", "dataSource", "type", "holdoutId")
ITERATION_FIELDS = ("hypothesis", "canReshuffleTraffic", "randomizationUnit", "reallocationFrequencyMillis", "covariateId", "attributes")


def export(ld: LaunchDarkly) -> list[dict]:
    """Every experiment of every project a writer token reaches, environment by environment
    and by key, as a real user makes it: `createExperiment` with its first iteration, then
    for each iteration in turn `startIteration` (with its change justification),
    `stopIteration` naming the winner (`${...}` to the treatment's id in the answer that
    made the iteration) and `createIteration` for the next; `archiveExperiment` last.

    A load does not keep what the API sets from the clock or makes up: creation, start, end
    and archive times are the time of the load (so a list, newest first, shows experiments
    loaded together in reverse key order), and experiments, iterations and treatments get
    new ids. An iteration whose flag is now off or archived cannot start again: it is exported as
    a draft (which the next iteration, if any, replaces). A project no writer token reaches
    cannot take experiments through the API and is left out; flags, metrics, holdouts,
    layers and the rest are the demo world's and stay."""
    requests: list[dict] = []
    names = Names()
    for project in ld.store.query(PROJECTS, order_by=lambda p: p["position"]):
        writer = first_writer(ld.credentials(), lambda c: ld.authorize(ld.authenticate(c.value), project["key"], write=True))
        if writer is None:
            continue
        for environment in ld.project(project["key"]).query(ENVIRONMENTS, order_by=lambda e: e["position"]):
            for experiment in sorted(ld.environment(project["key"], environment["key"]).view(EXPERIMENTS), key=lambda e: e["key"]):
                requests += _experiment_calls(ld, experiment, names(experiment["key"]), key_of(writer), names)
    return requests


def _experiment_calls(ld: LaunchDarkly, experiment: dict, name: str, credential: str, names: Names) -> list[dict]:
    where = {"projectKey": experiment["projectKey"], "environmentKey": experiment["environmentKey"]}
    at = {**where, "experimentKey": experiment["key"]}
    history = [it for it in (*reversed(experiment["previousIterations"]), experiment["currentIteration"], experiment["draftIteration"]) if it]
    first, *later = history
    body = {**only(experiment, EXPERIMENT_FIELDS), "maintainerId": experiment["_maintainerId"], "iteration": _iteration_body(first)}
    if experiment["analysisConfig"]:
        body["analysisConfig"] = dict(experiment["analysisConfig"])
    body = {key: value for key, value in body.items() if value is not None}
    patches = _started(ld, experiment, first, (name, "draftIteration", "treatments"))
    for iteration in later:
        made = names(experiment["key"], "iteration")
        patches.append(("createIteration", _iteration_body(iteration), made))
        patches += _started(ld, experiment, iteration, (made, "treatments"))
    if experiment["archivedDate"] is not None:
        patches.append(("patchExperiment", {"instructions": [{"kind": "archiveExperiment"}]}, None))
    return [call("createExperiment", body, path=where, name=name, credential=credential),
            *(call(operation, change, path=at, name=made, credential=credential) for operation, change, made in patches)]


def _started(ld: LaunchDarkly, experiment: dict, iteration: dict, treatments: tuple[str, ...]) -> list[tuple[str, dict, None]]:
    """The instructions that brought a made iteration to its status: started, and stopped with
    a winner (one stopped without a winner was stopped by the next one's start)."""
    flags_refuse = any(ld.flag_refusal(experiment["projectKey"], experiment["environmentKey"], key) for key in iteration["flags"])
    if iteration["status"] == "not_started" or flags_refuse:
        return []
    steps = [{"kind": "startIteration"}]
    if iteration["changeJustification"] is not None:
        steps[0]["changeJustification"] = iteration["changeJustification"]
    if iteration["winningTreatmentId"] is not None:
        index = [treatment["_id"] for treatment in iteration["treatments"]].index(iteration["winningTreatmentId"])
        steps.append({"kind": "stopIteration", "winningTreatmentId": ref(*treatments, str(index), "_id")})
        if iteration["winningReason"] is not None:
            steps[1]["winningReason"] = iteration["winningReason"]
    return [("patchExperiment", {"instructions": [step]}, None) for step in steps]


def _iteration_body(iteration: dict) -> dict:
    """An iteration as the input that makes it (primary metric and flags' settings included)."""
    body = {key: value for key, value in only(iteration, ITERATION_FIELDS).items() if value is not None}
    body["metrics"] = [{"key": m["key"], **({"isGroup": True} if m["isGroup"] else {}), **({"analysisUnit": m["analysisUnit"]} if m["analysisUnit"] else {})}
                       for m in iteration["metrics"]]
    body["treatments"] = [{**only(t, ("name", "baseline", "allocationPercent")), "parameters": [dict(p) for p in t["parameters"]]}
                          for t in iteration["treatments"]]
    body["flags"] = {key: {field: value for field, value in config.items() if value is not None} for key, config in iteration["flags"].items()}
    primary = iteration["primary"]
    if primary is None:
        return body
    if primary["isGroup"] and "single" in primary:
        body["primaryFunnelKey"] = primary["key"]
        if primary["single"] is not None:
            body["primarySingleMetricKey"] = primary["single"]
    elif not primary["isGroup"]:
        body["primarySingleMetricKey"] = primary["key"]
    else:
        next(m for m in body["metrics"] if m["key"] == primary["key"] and m.get("isGroup"))["primary"] = True
    return body
