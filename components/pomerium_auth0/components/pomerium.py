"""Pomerium (all-in-one) on Kubernetes, consuming the IdP Secret and rolling on every change."""

from collections.abc import Collection, Mapping
from functools import partial
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ..domain.generated_secrets import SECRET_SETTINGS, secret_values
from ..domain.k8s_metadata import (
    CHECKSUM_ANNOTATION,
    SERVICE_READY,
    TIMEOUT_ANNOTATION,
    WAIT_FOR_ANNOTATION,
    secret_checksum,
    standard_labels,
)
from ..domain.pomerium_routes import check_routes, render_config
from ..domain.pomerium_versions import LOGIN_KEYS, has_directory_sync
from ..inputs import checks
from ..inputs.input_errors import InputError
from ..inputs.settings import Arguments, Namer, Setting
from .common_arguments import AUTHENTICATE_SERVICE_URL, NAMESPACE, PROTECT

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
RESOURCE_REQUESTS = {"cpu": "100m", "memory": "256Mi"}
RESOURCE_LIMITS = {"cpu": "1", "memory": "1Gi"}


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


def _setting_conflicts(checked: Mapping[str, Any], given: Collection[str], name: Namer) -> list[InputError]:
    """TLS from a Secret needs the Secret; several replicas need shared session storage."""
    conflicts = []
    if checked.get("tls_mode") == "secret" and "tls_secret_name" not in given:
        conflicts.append(
            InputError(
                name.key("tls_secret_name"),
                "is required when Pomerium serves TLS itself (tls mode secret)",
                "name a kubernetes.io/tls Secret holding tls.crt and tls.key",
            )
        )
    replicas = checked.get("replicas", 1)
    if replicas > 1 and "databroker_storage_secret" not in given:
        conflicts.append(
            InputError(
                name.key("replicas"),
                f"{replicas} replicas would each keep their own in-memory sessions",
                "name a databroker storage Secret holding DATABROKER_STORAGE_CONNECTION_STRING (Postgres), "
                "or use 1 replica",
            )
        )
    return conflicts


ARGUMENTS = Arguments(
    PomeriumArgs,
    {
        "authenticate_service_url": AUTHENTICATE_SERVICE_URL,
        "namespace": NAMESPACE,
        "idp_secret_name": Setting(checks.unchecked, config_key=None),
        "idp_secret_checksum": Setting(checks.unchecked, config_key=None),
        "name": Setting(partial(checks.rfc1035_label, example="pomerium"), default="pomerium", config_key=None),
        "image": Setting(
            partial(checks.image_reference, example=DEFAULT_IMAGE), default=DEFAULT_IMAGE, config_key="pomeriumImage"
        ),
        "replicas": Setting(partial(checks.integer, minimum=1, maximum=50), default=1),
        "routes": Setting(check_routes, default=[], structured=True),
        "tls_mode": Setting(partial(checks.choice, allowed=TLS_MODES), default="ingress"),
        "tls_secret_name": Setting(partial(checks.dns_subdomain, example="pomerium-tls")),
        **SECRET_SETTINGS,
        "protect": PROTECT,
        "databroker_storage_secret": Setting(partial(checks.dns_subdomain, example="pomerium-databroker")),
        # At least 1 s (the provider fails `0` at once), at most a day.
        "rollout_timeout_seconds": Setting(partial(checks.integer, minimum=1, maximum=DAY_SECONDS)),
    },
    rules=[_setting_conflicts],
)
"""How each argument is checked and defaulted, and the stack config key it is read from."""

Checked = Mapping[str, Any]
"""The arguments as :data:`ARGUMENTS` checked them, defaults applied."""


def _labels(settings: Checked) -> dict[str, pulumi.Input[str]]:
    """Labels of every object; the instance label is the object name, never a display name.

    A Deployment's selector is immutable, so a label that changes would force Kubernetes to
    replace the Deployment.
    """
    return standard_labels(settings["name"], "proxy")


