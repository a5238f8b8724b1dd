"""Pomerium (all-in-one) on Kubernetes, consuming the IdP Secret and rolling on every change."""

import base64
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from . import validation
from .errors import InputError
from .k8s_metadata import (
    CHECKSUM_ANNOTATION,
    SERVICE_READY,
    TIMEOUT_ANNOTATION,
    WAIT_FOR_ANNOTATION,
    secret_checksum,
    standard_labels,
)
from .routes import check_routes, render_config

DEFAULT_IMAGE = "pomerium/pomerium:nonroot-v0.33.1"
"""Pinned release, the newest (v0.33.1, 2026-08-12: security dependency updates); bump deliberately (the pods roll).

The `nonroot-` variant, so that the image's own user and the pod's agree (see RUN_AS). Every
setting below holds for v0.32.x as well: a user who pins `nonroot-v0.32.9` gets the same pod.
"""
TLS_MODES = ("ingress", "secret")
HEALTH_PORT = 28080
CONFIG_DIR = "/etc/pomerium"
TLS_DIR = "/etc/pomerium/tls"
CACHE_DIR = "/cache"
"""XDG_CACHE_HOME: Pomerium writes inline certificates and CAs for Envoy below it."""
DATA_DIR = "/data"
"""XDG_DATA_HOME: Pomerium's data directory (autocert, file storage); the images' AUTOCERT_DIR is below it."""
DAY_SECONDS = 86_400
"""The longest rollout wait accepted: beyond it a stuck rollout is no longer a failure anyone sees."""
RUN_AS = 65532
"""UID of `nonroot`, the user Pomerium's `nonroot-` images run as.

They are built FROM distroless `base-nossl-debian12:nonroot` since v0.33.1 (`base-debian12:nonroot`
before); both have `nonroot` as UID 65532.

The plain `pomerium/pomerium:<tag>` images set no USER and would run as root; the pod sets this UID
explicitly, so any image given in `image` still runs unprivileged.
"""
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
"""The order n of the P-256 group: a private key is a scalar in [1, n - 1]."""
RESOURCE_REQUESTS = {"cpu": "100m", "memory": "256Mi"}
RESOURCE_LIMITS = {"cpu": "1", "memory": "1Gi"}


def setting_conflicts(
    tls_mode: str, tls_secret_given: bool, replicas: int, storage_given: bool
) -> list[tuple[str, str, str]]:
    """Rules that span settings, as (argument, problem, fix).

    The component raises them under its argument names; the stack program reports them under
    its config keys before anything is registered.
    """
    conflicts = []
    if tls_mode == "secret" and not tls_secret_given:
        conflicts.append(
            (
                "tls_secret_name",
                "is required when Pomerium serves TLS itself (tls mode secret)",
                "name a kubernetes.io/tls Secret holding tls.crt and tls.key",
            )
        )
    if replicas > 1 and not storage_given:
        conflicts.append(
            (
                "replicas",
                f"{replicas} replicas would each keep their own in-memory sessions",
                "name a databroker storage Secret holding DATABROKER_STORAGE_CONNECTION_STRING (Postgres), "
                "or use 1 replica",
            )
        )
    return conflicts


def _entropy(resource_name: str, opts: pulumi.ResourceOptions) -> pulumi.Output[str]:
    """64 random alphanumerics (about 380 bits), created once and kept in state only as a secret.

    `random.RandomBytes` would be the obvious choice, but pulumi-random uses the base64 value as
    the resource's ID, and IDs are stored in plain text (the real-engine suite caught it). A
    `RandomPassword` has the ID `none` and a secret `result`.
    """
    return random.RandomPassword(resource_name, length=64, special=False, opts=opts).result


def generated_key(resource_name: str, opts: pulumi.ResourceOptions) -> pulumi.Output[str]:
    """Base64 of 32 random bytes: the entropy condensed with SHA-256, stable while it exists."""
    return pulumi.Output.secret(_entropy(resource_name, opts).apply(_condense_to_key))


def generated_signing_key(resource_name: str, opts: pulumi.ResourceOptions) -> pulumi.Output[str]:
    """Base64 of a PEM ECDSA P-256 private key derived from the entropy, stable while it exists.

    Every replica then signs Pomerium's JWT assertion with the same key: v0.32 would generate one
    per pod. v0.33 derives one from SHARED_SECRET when none is set, which is stable too, but the
    key is still set for every image: v0.32.x pins need it, a digest does not tell the version,
    and dropping it on upgrade would change the key under every upstream (and, in a stack with
    `protect`, fail to delete its `RandomPassword`). pulumi-tls would generate the key itself, but
    its plugin cannot be built here; a pure function of a `RandomPassword` keeps only that password
    in state, as for the other generated secrets.
    """
    return pulumi.Output.secret(_entropy(resource_name, opts).apply(_derive_signing_key))


