"""Sign in to a stack deployed to the sandbox the way Pomerium does, and see what Pomerium would get.

The relying party is `pomerium-auth0-login` (`engine/relyingparty`, built by `scripts/engine.sh`): it reads
the IdP Secret from the cluster's API server and runs Pomerium's login with go-oidc and x/oauth2
(discovery, authorize with PKCE, the login form, the code exchange, ID-token verification,
userinfo, a refresh and sign-out), or lists roles and members with `IDP_SERVICE_ACCOUNT` as
Pomerium v0.19 did. This module supplies what it needs for one stack: the stack file's namespace,
Secret name, groups claim and authenticate URL, a seeded user's password from `tenant.json`, the
sandbox's kubeconfig and the tenant's CA. `scripts/login.sh` and the e2e tests both go through it.

    python -m sandbox.relying_party --engine BIN <stack> [user] [--password P] [--connection NAME] [--full]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import control, processes
from .stack_conventions import DEFAULT_GROUPS_CLAIM, DEFAULT_NAMESPACE, DEFAULT_SECRET_NAME
from .tenant_client import TenantClient

BINARY = "pomerium-auth0-login"
TIMEOUT_SECONDS = 120
UNKNOWN_USER_PASSWORD = "not-a-seeded-user"
"""The password tried for a user the tenant did not seed: the login must fail as Auth0's does."""


class LoginError(Exception):
    """The relying party failed; the message is its one line: Auth0's error, or go-oidc's."""


@dataclass(frozen=True)
class StackLogin:
    """Where a stack's IdP Secret is and what Pomerium is configured with, from its stack file."""

    namespace: str
    secret_name: str
    authenticate_url: str
    groups_claim: str

    @classmethod
    def from_stack_file(cls, path: Path) -> StackLogin:
        config: dict[str, Any] = yaml.safe_load(path.read_text())["config"]

        def get(key: str, default: str) -> str:
            return str(config.get(f"pomerium-auth0:{key}", default))

        return cls(
            namespace=get("namespace", DEFAULT_NAMESPACE),
            secret_name=get("secretName", DEFAULT_SECRET_NAME),
            authenticate_url=get("authenticateServiceUrl", ""),
            groups_claim=get("groupsClaimName", DEFAULT_GROUPS_CLAIM),
        )


@dataclass(frozen=True)
class RelyingParty:
    """The `pomerium-auth0-login` binary, pointed at one running sandbox."""

    binary: Path
    sandbox_dir: Path

    @classmethod
    def in_engine(cls, engine_bin: Path, sandbox_dir: Path) -> RelyingParty:
        binary = engine_bin / BINARY
        if not binary.exists():
            raise LoginError(f"{binary} does not exist: build it with scripts/engine.sh")
        return cls(binary, sandbox_dir)

    def seeded_users(self) -> list[dict[str, Any]]:
        info: dict[str, Any] = control.tenant_info(self.sandbox_dir)
        users: list[dict[str, Any]] = info["users"]
        return users

    def password_of(self, user: str) -> str:
        passwords = {seeded["email"]: seeded["password"] for seeded in self.seeded_users()}
        return str(passwords.get(user, UNKNOWN_USER_PASSWORD))

    def run(self, command: str, target: StackLogin, *flags: str, env: dict[str, str] | None = None) -> dict[str, Any]:
        """One run of the binary against the stack's Secret; its JSON, or LoginError with its error line."""
        where = ["--kubeconfig", str(self.sandbox_dir / control.CLUSTER_DIR / "kubeconfig")]
        where += ["--namespace", target.namespace, "--secret", target.secret_name]
        completed = subprocess.run(
            [str(self.binary), command, *where, *flags],
            env={**os.environ, "SSL_CERT_FILE": control.tenant_info(self.sandbox_dir)["ca_file"], **(env or {})},
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        if completed.returncode != 0:
            raise LoginError(completed.stderr.strip() or f"{BINARY} {command} exited {completed.returncode}")
        result: dict[str, Any] = json.loads(completed.stdout)
        return result

    def sign_in(self, target: StackLogin, user: str, *flags: str, password: str | None = None) -> dict[str, Any]:
        """Pomerium's login as `user` (the seeded password unless given); the verified claims and more."""
        secret = self.password_of(user) if password is None else password
        settings = ["--authenticate-url", target.authenticate_url, "--groups-claim", target.groups_claim]
        return self.run("signin", target, *settings, "--user", user, *flags, env={"LOGIN_PASSWORD": secret})

    def directory(self, target: StackLogin) -> dict[str, Any]:
        """Pomerium v0.19's directory sync with the Secret's IDP_SERVICE_ACCOUNT: roles and their members."""
        return self.run("directory", target)


NO_CONNECTION = "no connections enabled for the client"


def connection_hint(directory: Path, stack: str) -> str:
    """How to enable a connection for the stack's application: the sandbox tenant, like a tenant whose
    `enable_client_connections` flag is off, gives a new application none."""
    ids = TenantClient(control.tenant_info(directory)).connections()
    choices = ", ".join(f"{name} is {connection_id}" for name, connection_id in sorted(ids.items()))
    example = ids.get("Username-Password-Authentication", "<id>")
    return (
        f"the stack enables no connection for its application ({choices}): "
        f"pulumi config set --stack {stack} --path 'pomerium-auth0:connections[0]' {example}"
        f" && scripts/up.sh {stack}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/login.sh", description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", type=Path, required=True, help="bin directory from scripts/engine.sh")
    parser.add_argument("stack", help="a stack deployed to the sandbox (stacks/Pulumi.<stack>.yaml)")
    parser.add_argument("user", nargs="?", help="a seeded user's email (default: the first seeded user)")
    parser.add_argument("--password", help="instead of the seeded password (e.g. a wrong one)")
    parser.add_argument("--connection", help="the Auth0 connection to ask for (default: Auth0's choice)")
    parser.add_argument("--full", action="store_true", help="everything: userinfo, refresh, requests, timings")
    args = parser.parse_args(argv)
    directory = control.state_dir()
    target = StackLogin.from_stack_file(processes.REPOSITORY / "stacks" / f"Pulumi.{args.stack}.yaml")
    try:
        party = RelyingParty.in_engine(args.engine, directory)
        user = args.user or party.seeded_users()[0]["email"]
        flags = ["--connection", args.connection] if args.connection else []
        result = party.sign_in(target, user, *flags, password=args.password)
    except LoginError as error:
        print(error, file=sys.stderr)
        if NO_CONNECTION in str(error):
            print(connection_hint(directory, args.stack), file=sys.stderr)
        return 1
    shown = result if args.full else {"claims": result["claims"], f"claim/{target.groups_claim}": result["groups"]}
    print(json.dumps(shown, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