def _selector(settings: Checked) -> dict[str, str]:
    """The pods the Deployment owns and the Service routes to."""
    return {"app.kubernetes.io/name": "pomerium", "app.kubernetes.io/instance": settings["name"]}


def _serves_tls(settings: Checked) -> bool:
    """tls_mode secret: Pomerium serves TLS on 8443 (Service port 443); ingress: plain HTTP on 8080 (port 80)."""
    return bool(settings["tls_mode"] == "secret")


def _port(settings: Checked) -> int:
    return 8443 if _serves_tls(settings) else 8080


def _port_name(settings: Checked) -> str:
    return "https" if _serves_tls(settings) else "http"


def _service_port(settings: Checked) -> int:
    return 443 if _serves_tls(settings) else 80


def _without_directory_sync(settings: Checked) -> bool:
    """An image known to be open-source v0.20 or later, which never reads IDP_SERVICE_ACCOUNT: the pod gets the
    IdP Secret's login keys one by one, so that Management API credential stays out of its environment.

    Any other image (older, a digest, Enterprise, or given as an Output) reads the whole IdP Secret.
    """
    image = settings["image"]
    return isinstance(image, str) and not has_directory_sync(image)


def _tls_secret(settings: Checked) -> pulumi.Input[str] | None:
    """The TLS Secret Pomerium serves from; only with tls_mode secret."""
    return settings.get("tls_secret_name") if _serves_tls(settings) else None


