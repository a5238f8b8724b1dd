"""Actions with their builds and immutable versions, and the trigger bindings that make a deployed one run.

The answers say what Auth0's recorded answers say: a create or update answers `pending` and later reads
follow the build (`action_builds`); a deploy makes a new version, live from the next read on.
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from typing import Any, NotRequired, TypedDict, cast

from ..action_builds import BUILT, FAILED, Build, BuildModel
from ..exceptions import ApiError, action_not_found, invalid_body
from .base import JSON, Model, found, now, reject_unknown, require_object, require_string

ACTION_FIELDS = frozenset(
    {"name", "supported_triggers", "code", "dependencies", "runtime", "secrets", "modules", "deploy"}
)
"""What a POST or PATCH /actions/actions may send."""

TRIGGERS = frozenset(
    {
        "post-login", "credentials-exchange", "pre-user-registration", "post-user-registration",
        "post-change-password", "send-phone-message", "password-reset-post-challenge", "custom-phone-provider",
        "custom-email-provider", "custom-token-exchange", "password-hash-migration", "iga-approval",
        "iga-certification", "iga-fulfillment-assignment", "iga-fulfillment-execution",
    }
)  # fmt: skip
"""Trigger ids Auth0 knows (go-auth0's constants and Auth0's trigger list)."""


class ActionSecret(TypedDict):
    """One of an Action's secrets; answers leave out the `value`."""

    name: str
    value: str
    updated_at: str


class Action(TypedDict):
    """An Action's draft as stored, with the ids of its current and deployed versions (never answered)."""

    id: str
    name: str
    supported_triggers: list[JSON]
    created_at: str
    updated_at: str
    code: str
    dependencies: list[JSON]
    runtime: str
    secrets: list[ActionSecret]
    modules: NotRequired[list[JSON]]
    status: str
    all_changes_deployed: bool
    built_at: NotRequired[str]
    current_version_id: NotRequired[str]
    deployed_version_id: NotRequired[str]


class ActionVersion(TypedDict):
    """One deploy of an Action: its code, dependencies and secrets as they were then."""

    id: str
    action_id: str
    code: str
    dependencies: list[JSON]
    deployed: bool
    number: int
    secrets: list[ActionSecret]
    status: str
    built_at: str
    created_at: str
    updated_at: str
    runtime: str
    supported_triggers: list[JSON]


class Binding(TypedDict):
    """One Action bound to a trigger; answers embed the action instead of its id."""

    id: str
    trigger_id: str
    action_id: str
    created_at: str
    updated_at: str
    display_name: str


def _action_body(body: Any, *, creating: bool) -> JSON:
    """A POST or PATCH /actions/actions body as Auth0's schema validation lets it through, or its 400."""
    checked = require_object(body)
    reject_unknown(checked, ACTION_FIELDS)
    if creating:
        require_string(checked, "name")
        if not checked.get("supported_triggers"):
            raise invalid_body("Missing required property: supported_triggers")
    triggers = checked.get("supported_triggers", [])
    if not isinstance(triggers, list) or not all(
        isinstance(t, dict) and isinstance(t.get("id"), str) and isinstance(t.get("version"), str) for t in triggers
    ):
        raise invalid_body("supported_triggers must be an array of {id, version}")
    unknown = sorted({t["id"] for t in triggers} - TRIGGERS)
    if unknown:
        raise invalid_body("unknown trigger: " + ",".join(unknown))
    secrets_ = checked.get("secrets", [])
    if not isinstance(secrets_, list) or not all(
        isinstance(s, dict) and isinstance(s.get("name"), str) for s in secrets_
    ):
        raise invalid_body("secrets must be an array of {name, value}")
    return checked


def _apply_action_body(action: Action, body: JSON, stamp: str) -> None:
    record = cast(JSON, action)
    for key in ("name", "supported_triggers", "code", "dependencies", "runtime", "modules"):
        if body.get(key) is not None:
            record[key] = copy.deepcopy(body[key])
    if body.get("secrets") is not None:
        # Auth0 keeps the secrets it had in their order and appends new ones (recorded answers).
        before = [s["name"] for s in action.get("secrets", [])]
        given = sorted(body["secrets"], key=lambda s: before.index(s["name"]) if s["name"] in before else len(before))
        action["secrets"] = [{"name": s["name"], "value": s.get("value", ""), "updated_at": stamp} for s in given]
    action["status"] = "pending"
    action["all_changes_deployed"] = False
    action["updated_at"] = stamp


def _without_secret_values(secrets: list[ActionSecret]) -> list[JSON]:
    return [{k: v for k, v in s.items() if k != "value"} for s in secrets]


