"""LaunchDarkly's official Python client (PyPI `launchdarkly-api`), pointed at the mock with
nothing changed but its host: every answer must deserialise into the client's models."""

from __future__ import annotations

import json
from typing import Iterator

import pytest

# the client marks POST .../iterations deprecated; it is what this mock serves
pytestmark = pytest.mark.filterwarnings("ignore:POST .*iterations is deprecated:DeprecationWarning")

ld_api = pytest.importorskip("launchdarkly_api", reason="the official client: pip install 'mockexp[test]'")
from launchdarkly_api.api.experiments_api import ExperimentsApi  # noqa: E402

SEMANTIC_PATCH = "application/json; domain-model=launchdarkly.semanticpatch"


@pytest.fixture
def api(mock, ld_writer) -> Iterator[ExperimentsApi]:
    configuration = ld_api.Configuration(host=mock.url)
    configuration.api_key["ApiKey"] = ld_writer["value"]
    with ld_api.ApiClient(configuration) as client:
        yield ExperimentsApi(client)


@pytest.fixture
def where(ld_writer) -> tuple[str, str]:
    return ld_writer["tenant"]["projectKey"], ld_writer["tenant"]["environmentKey"]


def iteration(mock, hypothesis: str = "A larger button lifts checkouts") -> "ld_api.IterationInput":
    variations = mock.runtime.models["launchdarkly"].flag("demo-shop", "checkout-button")["variations"]
    return ld_api.IterationInput(
        hypothesis=hypothesis,
        metrics=[ld_api.MetricInput(key="checkout-completed"), ld_api.MetricInput(key="purchase-funnel", is_group=True)],
        primary_single_metric_key="checkout-completed",
        treatments=[
            ld_api.TreatmentInput(name=variation["name"], baseline=index == 0, allocation_percent=share,
                                  parameters=[ld_api.TreatmentParameterInput(flag_key="checkout-button", variation_id=variation["_id"])])
            for index, (variation, share) in enumerate(zip(variations, ("34", "33", "33")))
        ],
        flags={"checkout-button": ld_api.FlagInput(rule_id="fallthrough", flag_config_version=1)},
        randomization_unit="user",
        covariate_id=None,
    )


def instructions(*items: dict) -> "ld_api.ExperimentPatchInput":
    return ld_api.ExperimentPatchInput(comment="from the official client", instructions=list(items))


def test_the_client_lists_experiments_with_every_expansion(api, where):
    page = api.get_experiments(*where, limit=10, expand="previousIterations,draftIteration,secondaryMetrics,treatments,analysisConfig", lifecycle_state="active,archived")
    assert isinstance(page, ld_api.ExperimentCollectionRep)
    assert page.total_count == 5 and len(page.items) == 5
    by_key = {experiment.key: experiment for experiment in page.items}
    assert by_key["basket-size-test"].previous_iterations[0].status == "stopped"
    assert by_key["checkout-button-test"].current_iteration.primary_funnel.kind == "funnel"
    assert by_key["checkout-button-test"].analysis_config.bayesian_threshold == "90"
    assert by_key["free-shipping-banner-test"].draft_iteration.status == "not_started"
    assert by_key["holiday-banner-test"].archived_date is not None
    assert page.links["self"].href.startswith("/api/v2/projects/demo-shop/environments/production/experiments?")


def test_the_client_gets_an_experiment(api, where):
    experiment = api.get_experiment(*where, "search-ranking-test", expand="treatments,secondaryMetrics")
    assert isinstance(experiment, ld_api.Experiment)
    current = experiment.current_iteration
    assert current.status == "stopped" and current.winning_treatment_id in [t.id for t in current.treatments]
    assert current.layer_snapshot is None
    assert isinstance(current.created_at, int) and isinstance(experiment.creation_date, int)
    assert [m.key for m in current.secondary_metrics] == ["basket-size"]


