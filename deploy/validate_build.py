#!/usr/bin/env python3
"""Static checks of deploy/Dockerfile, /.dockerignore and /docker-compose.yml (no Docker engine needed).

- The Dockerfile has the stages `api`, `worker`, `fake-shipstation`; every `--bin` it builds is a bin
  target of the workspace (from `cargo metadata`); every COPY --from names an earlier stage.
- The .dockerignore allowlist admits Cargo.toml, Cargo.lock, migrations/ and every workspace member.
- docker-compose.yml: valid against the Compose specification (check-jsonschema's bundled schema, when
  installed); build targets exist in the Dockerfile; depends_on names existing services with valid
  conditions; every local image is built by some service.

Exit status 1 on any problem.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE = ROOT / "docker-compose.yml"
REQUIRED_TARGETS = {"api", "worker", "fake-shipstation"}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}

problems: list[str] = []


def workspace() -> tuple[set[str], set[str]]:
    """(bin target names, member directories relative to the root) from cargo metadata."""
    out = subprocess.run(
        ["cargo", "metadata", "--no-deps", "--format-version", "1", "--offline"],
        cwd=ROOT, capture_output=True, text=True,
    )
    if out.returncode != 0:
        problems.append(f"cargo metadata failed: {out.stderr.strip()[:300]}")
        return set(), set()
    meta = json.loads(out.stdout)
    bins, members = set(), set()
    for pkg in meta["packages"]:
        members.add(str(Path(pkg["manifest_path"]).parent.relative_to(ROOT)))
        bins |= {t["name"] for t in pkg["targets"] if "bin" in t["kind"]}
    return bins, members


def dockerfile_stages() -> tuple[list[str], str]:
    text = DOCKERFILE.read_text()
    joined = re.sub(r"\\\n", " ", text)
    stages = re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", joined, flags=re.M | re.I)
    return stages, joined


def check_dockerfile(bins: set[str]) -> set[str]:
    stages, text = dockerfile_stages()
    for missing in sorted(REQUIRED_TARGETS - set(stages)):
        problems.append(f"Dockerfile: no stage `{missing}` (docker build --target {missing})")
    if stages and stages[-1] != "api":
        problems.append("Dockerfile: the last stage should be `api` (the default target)")
    seen: list[str] = []
    for line in text.splitlines():
        m = re.match(r"^FROM\s+\S+\s+AS\s+(\S+)", line, flags=re.I)
        if m:
            seen.append(m.group(1))
        for src in re.findall(r"COPY\s+--from=(\S+)", line):
            if src not in seen:
                problems.append(f"Dockerfile: COPY --from={src} before stage {src} is defined")
    built = set(re.findall(r"--bin\s+([\w-]+)", text))
    if bins:
        for b in sorted(built - bins):
            problems.append(f"Dockerfile: --bin {b} is not a bin target of the workspace")
    for b in sorted(REQUIRED_TARGETS - built):
        problems.append(f"Dockerfile: does not build --bin {b}")
    return set(stages)


def dockerignore_admits(path: str) -> bool:
    """Docker's rule: the last matching pattern wins; `!` re-includes."""
    admitted = True
    for raw in DOCKERIGNORE.read_text().splitlines():
        pat = raw.strip()
        if not pat or pat.startswith("#"):
            continue
        negate = pat.startswith("!")
        pat = pat.lstrip("!").rstrip("/")
        if fnmatch.fnmatch(path, pat) or path.startswith(pat + "/"):
            admitted = negate
    return admitted


def check_dockerignore(members: set[str]) -> None:
    for needed in sorted({"Cargo.toml", "Cargo.lock", "migrations"} | {m for m in members if m != "."}):
        if not dockerignore_admits(needed):
            problems.append(f".dockerignore: excludes {needed}, which the image build needs")
    for never in ("target", ".git", "deploy/k8s"):
        if dockerignore_admits(never):
            problems.append(f".dockerignore: admits {never} into the build context")


def check_compose(stages: set[str]) -> None:
    try:
        compose = yaml.safe_load(COMPOSE.read_text())
    except yaml.YAMLError as exc:
        problems.append(f"docker-compose.yml: does not parse: {exc}")
        return
    services = compose.get("services") or {}
    built_images = set()
    for name, svc in services.items():
        build = svc.get("build")
        if isinstance(build, dict):
            if (ROOT / build.get("context", ".") / build.get("dockerfile", "Dockerfile")).resolve() != DOCKERFILE:
                problems.append(f"compose {name}: builds from another Dockerfile than deploy/Dockerfile")
            if build.get("target") not in stages:
                problems.append(f"compose {name}: build target {build.get('target')!r} is not a Dockerfile stage")
            built_images.add(svc.get("image"))
        deps = svc.get("depends_on") or {}
        for dep, how in (deps.items() if isinstance(deps, dict) else ((d, {}) for d in deps)):
            if dep not in services:
                problems.append(f"compose {name}: depends_on unknown service {dep}")
            cond = (how or {}).get("condition", "service_started")
            if cond not in CONDITIONS:
                problems.append(f"compose {name}: depends_on {dep} with unknown condition {cond}")
            if cond == "service_healthy" and "healthcheck" not in services.get(dep, {}):
                problems.append(f"compose {name}: waits for {dep} to be healthy but it has no healthcheck")
    for name, svc in services.items():
        image = svc.get("image", "")
        if image.startswith("quayside-") and image not in built_images:
            problems.append(f"compose {name}: image {image} is built by no service")
    if importlib.util.find_spec("check_jsonschema") is not None:
        out = subprocess.run(
            [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
            capture_output=True, text=True,
        )
        if out.returncode != 0:
            detail = " | ".join(out.stdout.strip().splitlines()[1:4])
            problems.append(f"docker-compose.yml: not valid Compose: {detail[:500]}")
    else:
        problems.append("check-jsonschema is not installed (deploy/validate.sh installs it)")


def main() -> int:
    bins, members = workspace()
    stages = check_dockerfile(bins)
    check_dockerignore(members)
    check_compose(stages)
    for p in problems:
        print(f"PROBLEM: {p}", file=sys.stderr)
    print(f"validate: Dockerfile, .dockerignore, compose: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
