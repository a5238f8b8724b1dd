"""What the components cost: evaluation time, peak memory, dependency depth and API calls.

Run `.venv/bin/python benchmarks/run.py [--repeat N]`; it prints a Markdown report (the README
quotes one). Every measurement runs in a fresh Python process under Pulumi's mocks, so imports,
time and memory are those of one `pulumi preview`/`up` evaluation of the program, without the
engine, the providers or the network.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCALES = (1, 10, 100)


def _peak_rss_mib() -> float:
    """This process's peak resident memory (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _import_sdks() -> None:
    """Every SDK module the program loads: pulumi_kubernetes loads `apps.v1` etc. lazily, on first use."""
    import pulumi  # noqa: F401
    import pulumi_auth0  # noqa: F401
    import pulumi_kubernetes.apps.v1
    import pulumi_kubernetes.core.v1
    import pulumi_kubernetes.meta.v1  # noqa: F401
    import pulumi_random  # noqa: F401
    import yaml  # noqa: F401


def _scenario_floor() -> dict[str, Any]:
    started = time.perf_counter()
    _import_sdks()
    return {"seconds": time.perf_counter() - started, "peak_mib": _peak_rss_mib()}


def _longest_chain(registrations: list[Any]) -> int:
    """Custom resources on the longest path of registration dependencies (each waits on the last)."""
    custom = {r.urn: r for r in registrations if r.custom}
    depth: dict[str, int] = {}

    def chain(urn: str) -> int:
        if urn not in depth:
            depth[urn] = 1 + max((chain(dep) for dep in custom[urn].dependencies if dep in custom), default=0)
        return depth[urn]

    return max((chain(urn) for urn in custom), default=0)


def _scenario_dev_stack() -> dict[str, Any]:
    started = time.perf_counter()
    _import_sdks()
    sys.path.insert(0, str(ROOT))
    from tests.harness import new_engine, stack_file_config

    imported = time.perf_counter()
    engine = new_engine(stack="dev", config=stack_file_config("dev"))
    engine.run_stack_program()
    finished = time.perf_counter()
    return {
        "seconds": finished - started,
        "program_seconds": finished - imported,
        "peak_mib": _peak_rss_mib(),
        "resources": len(engine.registrations),
        "custom_resources": sum(1 for r in engine.registrations if r.custom),
        "longest_chain": _longest_chain(engine.registrations),
        "data_source_calls": len(engine.mocks.calls),
    }


def _scenario_instances(count: int) -> dict[str, Any]:
    _import_sdks()
    sys.path.insert(0, str(ROOT))
    from pomerium_auth0 import Auth0IdentityProvider, Pomerium

    from tests.harness import new_engine

    def program() -> None:
        for index in range(count):
            namespace = f"team-{index}"
            url = f"https://authenticate.team-{index}.example.com"
            idp = Auth0IdentityProvider(
                f"team-{index}-idp",
                {
                    "authenticate_service_url": url,
                    "auth0_domain": "acme.eu.auth0.com",
                    "app_name": f"pomerium-team-{index}",
                    "namespace": namespace,
                },
            )
            Pomerium(
                f"team-{index}-pomerium",
                {
                    "authenticate_service_url": url,
                    "namespace": namespace,
                    "idp_secret_name": idp.secret_name,
                    "idp_secret_checksum": idp.secret_checksum,
                },
            )

    engine = new_engine()
    started = time.perf_counter()
    engine.run(program)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "per_instance_ms": 1000 * seconds / count,
        "peak_mib": _peak_rss_mib(),
        "resources": len(engine.registrations),
    }


SCENARIOS: dict[str, Callable[..., dict[str, Any]]] = {
    "floor": _scenario_floor,
    "dev-stack": _scenario_dev_stack,
    "instances": _scenario_instances,
}


def _measure(scenario: str, *args: str) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", scenario, *args], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(float(run[key]) for run in runs))


def report(repeat: int) -> str:
    floor = [_measure("floor") for _ in range(repeat)]
    dev = [_measure("dev-stack") for _ in range(repeat)]
    scaled = {count: [_measure("instances", str(count)) for _ in range(repeat)] for count in SCALES}
    facts = dev[0]
    lines = [
        f"Median of {repeat} fresh processes each; Python {sys.version.split()[0]}, under Pulumi's mocks.",
        "",
        "| Measurement | Wall time | Peak memory |",
        "| --- | --- | --- |",
        f"| Import the SDKs only (floor) | {_median(floor, 'seconds'):.2f} s | {_median(floor, 'peak_mib'):.0f} MiB |",
        f"| Dev stack: imports + program | {_median(dev, 'seconds'):.2f} s | {_median(dev, 'peak_mib'):.0f} MiB |",
        f"| Dev stack: program alone | {_median(dev, 'program_seconds'):.2f} s | "
        f"+{_median(dev, 'peak_mib') - _median(floor, 'peak_mib'):.0f} MiB over the floor |",
        "",
        "| IdP + Pomerium instances in one program | Resources | Program time | Per instance | Peak memory |",
        "| --- | --- | --- | --- | --- |",
    ]
    for count, runs in scaled.items():
        lines.append(
            f"| {count} | {runs[0]['resources']} | {_median(runs, 'seconds'):.2f} s | "
            f"{_median(runs, 'per_instance_ms'):.1f} ms | {_median(runs, 'peak_mib'):.0f} MiB |"
        )
    lines += [
        "",
        f"- Dev stack: {facts['resources']} resources, {facts['custom_resources']} of them custom.",
        f"- Longest dependency chain of custom resources: {facts['longest_chain']} "
        "(each waits on the one before; this bounds how far `pulumi up` can parallelise).",
        f"- Provider data-source calls per run: {facts['data_source_calls']} (each would be an Auth0 "
        "Management API request on every preview; target 0).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per measurement (median)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        scenario, *args = options.child
        result = SCENARIOS[scenario](*(int(arg) for arg in args))
        print(json.dumps(result))
        return
    print(report(options.repeat))


if __name__ == "__main__":
    main()
