"""ABsmartly's world files: what `mockexp export` writes of the demo account loads back into
the same experiments, in the same states and iterations, with the same activity."""

from __future__ import annotations

from pathlib import Path

from tests.test_worlds import reloaded as exported_and_loaded
from tests.test_worlds import runtime_with

ADMIN = "absmartly-demo-admin-key"


def reloaded(runtime, tmp_path: Path):
    """The runtime's world exported, loaded into a fresh mock (which exports the same)."""
    return exported_and_loaded(runtime, "absmartly", tmp_path).models["absmartly"]


def experiments(absmartly) -> dict:
    return {e["id"]: (e["name"], e["state"], e["iteration"], e["chain"], e["archived"], e["full_on_variant"])
            for e in absmartly.account("demo").view("experiments")}


def activity(absmartly, id: int) -> list[tuple]:
    return [(n["action"], n["note"], n["reason"], n["reply_to_note_id"]) for n in absmartly.list_experiment_activity(id, ADMIN)["experiment_notes"]]


def test_exported_experiments_are_in_the_same_states_and_iterations_after_a_load(tmp_path: Path) -> None:
    runtime = runtime_with(["absmartly"])
    before = experiments(runtime.models["absmartly"])
    after = reloaded(runtime, tmp_path)
    assert experiments(after) == before
    assert {state for _, state, *_ in before.values()} == {"created", "ready", "development", "running", "stopped", "full_on", "archived"}
    assert max(iteration for _, _, iteration, *_ in before.values()) == 3


def test_comments_replies_and_an_edited_new_iteration_survive_a_load(tmp_path: Path) -> None:
    runtime = runtime_with(["absmartly"])
    absmartly = runtime.models["absmartly"]
    running = next(e for e in absmartly.account("demo").view("experiments", order_by=lambda e: e["id"]) if e["state"] == "running")
    absmartly.stop_experiment(running["id"], {"reason": "testing", "note": "Pausing"}, ADMIN)
    new = absmartly.restart_experiment(running["id"], {"note": "Again", "reshuffle": True}, ADMIN)["experiment"]["id"]
    absmartly.update_experiment(new, {"data": {"description": "Second try", "percentage_of_traffic": 20}}, ADMIN)
    stop_note = activity(absmartly, running["id"]).index(("stop", "Pausing", "testing", None))
    stop_id = absmartly.list_experiment_activity(running["id"], ADMIN)["experiment_notes"][stop_note]["id"]
    absmartly.create_experiment_note(running["id"], {"note": "Why?", "reply_to_note_id": stop_id}, ADMIN)
    after = reloaded(runtime, tmp_path)
    assert activity(after, running["id"]) == activity(absmartly, running["id"])
    restarted = after.account("demo").get("experiments", str(new))
    assert (restarted["description"], restarted["percentage_of_traffic"], restarted["state"]) == ("Second try", 20, "running")
    assert restarted["traffic_seed"] != after.account("demo").get("experiments", str(running["id"]))["traffic_seed"]


def test_a_reply_finds_its_note_when_the_export_adds_an_edit_to_a_new_iteration(tmp_path: Path) -> None:
    runtime = runtime_with(["absmartly"])
    absmartly = runtime.models["absmartly"]
    running = next(e for e in absmartly.account("demo").view("experiments", order_by=lambda e: e["id"]) if e["state"] == "running")["id"]
    absmartly.stop_experiment(running, {}, ADMIN)
    new = absmartly.restart_experiment(running, {"state": "development"}, ADMIN)["experiment"]["id"]
    absmartly.update_experiment(running, {"data": {"description": "Only the first try had this"}}, ADMIN)  # after the restart: not in the new one
    absmartly.start_experiment(new, {"note": "Go"}, ADMIN)
    go = absmartly.list_experiment_activity(new, ADMIN)["experiment_notes"][-1]["id"]
    absmartly.create_experiment_note(new, {"note": "Finally", "reply_to_note_id": go}, ADMIN)
    after = reloaded(runtime, tmp_path)
    notes = after.list_experiment_activity(new, ADMIN)["experiment_notes"]
    assert [n["action"] for n in notes] == ["development", "edit", "start", "comment"]  # the edit gives the new iteration its own set-up
    assert next(n for n in notes if n["id"] == notes[-1]["reply_to_note_id"])["note"] == "Go"
    assert after.account("demo").get("experiments", str(new))["description"] == absmartly.account("demo").get("experiments", str(new))["description"]
