#!/usr/bin/env python3
"""Validate Quayside's Kubernetes manifests (deploy/k8s). Run through deploy/validate.sh.

1. Every YAML file parses; every kustomization's resources, components, patches and generator files
   exist; every manifest has a known kind/apiVersion pair and a name.
2. Each target (base, overlays/*) is rendered: with `kustomize build` / `kubectl kustomize` when one is
   on PATH, else by a structural renderer here (resources, components, generators, images, namespace
   and `$patch: delete`; other patches are not applied, so checks that depend on them are skipped).
3. Cross-references on every render (those that depend on patches only on an exact render): ConfigMap/Secret keys that pods read exist (Secret keys in
   base/secret.template.yaml), Services, PDBs and autoscalers select or target something that exists,
   named ports exist, the runtime contract's settings are all set, one autoscaler per Deployment,
   hardened pods, https Ingress matching PUBLIC_BASE_URL, production-only rules.
4. Schema validation of built-in kinds with kubernetes-validate (bundled schemas, no network; CRDs
   such as KEDA's are skipped, as kubeconform's -ignore-missing-schemas would).

Exit status 1 on any problem, with one line per problem.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from validate_k8s_rules import check_render

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"
SECRET_TEMPLATE = K8S / "base" / "secret.template.yaml"
SCHEMA_VERSIONS = ["1.30.0", "latest"]

KNOWN_KINDS = {
    "Namespace": "v1",
    "ServiceAccount": "v1",
    "ConfigMap": "v1",
    "Secret": "v1",
    "Service": "v1",
    "Deployment": "apps/v1",
    "Job": "batch/v1",
    "Ingress": "networking.k8s.io/v1",
    "PodDisruptionBudget": "policy/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "ScaledObject": "keda.sh/v1alpha1",
    "TriggerAuthentication": "keda.sh/v1alpha1",
}
KUSTOMIZATION_KEYS = {
    "apiVersion", "kind", "namespace", "namePrefix", "nameSuffix", "labels", "commonLabels",
    "commonAnnotations", "resources", "components", "patches", "configMapGenerator",
    "secretGenerator", "generatorOptions", "images", "replicas", "transformers", "generators",
}
KUSTOMIZATION_KINDS = {
    "Kustomization": "kustomize.config.k8s.io/v1beta1",
    "Component": "kustomize.config.k8s.io/v1alpha1",
}

problems: list[str] = []


def problem(msg: str) -> None:
    problems.append(msg)


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def load_docs(path: Path) -> list[dict]:
    try:
        with path.open() as fh:
            return [d for d in yaml.safe_load_all(fh) if d is not None]
    except (OSError, yaml.YAMLError) as exc:
        problem(f"{rel(path)}: does not parse: {exc}")
        return []


def kustomization_of(directory: Path) -> dict | None:
    path = directory / "kustomization.yaml"
    if not path.is_file():
        return None
    docs = load_docs(path)
    return docs[0] if docs and isinstance(docs[0], dict) else None


# ---------------------------------------------------------------------------------------------------
# 1. static checks


def check_kustomizations() -> tuple[set[Path], set[Path]]:
    """Check every kustomization.yaml; return (patch files, resource files) that they name."""
    patch_files: set[Path] = set()
    resource_files: set[Path] = set()
    for kpath in sorted(K8S.rglob("kustomization.yaml")):
        kdir = kpath.parent
        k = kustomization_of(kdir)
        if k is None:
            problem(f"{rel(kpath)}: empty or not a mapping")
            continue
        kind = k.get("kind")
        if KUSTOMIZATION_KINDS.get(kind) != k.get("apiVersion"):
            problem(f"{rel(kpath)}: kind {kind!r} with apiVersion {k.get('apiVersion')!r}")
        for key in sorted(set(k) - KUSTOMIZATION_KEYS):
            problem(f"{rel(kpath)}: unknown field {key!r}")
        for entry in k.get("resources") or []:
            target = (kdir / entry).resolve()
            if target.is_dir():
                if kustomization_of(target) is None:
                    problem(f"{rel(kpath)}: resource {entry} is a directory without kustomization.yaml")
            elif target.is_file():
                resource_files.add(target)
            else:
                problem(f"{rel(kpath)}: resource {entry} does not exist")
        for entry in k.get("components") or []:
            comp = kustomization_of((kdir / entry).resolve())
            if comp is None or comp.get("kind") != "Component":
                problem(f"{rel(kpath)}: component {entry} is not a directory with a kind: Component")
        for patch in k.get("patches") or []:
            if "path" in patch:
                target = (kdir / patch["path"]).resolve()
                if target.is_file():
                    patch_files.add(target)
                    load_docs(target)
                else:
                    problem(f"{rel(kpath)}: patch {patch['path']} does not exist")
            elif "patch" not in patch:
                problem(f"{rel(kpath)}: a patch entry has neither path nor patch")
        for gen in k.get("configMapGenerator") or []:
            for env_file in gen.get("envs") or []:
                if not (kdir / env_file).is_file():
                    problem(f"{rel(kpath)}: configMapGenerator {gen.get('name')}: {env_file} missing")
        if k.get("secretGenerator"):
            problem(f"{rel(kpath)}: secretGenerator would put secret values in git; use the template")
    return patch_files, resource_files


def check_manifest_files(patch_files: set[Path], resource_files: set[Path]) -> None:
    for path in sorted(K8S.rglob("*.yaml")):
        if path.name == "kustomization.yaml" or path in patch_files:
            continue
        if path not in resource_files and path != SECRET_TEMPLATE:
            problem(f"{rel(path)}: not listed in any kustomization (dead file?)")
        for doc in load_docs(path):
            kind, api = doc.get("kind"), doc.get("apiVersion")
            if kind not in KNOWN_KINDS:
                problem(f"{rel(path)}: unknown kind {kind!r} (add it to KNOWN_KINDS on purpose)")
            elif KNOWN_KINDS[kind] != api:
                problem(f"{rel(path)}: {kind} must use apiVersion {KNOWN_KINDS[kind]}, not {api!r}")
            if not (doc.get("metadata") or {}).get("name"):
                problem(f"{rel(path)}: a {kind} without metadata.name")
    if SECRET_TEMPLATE in resource_files:
        problem(f"{rel(SECRET_TEMPLATE)} must not be a kustomize resource: it holds placeholders")


def secret_template_keys() -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    for doc in load_docs(SECRET_TEMPLATE):
        if doc.get("kind") == "Secret":
            name = doc["metadata"]["name"]
            keys[name] = set((doc.get("stringData") or {}).keys()) | set((doc.get("data") or {}).keys())
    if not keys:
        problem(f"{rel(SECRET_TEMPLATE)}: no Secret in it")
    return keys


# ---------------------------------------------------------------------------------------------------
# 2. rendering


def kustomize_command() -> list[str] | None:
    if os.environ.get("VALIDATE_NO_KUSTOMIZE"):
        return None
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        probe = subprocess.run(["kubectl", "kustomize", "--help"], capture_output=True, text=True)
        if probe.returncode == 0:
            return ["kubectl", "kustomize"]
    return None


def render_with(cmd: list[str], target: Path) -> list[dict] | None:
    out = subprocess.run([*cmd, str(target)], capture_output=True, text=True)
    if out.returncode != 0:
        problem(f"{rel(target)}: {' '.join(cmd)} failed: {out.stderr.strip().splitlines()[:3]}")
        return None
    return [d for d in yaml.safe_load_all(out.stdout) if d is not None]


def parse_env_file(path: Path) -> dict[str, str]:
    data = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            data[key.strip()] = value
    return data


def render_structurally(kdir: Path) -> list[dict]:
    """Resources, components, generators, images, namespace, delete patches; other patches ignored."""
    k = kustomization_of(kdir) or {}
    docs: list[dict] = []
    for entry in (k.get("resources") or []) + (k.get("components") or []):
        target = (kdir / entry).resolve()
        docs += render_structurally(target) if target.is_dir() else load_docs(target)
    for gen in k.get("configMapGenerator") or []:
        data: dict[str, str] = {}
        for env_file in gen.get("envs") or []:
            if (kdir / env_file).is_file():
                data.update(parse_env_file(kdir / env_file))
        for literal in gen.get("literals") or []:
            key, _, value = literal.partition("=")
            data[key] = value
        existing = [d for d in docs if d.get("kind") == "ConfigMap" and d["metadata"]["name"] == gen["name"]]
        if gen.get("behavior") == "merge" and existing:
            existing[0].setdefault("data", {}).update(data)
        else:
            docs.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": gen["name"]}, "data": data})
    for patch in k.get("patches") or []:
        if "path" in patch and (kdir / patch["path"]).is_file():
            for p in load_docs(kdir / patch["path"]):
                if isinstance(p, dict) and p.get("$patch") == "delete":
                    docs = [d for d in docs if (d.get("kind"), d["metadata"]["name"]) != (p.get("kind"), p["metadata"]["name"])]
    for img in k.get("images") or []:
        for d in docs:
            for c in ((((d.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []):
                image = c.get("image", "")
                bare = image.split("@")[0]
                bare = bare.rsplit(":", 1)[0] if ":" in bare.rsplit("/", 1)[-1] else bare
                if bare == img.get("name"):
                    tag = "@" + img["digest"] if img.get("digest") else ":" + str(img["newTag"]) if img.get("newTag") else ""
                    c["image"] = img.get("newName", bare) + tag
    if k.get("namespace"):
        for d in docs:
            if d.get("kind") != "Namespace":
                d.setdefault("metadata", {})["namespace"] = k["namespace"]
    return docs


# ---------------------------------------------------------------------------------------------------
# 4. schemas


def check_schemas(name: str, docs: list[dict]) -> None:
    try:
        import kubernetes_validate
        from kubernetes_validate import utils as kv_utils
    except ImportError:
        problem("kubernetes-validate is not installed (deploy/validate.sh installs it)")
        return
    for version in SCHEMA_VERSIONS:
        v = kubernetes_validate.latest_version() if version == "latest" else version
        for doc in docs:
            what = f"{name}: {doc.get('kind')}/{(doc.get('metadata') or {}).get('name')} (k8s {v})"
            try:
                kubernetes_validate.validate(doc, v, strict=True)
            except kv_utils.SchemaNotFoundError:
                if "." not in str(doc.get("apiVersion", "")).split("/")[0]:
                    problem(f"{what}: no schema for a built-in kind")
            except kv_utils.ValidationError as exc:
                problem(f"{what}: {exc.message} at {'/'.join(str(p) for p in exc.path)}")
            except Exception as exc:  # InvalidSchemaError and friends: report, don't crash
                problem(f"{what}: schema validation error: {exc}")


# ---------------------------------------------------------------------------------------------------


def main() -> int:
    patch_files, resource_files = check_kustomizations()
    check_manifest_files(patch_files, resource_files)
    secrets = secret_template_keys()

    targets = [K8S / "base"] + sorted(p for p in (K8S / "overlays").iterdir() if p.is_dir())
    cmd = kustomize_command()
    if cmd is None:
        print("validate: no kustomize on PATH: structural rendering (patches other than deletes not applied)")
    for target in targets:
        name = rel(target)
        docs = render_with(cmd, target) if cmd else render_structurally(target)
        if docs is None:
            continue
        check_render(name, docs, secrets, exact=cmd is not None, problem=problem,
                     is_overlay=target.parent.name == "overlays")
        check_schemas(name, docs)
        print(f"validate: {name}: {len(docs)} objects rendered" + (" with " + " ".join(cmd) if cmd else ""))

    for p in problems:
        print(f"PROBLEM: {p}", file=sys.stderr)
    print(f"validate: k8s: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