def _probe(path: str, period_seconds: int, failure_threshold: int) -> k8s.core.v1.ProbeArgs:
    """An HTTP probe of one of Pomerium's health endpoints."""
    return k8s.core.v1.ProbeArgs(
        http_get=k8s.core.v1.HTTPGetActionArgs(path=path, port="health"),
        period_seconds=period_seconds,
        failure_threshold=failure_threshold,
    )


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
        settings = ARGUMENTS.checked(args)
        super().__init__("pomerium-auth0:index:Pomerium", name, {}, opts)
        secret_data = self._secret_data(name, settings)
        self.secrets = self._secret(name, settings, secret_data)
        config_yaml = pulumi.Output.from_input(settings["routes"]).apply(render_config)
        self.config_map = self._config_map(name, settings, config_yaml)
        self.config_checksum = self._pod_checksum(settings, secret_data, config_yaml)
        self.deployment = self._deployment(name, settings)
        self.service = self._service(name, settings)
        self.register_outputs(self._outputs(settings))

    def _secret_data(self, name: str, settings: Checked) -> dict[str, pulumi.Input[str]]:
        """Supplied secrets as given, the rest generated once and kept stable; keyed by their environment names."""
        # `protect` (prod) guards the generators' entropy: losing it signs every user out.
        guarded = pulumi.ResourceOptions(parent=self, protect=settings["protect"])
        supplied = {secret: settings[secret] for secret in SECRET_SETTINGS if secret in settings}
        values = secret_values(name, supplied, guarded)
        return {secret.upper(): values[secret] for secret in sorted(values)}

    def _secret(self, name: str, settings: Checked, secret_data: dict[str, pulumi.Input[str]]) -> k8s.core.v1.Secret:
        """The `pomerium-secrets` Secret the container reads with envFrom, so no secret sits in the pod spec."""
        return k8s.core.v1.Secret(
            f"{name}-secrets",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=settings["name"] + "-secrets", namespace=settings["namespace"], labels=_labels(settings)
            ),
            type="Opaque",
            string_data=secret_data,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _config_map(self, name: str, settings: Checked, config_yaml: pulumi.Output[str]) -> k8s.core.v1.ConfigMap:
        """The rendered config.yaml (the routes), mounted read-only where `--config` points."""
        return k8s.core.v1.ConfigMap(
            f"{name}-config",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=settings["name"] + "-config", namespace=settings["namespace"], labels=_labels(settings)
            ),
            data={"config.yaml": config_yaml},
            opts=pulumi.ResourceOptions(parent=self),
        )

    @staticmethod
    def _pod_checksum(
        settings: Checked, secret_data: dict[str, pulumi.Input[str]], config_yaml: pulumi.Output[str]
    ) -> pulumi.Output[str]:
        """One hash over the IdP Secret, our secrets and config.yaml: any change to them rolls the pods."""
        # Unsecret: a secret annotation would make Pulumi hide the Deployment's whole `spec` in
        # every preview. The hash's inputs stay secret; the hash reveals none of them (README).
        return pulumi.Output.unsecret(
            secret_checksum(
                {
                    "idp_secret": settings["idp_secret_checksum"],
                    "pomerium_secrets": secret_checksum(secret_data),
                    "config_yaml": config_yaml,
                }
            )
        )

    def _deployment(self, name: str, settings: Checked) -> k8s.apps.v1.Deployment:
        """The hardened Pomerium pods, rolled one at a time (no unavailability) when the checksum changes.

        `up` waits until the new pods are ready (pulumi-kubernetes's Deployment await), and fails
        naming the pods' reason (an image pull, a crash) after the rollout timeout: the
        `pulumi.com/timeoutSeconds` annotation, which the provider reads for create and update alike."""
        volumes, mounts = self._volumes(settings)
        seconds = settings.get("rollout_timeout_seconds")
        timeout = None if seconds is None else {TIMEOUT_ANNOTATION: str(seconds)}
        return k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=settings["name"], namespace=settings["namespace"], labels=_labels(settings), annotations=timeout
            ),
            spec=k8s.apps.v1.DeploymentSpecArgs(
                replicas=settings["replicas"],
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=_selector(settings)),
                strategy=k8s.apps.v1.DeploymentStrategyArgs(
                    type="RollingUpdate",
                    rolling_update=k8s.apps.v1.RollingUpdateDeploymentArgs(max_unavailable=0, max_surge=1),
                ),
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(
                        labels=_labels(settings), annotations={CHECKSUM_ANNOTATION: self.config_checksum}
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

    def _container(self, settings: Checked, mounts: list[k8s.core.v1.VolumeMountArgs]) -> k8s.core.v1.ContainerArgs:
        """The Pomerium container: unprivileged, read-only root, bounded resources, probed on its health port."""
        return k8s.core.v1.ContainerArgs(
            name="pomerium",
            image=settings["image"],
            args=["--config", f"{CONFIG_DIR}/config.yaml"],
            ports=[
                k8s.core.v1.ContainerPortArgs(name=_port_name(settings), container_port=_port(settings)),
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
    def _environment(settings: Checked) -> list[k8s.core.v1.EnvVarArgs]:
        """Pomerium's non-secret settings (listen addresses, writable directories, TLS or plain HTTP, storage type),
        after the IdP Secret's login keys when the image reads them one by one (see `_without_directory_sync`)."""
        env = [
            k8s.core.v1.EnvVarArgs(
                name=key,
                value_from=k8s.core.v1.EnvVarSourceArgs(
                    secret_key_ref=k8s.core.v1.SecretKeySelectorArgs(name=settings["idp_secret_name"], key=key)
                ),
            )
            for key in (LOGIN_KEYS if _without_directory_sync(settings) else ())
        ]
        env += [
            k8s.core.v1.EnvVarArgs(name="AUTHENTICATE_SERVICE_URL", value=settings["authenticate_service_url"]),
            k8s.core.v1.EnvVarArgs(name="ADDRESS", value=f":{_port(settings)}"),
            k8s.core.v1.EnvVarArgs(name="HEALTH_CHECK_ADDR", value=f":{HEALTH_PORT}"),
            # The root filesystem is read-only and $HOME with it: as Pomerium's own read-only
            # manifests do, point its cache and data directories at writable emptyDirs.
            k8s.core.v1.EnvVarArgs(name="XDG_CACHE_HOME", value=CACHE_DIR),
            k8s.core.v1.EnvVarArgs(name="XDG_DATA_HOME", value=DATA_DIR),
        ]
        if _tls_secret(settings) is not None:
            env += [
                k8s.core.v1.EnvVarArgs(name="CERTIFICATE_FILE", value=f"{TLS_DIR}/tls.crt"),
                k8s.core.v1.EnvVarArgs(name="CERTIFICATE_KEY_FILE", value=f"{TLS_DIR}/tls.key"),
            ]
        else:
            env.append(k8s.core.v1.EnvVarArgs(name="INSECURE_SERVER", value="true"))
        if settings.get("databroker_storage_secret") is not None:
            env.append(k8s.core.v1.EnvVarArgs(name="DATABROKER_STORAGE_TYPE", value="postgres"))
        return env

    def _env_from(self, settings: Checked) -> list[k8s.core.v1.EnvFromSourceArgs]:
        """Whole Secrets by name: the IdP's (unless `_without_directory_sync`), ours, the databroker storage's."""
        env_from = [
            k8s.core.v1.EnvFromSourceArgs(secret_ref=k8s.core.v1.SecretEnvSourceArgs(name=self.secrets.metadata.name)),
        ]
        if not _without_directory_sync(settings):
            idp = k8s.core.v1.SecretEnvSourceArgs(name=settings["idp_secret_name"])
            env_from.insert(0, k8s.core.v1.EnvFromSourceArgs(secret_ref=idp))
        storage_secret = settings.get("databroker_storage_secret")
        if storage_secret is not None:
            env_from.append(
                k8s.core.v1.EnvFromSourceArgs(secret_ref=k8s.core.v1.SecretEnvSourceArgs(name=storage_secret))
            )
        return env_from

    def _volumes(self, settings: Checked) -> tuple[list[k8s.core.v1.VolumeArgs], list[k8s.core.v1.VolumeMountArgs]]:
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
        if _tls_secret(settings) is not None:
            volumes.append(
                k8s.core.v1.VolumeArgs(
                    name="tls", secret=k8s.core.v1.SecretVolumeSourceArgs(secret_name=_tls_secret(settings))
                )
            )
            mounts.append(k8s.core.v1.VolumeMountArgs(name="tls", mount_path=TLS_DIR, read_only=True))
        return volumes, mounts

    def _service(self, name: str, settings: Checked) -> k8s.core.v1.Service:
        """A stable ClusterIP in front of the pods for the ingress (or clients) to reach Pomerium through.

        Ready once it has its cluster IP: pulumi-kubernetes's own Service wait adds a fixed 10 s after
        every Endpoints change (`processEndpointEvent`, `pkg/await/service.go`), two thirds of a first
        `up`, while the Deployment's wait already proves ready pods behind the selector."""
        return k8s.core.v1.Service(
            f"{name}-service",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=settings["name"],
                namespace=settings["namespace"],
                labels=_labels(settings),
                annotations={WAIT_FOR_ANNOTATION: SERVICE_READY},
            ),
            spec=k8s.core.v1.ServiceSpecArgs(
                type="ClusterIP",
                selector=_selector(settings),
                ports=[
                    k8s.core.v1.ServicePortArgs(
                        name=_port_name(settings), port=_service_port(settings), target_port=_port_name(settings)
                    )
                ],
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _outputs(self, settings: Checked) -> pulumi.Inputs:
        """Set the outputs an ingress or another stack wires up; returns them to register."""
        self.service_name = self.service.metadata.apply(lambda metadata: metadata.name or "")
        self.service_port = pulumi.Output.from_input(_service_port(settings))
        self.deployment_name = self.deployment.metadata.apply(lambda metadata: metadata.name or "")
        return {
            "service_name": self.service_name,
            "service_port": self.service_port,
            "deployment_name": self.deployment_name,
            "config_checksum": self.config_checksum,
        }