class Actions(Model):
    """Every Action, its build in progress, its versions, and every trigger's bindings."""

    def __init__(self, lock: threading.RLock, builds: BuildModel | None = None) -> None:
        super().__init__(lock)
        self._actions: dict[str, Action] = {}
        self.builds = builds or BuildModel()
        """How Action builds go; replaced whole to change the plan mid-session."""
        self._builds: dict[str, Build] = {}
        self._versions: dict[str, list[ActionVersion]] = {}
        self._bindings: dict[str, list[Binding]] = {trigger: [] for trigger in TRIGGERS}

    def _action(self, action_id: str) -> Action:
        return found(self._actions, action_id, action_not_found)

    @staticmethod
    def _render_version(version: ActionVersion) -> JSON:
        rendered = {k: copy.deepcopy(v) for k, v in version.items() if k != "action_id"}
        rendered["secrets"] = _without_secret_values(version["secrets"])
        return rendered

    def _render_action(self, action: Action) -> JSON:
        rendered = {k: copy.deepcopy(v) for k, v in action.items() if not k.endswith("_version_id")}
        rendered["secrets"] = _without_secret_values(action["secrets"])
        versions = {v["id"]: v for v in self._versions[action["id"]]}
        current_id = action.get("current_version_id")
        if current_id in versions:
            current = versions[current_id]
            rendered["current_version"] = {
                "id": current["id"],
                "code": current["code"],
                "runtime": current["runtime"],
                "status": "BUILT",
                "number": current["number"],
                "build_time": current["built_at"],
                "created_at": current["created_at"],
                "updated_at": current["updated_at"],
            }
        deployed_id = action.get("deployed_version_id")
        if deployed_id in versions:
            rendered["deployed_version"] = self._render_version(versions[deployed_id])
        return rendered

    def create_action(self, body: Any) -> JSON:
        """POST /actions/actions: the answer says `pending`; later reads follow the build (see action_builds)."""
        body = _action_body(body, creating=True)

        def create() -> JSON:
            stamp = now()
            draft: JSON = {
                "id": str(uuid.uuid4()),
                "name": body["name"],
                "supported_triggers": [],
                "created_at": stamp,
                "updated_at": stamp,
                "code": "",
                "dependencies": [],
                "runtime": "node22",
                "secrets": [],
            }
            # `status` and `all_changes_deployed` come next, after any `modules`, as in Auth0's answers.
            action = cast(Action, draft)
            _apply_action_body(action, body, stamp)
            self._builds[action["id"]] = self.builds.start()
            self._actions[action["id"]] = action
            self._versions[action["id"]] = []
            return self._render_action(action)

        return self._locked(create)

    def _finish_build(self, action: Action) -> None:
        """Bring the status up to the time of this read; a build that has ended is forgotten."""
        build = self._builds.get(action["id"])
        if build is None:
            return
        action["status"] = build.status(time.monotonic())
        if action["status"] in (BUILT, FAILED):
            del self._builds[action["id"]]
        if action["status"] == BUILT:
            action["built_at"] = now()

    def get_action(self, action_id: str) -> JSON:
        """GET /actions/actions/{id}, with the build's status at the time of the read."""

        def read() -> JSON:
            action = self._action(action_id)
            self._finish_build(action)
            return self._render_action(action)

        return self._locked(read)

    def list_actions(self) -> list[JSON]:
        """Every action in creation order."""

        def read() -> list[JSON]:
            for action in self._actions.values():
                self._finish_build(action)
            return [self._render_action(a) for a in self._actions.values()]

        return self._locked(read)

    def update_action(self, action_id: str, body: Any) -> JSON:
        """PATCH /actions/actions/{id}: the draft changes and must be built (and deployed) again."""
        body = _action_body(body, creating=False)

        def update() -> JSON:
            action = self._action(action_id)
            _apply_action_body(action, body, now())
            self._builds[action_id] = self.builds.start()
            return self._render_action(action)

        return self._locked(update)

    def deploy_action(self, action_id: str) -> JSON:
        """POST /actions/actions/{id}/deploy: a new immutable version, live from the next read on.

        The answer says `deployed: false`, as Auth0's does (deployment is asynchronous there); the action's
        `deployed_version` reads `deployed: true` right after, so the provider's wait ends on its first poll.
        """

        def deploy() -> JSON:
            action = self._action(action_id)
            self._finish_build(action)
            stamp = now()
            versions = self._versions[action_id]
            version: ActionVersion = {
                "id": str(uuid.uuid4()),
                "action_id": action_id,
                "code": action["code"],
                "dependencies": copy.deepcopy(action["dependencies"]),
                "deployed": False,
                "number": len(versions) + 1,
                "secrets": copy.deepcopy(action["secrets"]),
                "status": "built",
                "built_at": stamp,
                "created_at": stamp,
                "updated_at": stamp,
                "runtime": action["runtime"],
                "supported_triggers": copy.deepcopy(action["supported_triggers"]),
            }
            answer = self._render_version(version)
            answer["action"] = {
                "id": action["id"],
                "name": action["name"],
                "supported_triggers": copy.deepcopy(action["supported_triggers"]),
                "created_at": action["created_at"],
                "updated_at": action["created_at"],
                "all_changes_deployed": False,
            }
            for earlier in versions:
                earlier["deployed"] = False
            version["deployed"] = True
            versions.append(version)
            action["current_version_id"] = action["deployed_version_id"] = version["id"]
            action["all_changes_deployed"] = True
            return answer

        return self._locked(deploy)

    def list_versions(self, action_id: str) -> list[JSON]:
        """GET /actions/actions/{id}/versions: newest first, as Auth0 lists them."""
        return self._locked(
            lambda: [self._render_version(v) for v in reversed(self._versions[self._action(action_id)["id"]])]
        )

    def get_version(self, action_id: str, version_id: str) -> JSON:
        """GET /actions/actions/{id}/versions/{version_id}."""

        def read() -> JSON:
            for version in self._versions[self._action(action_id)["id"]]:
                if version["id"] == version_id:
                    return self._render_version(version)
            raise ApiError(404, "That action version does not exist.")

        return self._locked(read)

    def delete_action(self, action_id: str, *, force: bool) -> None:
        """DELETE /actions/actions/{id}: Auth0 refuses (409) while the action is bound, unless `force=true`."""

        def delete() -> None:
            self._action(action_id)
            bound = any(b["action_id"] == action_id for bs in self._bindings.values() for b in bs)
            if bound and not force:
                raise ApiError(409, "Unable to delete an action bound to a trigger.")
            for trigger, bindings in self._bindings.items():
                self._bindings[trigger] = [b for b in bindings if b["action_id"] != action_id]
            del self._actions[action_id]
            self._builds.pop(action_id, None)
            del self._versions[action_id]

        self._locked(delete)

    # Trigger bindings

    def _trigger(self, trigger_id: str) -> list[Binding]:
        bindings = self._bindings.get(trigger_id)
        if bindings is None:
            raise ApiError(404, f"Trigger {trigger_id} does not exist.")
        return bindings

    def _render_binding(self, binding: Binding) -> JSON:
        rendered: JSON = {k: v for k, v in binding.items() if k != "action_id"}
        rendered["action"] = self._render_action(self._actions[binding["action_id"]])
        del rendered["action"]["code"]
        return rendered

    def list_bindings(self, trigger_id: str) -> list[JSON]:
        """GET /actions/triggers/{trigger_id}/bindings; each embeds its action, whose `id` the provider matches on."""
        return self._locked(lambda: [self._render_binding(b) for b in self._trigger(trigger_id)])

    def _resolve_ref(self, trigger_id: str, ref: Any) -> Action:
        if not isinstance(ref, dict) or ref.get("type") not in ("action_id", "action_name"):
            raise invalid_body("ref must be {type: action_id|action_name, value}")
        by_id = ref["type"] == "action_id"
        action = next((a for a in self._actions.values() if a["id" if by_id else "name"] == ref.get("value")), None)
        if action is None:
            raise action_not_found()
        if trigger_id not in {t["id"] for t in action["supported_triggers"]}:
            raise ApiError(400, f"Action {action['name']} does not support the {trigger_id} trigger.")
        if action.get("deployed_version_id") is None:
            raise ApiError(400, f"Action {action['name']} has not been deployed yet.")
        return action

    def replace_bindings(self, trigger_id: str, body: Any) -> list[JSON]:
        """PATCH /actions/triggers/{trigger_id}/bindings: the list replaces the old one whole, with fresh ids."""
        body = require_object(body)
        entries = body.get("bindings")
        if not isinstance(entries, list):
            raise invalid_body("Missing required property: bindings")

        def replace() -> list[JSON]:
            self._trigger(trigger_id)
            stamp = now()
            fresh: list[Binding] = []
            for entry in entries:
                action = self._resolve_ref(trigger_id, require_object(entry).get("ref"))
                fresh.append(
                    {
                        "id": str(uuid.uuid4()),
                        "trigger_id": trigger_id,
                        "action_id": action["id"],
                        "created_at": stamp,
                        "updated_at": stamp,
                        "display_name": entry.get("display_name") or action["name"],
                    }
                )
            self._bindings[trigger_id] = fresh
            return [self._render_binding(b) for b in fresh]

        return self._locked(replace)

    def deployed_code(self, trigger_id: str) -> list[tuple[str, str, dict[str, str]]]:
        """(name, code, secret values) of each bound action's deployed version, in binding order: what runs."""

        def read() -> list[tuple[str, str, dict[str, str]]]:
            answer = []
            for binding in self._trigger(trigger_id):
                action = self._actions[binding["action_id"]]
                version = next(v for v in self._versions[action["id"]] if v["id"] == action.get("deployed_version_id"))
                answer.append((action["name"], version["code"], {s["name"]: s["value"] for s in version["secrets"]}))
            return answer

        return self._locked(read)