def test_the_client_creates_gets_patches_and_creates_iterations(api, mock, where):
    post = ld_api.ExperimentPost(key="client-made", name="Made by the client", description="Created through launchdarkly-api",
                                 tags=["client"], methodology="bayesian", iteration=iteration(mock),
                                 analysis_config=ld_api.AnalysisConfigInput(bayesian_threshold="95"))
    created = api.create_experiment(*where, post)
    assert isinstance(created, ld_api.Experiment)
    assert created.key == "client-made" and created.current_iteration is None
    assert created.draft_iteration.status == "not_started" and len(created.draft_iteration.treatments) == 3
    assert created.draft_iteration.primary_single_metric.key == "checkout-completed"
    assert created.draft_iteration.metrics[1].is_group is True
    assert created.analysis_config.bayesian_threshold == "95"

    fetched = api.get_experiment(*where, "client-made", expand="draftIteration")
    assert fetched.draft_iteration.id == created.draft_iteration.id

    renamed = api.patch_experiment(*where, "client-made", instructions({"kind": "updateName", "value": "Renamed by the client"}))
    assert renamed.name == "Renamed by the client"
    described = api.patch_experiment(*where, "client-made", instructions({"kind": "updateDescription", "value": "Semantic patch"}), _content_type=SEMANTIC_PATCH)
    assert described.description == "Semantic patch"

    draft = api.create_iteration(*where, "client-made", iteration(mock, "A second draft"))
    assert isinstance(draft, ld_api.IterationRep)
    assert draft.status == "not_started" and draft.hypothesis == "A second draft"


def test_the_client_runs_a_full_lifecycle(api, mock, where):
    api.create_experiment(*where, ld_api.ExperimentPost(key="client-lifecycle", name="Lifecycle", iteration=iteration(mock)))

    started = api.patch_experiment(*where, "client-lifecycle", instructions({"kind": "startIteration"}))
    assert started.current_iteration.status == "running"
    winner = started.current_iteration.treatments[2].id

    stopped = api.patch_experiment(*where, "client-lifecycle", instructions({"kind": "stopIteration", "winningTreatmentId": winner, "winningReason": "Large wins"}))
    assert (stopped.current_iteration.status, stopped.current_iteration.winning_treatment_id) == ("stopped", winner)

    api.create_iteration(*where, "client-lifecycle", iteration(mock, "Second iteration"))
    restarted = api.patch_experiment(*where, "client-lifecycle", instructions({"kind": "startIteration", "changeJustification": "Second iteration"}), _content_type=SEMANTIC_PATCH)
    assert restarted.current_iteration.hypothesis == "Second iteration" and restarted.current_iteration.status == "running"
    assert [p.winning_treatment_id for p in restarted.previous_iterations] == [winner]

    api.patch_experiment(*where, "client-lifecycle", instructions({"kind": "stopIteration", "winningTreatmentId": restarted.current_iteration.treatments[0].id}))
    archived = api.patch_experiment(*where, "client-lifecycle", instructions({"kind": "archiveExperiment"}))
    assert archived.archived_date is not None
    assert "client-lifecycle" not in [e.key for e in api.get_experiments(*where).items]
    restored = api.patch_experiment(*where, "client-lifecycle", instructions({"kind": "restoreExperiment"}))
    assert restored.archived_date is None
    assert "client-lifecycle" in [e.key for e in api.get_experiments(*where).items]


def test_the_client_reads_errors_as_its_error_models(api, mock, where):
    with pytest.raises(ld_api.ApiException) as excinfo:
        api.patch_experiment(*where, "search-ranking-test", instructions({"kind": "startIteration"}))
    assert excinfo.value.status == 400
    assert isinstance(excinfo.value.data, ld_api.InvalidRequestErrorRep)
    assert excinfo.value.data.code == "invalid_request" and "startIteration" in excinfo.value.data.message

    with pytest.raises(ld_api.ApiException) as excinfo:
        api.get_experiment(*where, "no-such-experiment")
    assert excinfo.value.status == 404 and isinstance(excinfo.value.data, ld_api.NotFoundErrorRep)

    with pytest.raises(ld_api.ApiException) as excinfo:
        api.create_experiment(*where, ld_api.ExperimentPost(key="checkout-button-test", name="Taken", iteration=iteration(mock)))
    # the client declares no 409 for a create, so it leaves the body undecoded
    assert excinfo.value.status == 409 and json.loads(excinfo.value.body)["code"] == "conflict"


