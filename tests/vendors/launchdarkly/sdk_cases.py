"""What LaunchDarkly's evaluation rules give for the demo flags, for a set of contexts: the
cases both official SDKs (Python and Node.js) are checked against.

The rules, as LaunchDarkly documents them: an off flag serves its off variation; a flag whose
prerequisite does not serve the required variation serves its off variation; then individual
targets, then the first rule whose clauses all match, then the fallthrough. A percentage
rollout puts a context in the variation whose share holds its bucket: the first 15 hex digits
of the SHA-1 of `<flag key>.<salt>.<context key>` (`<seed>.<context key>` for an experiment),
over 0xFFFFFFFFFFFFFFF. A context is in an experiment when an experiment rollout buckets it in
a tracked share.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from tests.conftest import credential

SDK_SPEC = "launchdarkly-sdk.yaml"
NOWHERE = "ZZ"  # a country no demo rule names


@dataclass(frozen=True)
class Case:
    environment: str
    flag: str
    context: dict  # in LaunchDarkly's JSON form (`Context.from_dict`, the Node SDK's LDContext)
    value: Any
    reason: str  # the reason's kind
    in_experiment: bool = False
    default: Any = None

    def label(self) -> str:
        return f"{self.environment}/{self.flag} for {self.context}"


def sdk_key(mock, environment: str, project: str = "demo-shop") -> str:
    """The environment's SDK key, as `/__mockexp/credentials` lists it."""
    found = [c for c in mock.runtime.credentials() if c.spec == SDK_SPEC and c.role == "SDK key" and c.tenant == {"projectKey": project, "environmentKey": environment}]
    return found[0].value


def stored_config(mock, flag: str, environment: str, project: str = "demo-shop") -> dict:
    """The flag's configuration as it serves now (what experiments put on it included)."""
    ld = mock.runtime.models["launchdarkly"]
    return ld.configuration(ld.flag(project, flag), environment)


def rule_country(mock, flag: str, environment: str, index: int = 0, project: str = "demo-shop") -> str:
    return stored_config(mock, flag, environment, project)["rules"][index]["clauses"][0]["values"][0]


def user(key: str, country: str = NOWHERE) -> dict:
    return {"kind": "user", "key": key, "country": country}


def bucket(prefix: str, key: str) -> float:
    return int(hashlib.sha1(f"{prefix}.{key}".encode()).hexdigest()[:15], 16) / 0xFFFFFFFFFFFFFFF


def rolled_out(rollout: dict, flag: str, salt: str, key: str) -> tuple[int, bool]:
    """(variation index, in the experiment) for a context key in a rollout."""
    where = bucket(str(rollout["seed"]) if "seed" in rollout else f"{flag}.{salt}", key)
    total = 0.0
    for share in rollout["variations"]:
        total += share["weight"] / 100000
        if where < total:
            return share["variation"], rollout.get("kind") == "experiment" and not share.get("untracked", False)
    last = rollout["variations"][-1]
    return last["variation"], rollout.get("kind") == "experiment" and not last.get("untracked", False)


def rollout_case(mock, environment: str, flag: str, context: dict, serves: dict, reason: str, key: str, project: str = "demo-shop") -> Case:
    config = stored_config(mock, flag, environment, project)
    variations = [v["value"] for v in mock.runtime.models["launchdarkly"].flag(project, flag)["variations"]]
    index, inside = rolled_out(serves["rollout"], flag, config["salt"], key)
    return Case(environment, flag, context, variations[index], reason, inside)


def demo_cases(mock) -> list[Case]:
    """Every demo flag, every kind of rule: targets, context targets, rules with clauses, rule
    and fallthrough rollouts, experiment rollouts, an off flag, a prerequisite met and not met,
    an archived flag (not sent: the default)."""
    button = stored_config(mock, "checkout-button", "production")
    ranking = stored_config(mock, "search-ranking", "production")
    cases = [
        Case("production", "checkout-button", user("vip-customer-1", rule_country(mock, "checkout-button", "production")), 2, "TARGET_MATCH"),
        Case("production", "checkout-button", {"kind": "organization", "key": "acme-corp"}, 1, "TARGET_MATCH"),
        Case("production", "checkout-button", user("nobody-special"), 0, "FALLTHROUGH"),
        Case("production", "free-shipping-banner", user("early-adopter-1"), True, "TARGET_MATCH"),
        Case("production", "free-shipping-banner", user("shopper-1", rule_country(mock, "free-shipping-banner", "production")), True, "RULE_MATCH"),
        Case("production", "free-shipping-banner", user("shopper-2"), False, "FALLTHROUGH"),
        Case("production", "gift-wrapping-offer", user("early-adopter-1"), False, "OFF"),
        Case("production", "legacy-checkout", user("shopper-1"), "default", "ERROR", default="default"),
        Case("test", "gift-wrapping-offer", user("early-adopter-1"), True, "FALLTHROUGH"),
        Case("test", "gift-wrapping-offer", user("early-adopter-1", rule_country(mock, "gift-wrapping-offer", "test")), False, "RULE_MATCH"),
        Case("test", "gift-wrapping-offer", user("shopper-3"), False, "PREREQUISITE_FAILED"),
        Case("test", "checkout-button", user("shopper-4", rule_country(mock, "checkout-button", "test")), 0, "RULE_MATCH"),
    ]
    for n in range(6):
        key = f"shopper-{n}"
        cases.append(rollout_case(mock, "production", "checkout-button", user(key, rule_country(mock, "checkout-button", "production")), button["rules"][0], "RULE_MATCH", key))
        cases.append(rollout_case(mock, "production", "checkout-button", user(key, rule_country(mock, "checkout-button", "production", 1)), button["rules"][1], "RULE_MATCH", key))
        cases.append(rollout_case(mock, "production", "search-ranking", user(key), ranking["fallthrough"], "FALLTHROUGH", key))
        cases.append(rollout_case(mock, "production", "search-ranking", user(key, rule_country(mock, "search-ranking", "production")), ranking["rules"][0], "RULE_MATCH", key))
    return cases


def mobile_cases(mock) -> list[Case]:
    """The mobile-app project's running experiment randomizes by device: a context with a device
    is bucketed by the device's key; one without is served but not in the experiment."""
    rule = stored_config(mock, "onboarding-flow", "production", "mobile-app")["rules"][0]
    country = rule["clauses"][0]["values"][0]
    cases = [rollout_case(mock, "production", "onboarding-flow", {"kind": "multi", "user": {"key": f"u{n}", "country": country}, "device": {"key": f"phone-{n}"}},
                          rule, "RULE_MATCH", f"phone-{n}", project="mobile-app") for n in range(6)]
    cases.append(Case("production", "onboarding-flow", user("u-without-device", country), False, "RULE_MATCH", False))
    return cases


def writer(mock) -> dict:
    found = credential(mock.runtime, "launchdarkly", role="writer")
    return {found["header"]: found["value"]}


def experiment_members(mock, flag: str, environment: str, keys: list[str]) -> list[str]:
    """The keys LaunchDarkly's bucketing puts in the experiment now running on the flag's fallthrough."""
    config = stored_config(mock, flag, environment)
    return [key for key in keys if rolled_out(config["fallthrough"]["rollout"], flag, config["salt"], key)[1]]
