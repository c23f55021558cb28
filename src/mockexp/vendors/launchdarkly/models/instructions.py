"""Semantic patch: an experiment changed by a list of instructions, applied in order on the
result of the previous ones, all or nothing."""

from __future__ import annotations

import copy
from typing import Any, Callable, Mapping

from mockexp.errors import REQUIRED, Invalid
from mockexp.vendors.launchdarkly.models.common import LAYERS, percent, text
from mockexp.vendors.launchdarkly.models.flags import Flags


class Instructions(Flags):
    def patch_experiment(self, project_key: str, environment_key: str, experiment_key: str, body: Mapping[str, Any], *, at: int | None = None) -> dict:
        """Apply every instruction in order, all or nothing: the first that fails (unknown, missing
        a field, or not possible in the experiment's state at that point) is a 400 naming it."""
        with self.store.transaction():
            experiment = self.experiment(project_key, environment_key, experiment_key)
            instructions = body.get("instructions") if isinstance(body, Mapping) else None
            if instructions is None:
                raise Invalid.field("instructions", REQUIRED)
            if not isinstance(instructions, list) or not instructions:
                raise Invalid.field("instructions", "Give at least one instruction, e.g. {\"kind\": \"updateName\", \"value\": \"...\"}.")
            now = self.now() if at is None else at
            working = copy.deepcopy(experiment)
            for index, instruction in enumerate(instructions):
                _instruction(instruction, ("instructions", index))(self, working, instruction, ("instructions", index), now)
            if working != experiment:
                self.save(working)
                self.sync_experiment_traffic(experiment, working, now)
            return self.represent(working)

    def _update_name(self, experiment: dict, instruction: Mapping, where: tuple, now: int) -> None:
        value = text(instruction, "value", where, "updateName")
        if not value:
            raise Invalid.field(where + ("value",), "updateName needs a non-empty value.")
        experiment["name"] = value

    def _update_description(self, experiment: dict, instruction: Mapping, where: tuple, now: int) -> None:
        experiment["description"] = text(instruction, "value", where, "updateDescription")

    def _start_iteration(self, experiment: dict, instruction: Mapping, where: tuple, now: int) -> None:
        draft, current = experiment["draftIteration"], experiment["currentIteration"]
        justification = text(instruction, "changeJustification", where, "startIteration", required=False)
        if experiment["archivedDate"] is not None:
            raise Invalid.field(where, "startIteration: the experiment is archived; restore it (restoreExperiment) before starting an iteration.")
        if draft is None:
            raise Invalid.field(where, "startIteration: there is no draft iteration to start; create one first (POST .../iterations).")
        if current is not None and current["status"] == "running" and not justification:
            raise Invalid.field(where + ("changeJustification",), "startIteration needs a changeJustification while an iteration is running.")
        problems = self._start_problems(experiment, draft)
        if problems:
            raise Invalid.field(where, f"startIteration: the draft iteration cannot start: {'; '.join(problems)}.")
        if current is not None:
            if current["status"] == "running":
                current.update(status="stopped", endedAt=now, version=current["version"] + 1)
                current["layerSnapshot"] = self._layer_snapshot(experiment)
            experiment["previousIterations"].insert(0, current)
        draft.update(status="running", startedAt=now, version=draft["version"] + 1, changeJustification=justification)
        experiment["currentIteration"], experiment["draftIteration"] = draft, None

    def _start_problems(self, experiment: Mapping[str, Any], draft: Mapping[str, Any]) -> list[str]:
        """What LaunchDarkly lists as conditions for starting an iteration: its flags are on and
        not archived, its randomizationUnit is set, a treatment has a non-zero allocationPercent."""
        problems = [self.flag_refusal(experiment["projectKey"], experiment["environmentKey"], key) for key in draft["flags"]]
        problems = [problem for problem in problems if problem]
        if not draft["randomizationUnit"]:
            problems.append("its randomizationUnit is not set")
        if not any(percent(t["allocationPercent"]) for t in draft["treatments"]):
            problems.append("no treatment has a non-zero allocationPercent")
        return problems

    def _stop_iteration(self, experiment: dict, instruction: Mapping, where: tuple, now: int) -> None:
        current = experiment["currentIteration"]
        winner = text(instruction, "winningTreatmentId", where, "stopIteration")
        reason = text(instruction, "winningReason", where, "stopIteration", required=False)
        if current is None or current["status"] != "running":
            raise Invalid.field(where, "stopIteration: the experiment has no running iteration.")
        ids = [treatment["_id"] for treatment in current["treatments"]]
        if winner not in ids:
            raise Invalid.field(where + ("winningTreatmentId",), f'stopIteration: "{winner}" is not a treatment of the current iteration; use one of {", ".join(ids)}.')
        current.update(status="stopped", endedAt=now, winningTreatmentId=winner, winningReason=reason, version=current["version"] + 1)
        current["layerSnapshot"] = self._layer_snapshot(experiment)

    def _archive_experiment(self, experiment: dict, instruction: Mapping, where: tuple, now: int) -> None:
        current = experiment["currentIteration"]
        if current is not None and current["status"] == "running":
            raise Invalid.field(where, "archiveExperiment: the experiment has a running iteration; stop it (stopIteration) before archiving.")
        if experiment["archivedDate"] is None:
            experiment["archivedDate"] = now

    def _restore_experiment(self, experiment: dict, instruction: Mapping, where: tuple, now: int) -> None:
        experiment["archivedDate"] = None

    def _layer_snapshot(self, experiment: Mapping[str, Any]) -> dict | None:
        """The layer the experiment reserves traffic in, as it is when an iteration stops."""
        for layer in self.environment(experiment["projectKey"], experiment["environmentKey"]).query(LAYERS):
            if experiment["key"] in layer["reservations"]:
                mine = layer["reservations"][experiment["key"]]
                return {"key": layer["key"], "name": layer["name"], "reservationPercent": mine,
                        "otherReservationPercent": sum(layer["reservations"].values()) - mine}
        return None


Apply = Callable[[Instructions, dict, Mapping, tuple, int], None]

INSTRUCTIONS: dict[str, Apply] = {
    "updateName": Instructions._update_name,
    "updateDescription": Instructions._update_description,
    "startIteration": Instructions._start_iteration,
    "stopIteration": Instructions._stop_iteration,
    "archiveExperiment": Instructions._archive_experiment,
    "restoreExperiment": Instructions._restore_experiment,
}


def _instruction(instruction: Any, where: tuple) -> Apply:
    """What an instruction does, or a 400 saying why it is not one."""
    if not isinstance(instruction, Mapping):
        raise Invalid.field(where, "An instruction is an object with a kind.")
    kind = instruction.get("kind")
    if kind is None:
        raise Invalid.field(where + ("kind",), REQUIRED)
    apply = INSTRUCTIONS.get(kind) if isinstance(kind, str) else None
    if apply is None:
        raise Invalid.field(where + ("kind",), f'Unknown instruction kind "{kind}"; use one of {", ".join(INSTRUCTIONS)}.')
    return apply