def test_the_client_with_a_read_only_token_gets_403(mock, where, ld_reader):
    configuration = ld_api.Configuration(host=mock.url)
    configuration.api_key["ApiKey"] = ld_reader["value"]
    with ld_api.ApiClient(configuration) as client:
        api = ExperimentsApi(client)
        assert api.get_experiments(*where).total_count == 4
        with pytest.raises(ld_api.ApiException) as excinfo:
            api.patch_experiment(*where, "free-shipping-banner-test", instructions({"kind": "updateName", "value": "x"}))
    assert excinfo.value.status == 403 and isinstance(excinfo.value.data, ld_api.ForbiddenErrorRep)


# -- the world around experiments ------------------------------------------------------------------


@pytest.fixture
def client(mock, ld_writer) -> Iterator["ld_api.ApiClient"]:
    configuration = ld_api.Configuration(host=mock.url)
    configuration.api_key["ApiKey"] = ld_writer["value"]
    with ld_api.ApiClient(configuration) as api_client:
        yield api_client


def test_the_client_reads_a_flag_with_its_variations_rules_and_environments(client):
    flag = ld_api.FeatureFlagsApi(client).get_feature_flag("demo-shop", "gift-wrapping-offer")
    assert isinstance(flag, ld_api.FeatureFlag)
    assert [v.name for v in flag.variations] == ["No offer", "Offer"] and all(v.id for v in flag.variations)
    assert flag.environments["production"].on is False and flag.environments["test"].on is True
    assert flag.environments["production"].rules[0].id and isinstance(flag.environments["production"].version, int)
    archived = ld_api.FeatureFlagsApi(client).get_feature_flag("demo-shop", "legacy-checkout", env="production")
    assert archived.archived is True and list(archived.environments) == ["production"]


def test_the_client_lists_flags(client):
    flags = ld_api.FeatureFlagsApi(client).get_feature_flags("demo-shop", limit=2, summary=False)
    assert isinstance(flags, ld_api.FeatureFlags)
    assert flags.total_count == 4 and len(flags.items) == 2
    assert flags.items[0].environments["production"].rules is not None


def test_the_client_reads_and_lists_metrics_and_metric_groups(client):
    metric = ld_api.MetricsApi(client).get_metric("demo-shop", "order-value")
    assert isinstance(metric, ld_api.MetricRep)
    assert (metric.kind, metric.is_numeric, metric.event_key, metric.randomization_units) == ("custom", True, "order_value", ["user", "organization"])
    metrics = ld_api.MetricsApi(client).get_metrics("demo-shop", limit=3)
    assert isinstance(metrics, ld_api.MetricCollectionRep) and metrics.total_count == 5 and len(metrics.items) == 3
    group = ld_api.MetricsBetaApi(client).get_metric_group("demo-shop", "purchase-funnel")
    assert isinstance(group, ld_api.MetricGroupRep) and [m.key for m in group.metrics][-1] == "checkout-completed"


def test_the_client_reads_the_project_and_its_environment(client):
    project = ld_api.ProjectsApi(client).get_project("demo-shop")
    assert isinstance(project, ld_api.Project) and project.key == "demo-shop"
    environment = ld_api.EnvironmentsApi(client).get_environment("demo-shop", "production")
    assert isinstance(environment, ld_api.Environment) and environment.api_key.startswith("sdk-") and environment.critical is True