def _condense_to_key(entropy: str) -> str:
    return base64.b64encode(hashlib.sha256(entropy.encode()).digest()).decode()


def _derive_signing_key(entropy: str) -> str:
    """SEC1 PEM (`EC PRIVATE KEY`, what `openssl ecparam -genkey` writes and Pomerium's docs show), base64.

    A 256-bit digest reduced mod n - 1 is uniform to within 2^-32, and + 1 keeps it out of zero.
    """
    digest = int.from_bytes(hashlib.sha256(entropy.encode()).digest(), "big")
    key = ec.derive_private_key(digest % (P256_ORDER - 1) + 1, ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    return base64.b64encode(pem).decode()


POMERIUM_SECRETS: dict[str, tuple[Callable[..., str], Callable[[str, pulumi.ResourceOptions], pulumi.Output[str]]]] = {
    "cookie_secret": (validation.base64_key, generated_key),
    "shared_secret": (validation.base64_key, generated_key),
    "signing_key": (validation.signing_key, generated_signing_key),
}
"""Argument -> (check of a supplied value, generator). Each lands in `pomerium-secrets` as its upper-cased name."""


def rollout_timeout_seconds(key: str, value: object) -> int:
    """Seconds to wait for a rollout: at least 1 (the provider would fail `0` at once), at most a day."""
    return validation.integer(key, value, minimum=1, maximum=DAY_SECONDS)


class PomeriumArgs(TypedDict):
    """Inputs of :class:`Pomerium`."""

    authenticate_service_url: pulumi.Input[str]
    """Pomerium's authenticate service URL, https:// only (AUTHENTICATE_SERVICE_URL)."""
    namespace: pulumi.Input[str]
    """Namespace to deploy into; the IdP Secret must be in it."""
    idp_secret_name: pulumi.Input[str]
    """Name of the IdP Secret (IDP_* keys), consumed with envFrom."""
    idp_secret_checksum: pulumi.Input[str]
    """Checksum of the IdP Secret's content; a change rolls the pods."""
    name: NotRequired[str]
    """Base name of the Deployment, Service, ConfigMap and Secret, and their instance label. Default: pomerium."""
    image: NotRequired[pulumi.Input[str]]
    """Pomerium container image. Default: the pinned DEFAULT_IMAGE."""
    replicas: NotRequired[int]
    """Pod count. More than 1 needs databroker_storage_secret (shared session storage). Default: 1."""
    routes: NotRequired[pulumi.Input[list[dict[str, Any]]]]
    """Pomerium routes (from, to, policy, ...), rendered into config.yaml. Default: none."""
    tls_mode: NotRequired[str]
    """ingress: plain HTTP on 8080 behind a TLS-terminating ingress (default); secret: TLS on 8443."""
    tls_secret_name: NotRequired[pulumi.Input[str]]
    """kubernetes.io/tls Secret that Pomerium serves TLS from; required with tls_mode secret."""
    cookie_secret: NotRequired[pulumi.Input[str]]
    """Base64 of 32 random bytes; generated and kept stable when not given."""
    shared_secret: NotRequired[pulumi.Input[str]]
    """Base64 of 32 random bytes; generated and kept stable when not given."""
    signing_key: NotRequired[pulumi.Input[str]]
    """Base64 of a PEM ECDSA P-256 private key, signing the JWT assertion (SIGNING_KEY); generated when not given."""
    protect: NotRequired[bool]
    """Protect the entropy of the generated secrets; losing it signs every user out. Default: false."""
    databroker_storage_secret: NotRequired[pulumi.Input[str]]
    """Secret with DATABROKER_STORAGE_CONNECTION_STRING for Postgres-backed sessions."""
    rollout_timeout_seconds: NotRequired[int]
    """How long `up` waits for the pods to be ready before it fails. Default: pulumi-kubernetes's 600."""


def _probe(path: str, period_seconds: int, failure_threshold: int) -> k8s.core.v1.ProbeArgs:
    """An HTTP probe of one of Pomerium's health endpoints."""
    return k8s.core.v1.ProbeArgs(
        http_get=k8s.core.v1.HTTPGetActionArgs(path=path, port="health"),
        period_seconds=period_seconds,
        failure_threshold=failure_threshold,
    )


@dataclass(frozen=True)
class _Settings:
    """PomeriumArgs, validated and with defaults applied."""

    base: str
    replicas: int
    tls_mode: str
    protect: bool
    namespace: pulumi.Input[str]
    authenticate_url: pulumi.Input[str]
    image: pulumi.Input[str]
    routes: pulumi.Input[list[dict[str, Any]]]
    tls_secret: pulumi.Input[str] | None
    storage_secret: pulumi.Input[str] | None
    supplied: dict[str, pulumi.Input[str]]
    """The secrets given as arguments (checked); the others are generated."""
    idp_secret_name: pulumi.Input[str]
    idp_secret_checksum: pulumi.Input[str]
    rollout_timeout: int | None
    """Seconds pulumi-kubernetes waits for the rollout; None leaves its default (and the Deployment as it was)."""

    @property
    def labels(self) -> dict[str, pulumi.Input[str]]:
        """Labels of every object; the instance label is the object name, never a display name.

        A Deployment's selector is immutable, so a label that changes would force Kubernetes to
        replace the Deployment.
        """
        return standard_labels(self.base, "proxy")

    @property
    def selector(self) -> dict[str, str]:
        """The pods the Deployment owns and the Service routes to."""
        return {"app.kubernetes.io/name": "pomerium", "app.kubernetes.io/instance": self.base}

    @property
    def port(self) -> int:
        """Pomerium's listening port: TLS on 8443 with tls_mode secret, plain HTTP on 8080 behind an ingress."""
        return 8443 if self.tls_mode == "secret" else 8080

    @property
    def port_name(self) -> str:
        """Name of that port, on the container and the Service."""
        return "https" if self.tls_mode == "secret" else "http"

    @property
    def service_port(self) -> int:
        """The Service's port: 443 with tls_mode secret, 80 with ingress."""
        return 443 if self.tls_mode == "secret" else 80


class Pomerium(pulumi.ComponentResource):
    """A hardened, all-in-one Pomerium Deployment and its Service.

    The pod template carries a checksum of the IdP Secret, the generated secrets and the rendered
    routes, so any change to a client secret, the service account or a route rolls the pods in the
    same `pulumi up`, which Pomerium's Helm chart does not do for Secrets it does not own.
    """

    service_name: pulumi.Output[str]
    """Name of the Service in front of Pomerium."""
    service_port: pulumi.Output[int]
    """Port of that Service: 443 with tls_mode secret, 80 with ingress."""
    deployment_name: pulumi.Output[str]
    """Name of the Deployment."""
    config_checksum: pulumi.Output[str]
    """The pod-template checksum, plain (unlike its inputs): a SHA-256 over high-entropy secrets reveals none."""

    def __init__(self, name: str, args: PomeriumArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        settings = self._validate(args)
        super().__init__("pomerium-auth0:index:Pomerium", name, {}, opts)
        secret_data = self._secret_data(name, settings)
        self.secrets = self._secret(name, settings, secret_data)
        config_yaml = pulumi.Output.from_input(settings.routes).apply(render_config)
        self.config_map = self._config_map(name, settings, config_yaml)
        self.config_checksum = self._pod_checksum(settings, secret_data, config_yaml)
        self.deployment = self._deployment(name, settings)
        self.service = self._service(name, settings)
        self.register_outputs(self._outputs(settings))

    @staticmethod
    def _validate(args: PomeriumArgs) -> _Settings:
        """Check every argument before the component registers, so bad input leaves nothing half-created."""
        field = "PomeriumArgs."
        validation.known_fields(field, args, PomeriumArgs)
        base = validation.rfc1035_label(field + "name", args.get("name", "pomerium"), example="pomerium")
        replicas = validation.integer(field + "replicas", args.get("replicas", 1), minimum=1, maximum=50)
        tls_mode = validation.choice(field + "tls_mode", args.get("tls_mode", "ingress"), TLS_MODES)
        protect = validation.boolean(field + "protect", args.get("protect", False))
        rollout_timeout = (
            rollout_timeout_seconds(field + "rollout_timeout_seconds", args["rollout_timeout_seconds"])
            if "rollout_timeout_seconds" in args
            else None
        )
        for argument, problem, fix in setting_conflicts(
            tls_mode, "tls_secret_name" in args, replicas, "databroker_storage_secret" in args
        ):
            raise InputError(field + argument, problem, fix)
        namespace = validation.checked_input(
            args["namespace"], partial(validation.dns_label, field + "namespace", example="pomerium")
        )
        authenticate_url = validation.checked_input(
            args["authenticate_service_url"],
            partial(
                validation.https_url, field + "authenticate_service_url", example="https://authenticate.example.com"
            ),
        )
        image = validation.checked_input(
            args.get("image", DEFAULT_IMAGE),
            partial(validation.image_reference, field + "image", example=DEFAULT_IMAGE),
        )
        routes = validation.checked_input(args.get("routes", []), partial(check_routes, field + "routes"))
        tls_secret = (
            validation.checked_input(
                args["tls_secret_name"],
                partial(validation.dns_subdomain, field + "tls_secret_name", example="pomerium-tls"),
            )
            if tls_mode == "secret"
            else None
        )
        storage_secret = (
            validation.checked_input(
                args["databroker_storage_secret"],
                partial(validation.dns_subdomain, field + "databroker_storage_secret", example="pomerium-databroker"),
            )
            if "databroker_storage_secret" in args
            else None
        )
        given: Mapping[str, Any] = args
        supplied: dict[str, pulumi.Input[str]] = {
            secret: validation.checked_input(given[secret], partial(check, field + secret))
            for secret, (check, _) in POMERIUM_SECRETS.items()
            if secret in given
        }
        return _Settings(
            base=base,
            replicas=replicas,
            tls_mode=tls_mode,
            protect=protect,
            namespace=namespace,
            authenticate_url=authenticate_url,
            image=image,
            routes=routes,
            tls_secret=tls_secret,
            storage_secret=storage_secret,
            supplied=supplied,
            idp_secret_name=args["idp_secret_name"],
            idp_secret_checksum=args["idp_secret_checksum"],
            rollout_timeout=rollout_timeout,
        )

    def _secret_data(self, name: str, settings: _Settings) -> dict[str, pulumi.Input[str]]:
        """Supplied secrets as given, the rest generated once and kept stable; keyed by their environment names."""
        # Losing the entropy changes the secrets: every user signs in again and upstreams that
        # verify the JWT assertion need the new key. `protect` (prod) guards against that.
        guarded = pulumi.ResourceOptions(parent=self, protect=settings.protect)
        generated: dict[str, pulumi.Input[str]] = {
            secret: generate(f"{name}-{secret.replace('_', '-')}", guarded)
            for secret, (_, generate) in POMERIUM_SECRETS.items()
            if secret not in settings.supplied
        }
        secret_values: dict[str, pulumi.Input[str]] = {**generated, **settings.supplied}
        return {key.upper(): pulumi.Output.secret(secret_values[key]) for key in sorted(secret_values)}

    def _secret(self, name: str, settings: _Settings, secret_data: dict[str, pulumi.Input[str]]) -> k8s.core.v1.Secret:
        """The `pomerium-secrets` Secret the container reads with envFrom, so no secret sits in the pod spec."""
        return k8s.core.v1.Secret(
            f"{name}-secrets",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=f"{settings.base}-secrets", namespace=settings.namespace, labels=settings.labels
            ),
            type="Opaque",
            string_data=secret_data,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _config_map(self, name: str, settings: _Settings, config_yaml: pulumi.Output[str]) -> k8s.core.v1.ConfigMap:
        """The rendered config.yaml (the routes), mounted read-only where `--config` points."""
        return k8s.core.v1.ConfigMap(
            f"{name}-config",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=f"{settings.base}-config", namespace=settings.namespace, labels=settings.labels
            ),
            data={"config.yaml": config_yaml},
            opts=pulumi.ResourceOptions(parent=self),
        )

    @staticmethod
    def _pod_checksum(
        settings: _Settings, secret_data: dict[str, pulumi.Input[str]], config_yaml: pulumi.Output[str]
    ) -> pulumi.Output[str]:
        """One hash over the IdP Secret, our secrets and config.yaml: any change to them rolls the pods."""
        # Unsecret: a secret annotation would make Pulumi hide the Deployment's whole `spec` in
        # every preview. The hash's inputs stay secret; the hash reveals none of them (README).
        return pulumi.Output.unsecret(
            secret_checksum(
                {
                    "idp_secret": settings.idp_secret_checksum,
                    "pomerium_secrets": secret_checksum(secret_data),
                    "config_yaml": config_yaml,
                }
            )
        )

    def _deployment(self, name: str, settings: _Settings) -> k8s.apps.v1.Deployment:
        """The hardened Pomerium pods, rolled one at a time (no unavailability) when the checksum changes.

        `up` waits until the new pods are ready (pulumi-kubernetes's Deployment await), and fails
        naming the pods' reason (an image pull, a crash) after `rollout_timeout` seconds: the
        `pulumi.com/timeoutSeconds` annotation, which the provider reads for create and update alike."""
        volumes, mounts = self._volumes(settings)
        timeout = None if settings.rollout_timeout is None else {TIMEOUT_ANNOTATION: str(settings.rollout_timeout)}
        return k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=settings.base, namespace=settings.namespace, labels=settings.labels, annotations=timeout
            ),
            spec=k8s.apps.v1.DeploymentSpecArgs(
                replicas=settings.replicas,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=settings.selector),
                strategy=k8s.apps.v1.DeploymentStrategyArgs(
                    type="RollingUpdate",
                    rolling_update=k8s.apps.v1.RollingUpdateDeploymentArgs(max_unavailable=0, max_surge=1),
                ),
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(
                        labels=settings.labels, annotations={CHECKSUM_ANNOTATION: self.config_checksum}
                    ),
                    spec=k8s.core.v1.PodSpecArgs(
                        automount_service_account_token=False,
                        enable_service_links=False,
                        security_context=k8s.core.v1.PodSecurityContextArgs(
                            run_as_non_root=True,
                            run_as_user=RUN_AS,
                            run_as_group=RUN_AS,
                            fs_group=RUN_AS,
                            seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
                        ),
                        containers=[self._container(settings, mounts)],
                        volumes=volumes,
                    ),
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _container(self, settings: _Settings, mounts: list[k8s.core.v1.VolumeMountArgs]) -> k8s.core.v1.ContainerArgs:
        """The Pomerium container: unprivileged, read-only root, bounded resources, probed on its health port."""
        return k8s.core.v1.ContainerArgs(
            name="pomerium",
            image=settings.image,
            args=["--config", f"{CONFIG_DIR}/config.yaml"],
            ports=[
                k8s.core.v1.ContainerPortArgs(name=settings.port_name, container_port=settings.port),
                k8s.core.v1.ContainerPortArgs(name="health", container_port=HEALTH_PORT),
            ],
            env=self._environment(settings),
            env_from=self._env_from(settings),
            volume_mounts=mounts,
            resources=k8s.core.v1.ResourceRequirementsArgs(requests=RESOURCE_REQUESTS, limits=RESOURCE_LIMITS),
            # The kubelet runs a startup probe only on its period's ticks (readiness, once started, is
            # probed at once: pkg/kubelet/prober), so a 1 s period declares the pod started within 1 s
            # of Pomerium answering, where 5 s added 2.5 s on average to every pod's start. Five
            # minutes to start, as before.
            startup_probe=_probe("/startupz", period_seconds=1, failure_threshold=300),
            readiness_probe=_probe("/readyz", period_seconds=10, failure_threshold=3),
            liveness_probe=_probe("/healthz", period_seconds=30, failure_threshold=5),
            security_context=k8s.core.v1.SecurityContextArgs(
                run_as_non_root=True,
                read_only_root_filesystem=True,
                allow_privilege_escalation=False,
                privileged=False,
                capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
            ),
        )

    @staticmethod
    def _environment(settings: _Settings) -> list[k8s.core.v1.EnvVarArgs]:
        """Pomerium's non-secret settings: listen addresses, writable directories, TLS or plain HTTP, storage type."""
        env = [
            k8s.core.v1.EnvVarArgs(name="AUTHENTICATE_SERVICE_URL", value=settings.authenticate_url),
            k8s.core.v1.EnvVarArgs(name="ADDRESS", value=f":{settings.port}"),
            k8s.core.v1.EnvVarArgs(name="HEALTH_CHECK_ADDR", value=f":{HEALTH_PORT}"),
            # The root filesystem is read-only and $HOME with it: as Pomerium's own read-only
            # manifests do, point its cache and data directories at writable emptyDirs.
            k8s.core.v1.EnvVarArgs(name="XDG_CACHE_HOME", value=CACHE_DIR),
            k8s.core.v1.EnvVarArgs(name="XDG_DATA_HOME", value=DATA_DIR),
        ]
        if settings.tls_secret is not None:
            env += [
                k8s.core.v1.EnvVarArgs(name="CERTIFICATE_FILE", value=f"{TLS_DIR}/tls.crt"),
                k8s.core.v1.EnvVarArgs(name="CERTIFICATE_KEY_FILE", value=f"{TLS_DIR}/tls.key"),
            ]
        else:
            env.append(k8s.core.v1.EnvVarArgs(name="INSECURE_SERVER", value="true"))
        if settings.storage_secret is not None:
            env.append(k8s.core.v1.EnvVarArgs(name="DATABROKER_STORAGE_TYPE", value="postgres"))
        return env

    def _env_from(self, settings: _Settings) -> list[k8s.core.v1.EnvFromSourceArgs]:
        """The secret settings, whole Secrets by name: the IdP's, ours and the databroker storage's."""
        env_from = [
            k8s.core.v1.EnvFromSourceArgs(secret_ref=k8s.core.v1.SecretEnvSourceArgs(name=settings.idp_secret_name)),
            k8s.core.v1.EnvFromSourceArgs(secret_ref=k8s.core.v1.SecretEnvSourceArgs(name=self.secrets.metadata.name)),
        ]
        if settings.storage_secret is not None:
            env_from.append(
                k8s.core.v1.EnvFromSourceArgs(secret_ref=k8s.core.v1.SecretEnvSourceArgs(name=settings.storage_secret))
            )
        return env_from

    def _volumes(self, settings: _Settings) -> tuple[list[k8s.core.v1.VolumeArgs], list[k8s.core.v1.VolumeMountArgs]]:
        """Volumes and their mounts: config.yaml read-only, bounded emptyDirs for writes, the TLS Secret if any."""
        volumes = [
            k8s.core.v1.VolumeArgs(
                name="config", config_map=k8s.core.v1.ConfigMapVolumeSourceArgs(name=self.config_map.metadata.name)
            ),
            k8s.core.v1.VolumeArgs(name="tmp", empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(size_limit="512Mi")),
            k8s.core.v1.VolumeArgs(name="cache", empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(size_limit="128Mi")),
            k8s.core.v1.VolumeArgs(name="data", empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(size_limit="128Mi")),
        ]
        mounts = [
            k8s.core.v1.VolumeMountArgs(name="config", mount_path=CONFIG_DIR, read_only=True),
            k8s.core.v1.VolumeMountArgs(name="tmp", mount_path="/tmp"),
            k8s.core.v1.VolumeMountArgs(name="cache", mount_path=CACHE_DIR),
            k8s.core.v1.VolumeMountArgs(name="data", mount_path=DATA_DIR),
        ]
        if settings.tls_secret is not None:
            volumes.append(
                k8s.core.v1.VolumeArgs(
                    name="tls", secret=k8s.core.v1.SecretVolumeSourceArgs(secret_name=settings.tls_secret)
                )
            )
            mounts.append(k8s.core.v1.VolumeMountArgs(name="tls", mount_path=TLS_DIR, read_only=True))
        return volumes, mounts

    def _service(self, name: str, settings: _Settings) -> k8s.core.v1.Service:
        """A stable ClusterIP in front of the pods for the ingress (or clients) to reach Pomerium through.

        Ready once it has its cluster IP: pulumi-kubernetes's own Service wait adds a fixed 10 s after
        every Endpoints change (`processEndpointEvent`, `pkg/await/service.go`), two thirds of a first
        `up`, while the Deployment's wait already proves ready pods behind the selector."""
        return k8s.core.v1.Service(
            f"{name}-service",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=settings.base,
                namespace=settings.namespace,
                labels=settings.labels,
                annotations={WAIT_FOR_ANNOTATION: SERVICE_READY},
            ),
            spec=k8s.core.v1.ServiceSpecArgs(
                type="ClusterIP",
                selector=settings.selector,
                ports=[
                    k8s.core.v1.ServicePortArgs(
                        name=settings.port_name, port=settings.service_port, target_port=settings.port_name
                    )
                ],
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _outputs(self, settings: _Settings) -> pulumi.Inputs:
        """Set the outputs an ingress or another stack wires up; returns them to register."""
        self.service_name = self.service.metadata.apply(lambda metadata: metadata.name or "")
        self.service_port = pulumi.Output.from_input(settings.service_port)
        self.deployment_name = self.deployment.metadata.apply(lambda metadata: metadata.name or "")
        return {
            "service_name": self.service_name,
            "service_port": self.service_port,
            "deployment_name": self.deployment_name,
            "config_checksum": self.config_checksum,
        }
