"""Cross-reference rules for one rendered kustomize target (see validate_k8s.py)."""

from __future__ import annotations

import re
from typing import Callable
from urllib.parse import urlparse

# The runtime contract (shared/specs/api-contract.md, "Runtime") and the binaries' own settings: every
# one must be set on the container, from the ConfigMap, the Secret or a literal.
API_ENV = {
    "DATABASE_URL", "REDIS_URL", "BIND_ADDR", "PUBLIC_BASE_URL", "JWT_SECRET", "SECRET_KEY", "APP_ENV",
    "SHIPSTATION_ALLOWED_HOSTS", "TRACKING_POLL_INTERVAL_SECS", "RUST_LOG",
    "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME", "REDIS_NAMESPACE", "TRUST_PROXY_HEADERS",
}
WORKER_ENV = {
    "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "TRACKING_POLL_INTERVAL_SECS", "METRICS_ADDR",
    "RUST_LOG", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME", "REDIS_NAMESPACE",
}
# The worker's queues and the gauges it exports about them (worker/src/queue_metrics.rs). apalis-redis 1.0
# keeps the backlog in the sorted set `<queue>:scheduled`, not in the list `<queue>:active`, so a KEDA
# `redis` list trigger never sees it: the ScaledObject must scale on these Prometheus gauges.
WORKER_QUEUES = {"order-push", "tracking-pull"}
QUEUE_GAUGES = {"quayside_queue_ready", "quayside_queue_depth"}
# Settings that hold credentials must come from a Secret, never a literal or a ConfigMap.
SECRET_ENV = {"DATABASE_URL", "REDIS_URL", "JWT_SECRET", "SECRET_KEY"}
WORKER_SHUTDOWN_SECS = 30
POD_KINDS = {"Deployment", "Job"}
CLUSTER_SCOPED = {"Namespace"}


def pod_spec(doc: dict) -> dict:
    return ((doc.get("spec") or {}).get("template") or {}).get("spec") or {}


def pod_labels(doc: dict) -> dict:
    return (((doc.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}


def selects(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def env_map(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container.get("env") or [] if "name" in e}


def addr_port(value: str) -> int | None:
    try:
        return int(value.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return None


def check_render(name: str, docs: list[dict], secrets: dict[str, set[str]], *, exact: bool,
                 problem: Callable[[str], None], is_overlay: bool) -> None:
    def p(msg: str) -> None:
        problem(f"{name}: {msg}")

    by_kind: dict[str, list[dict]] = {}
    for d in docs:
        by_kind.setdefault(d.get("kind", "?"), []).append(d)

    def named(kind: str) -> dict[str, dict]:
        return {d["metadata"]["name"]: d for d in by_kind.get(kind, [])}

    configmaps = {n: d.get("data") or {} for n, d in named("ConfigMap").items()}
    if by_kind.get("Secret"):
        p("renders a Secret: secrets are created out of band from base/secret.template.yaml")
    pods = [d for d in docs if d.get("kind") in POD_KINDS]

    # --- references from pods
    for d in pods:
        ident = f"{d['kind']}/{d['metadata']['name']}"
        spec = pod_spec(d)
        sa = spec.get("serviceAccountName")
        if sa and sa not in named("ServiceAccount"):
            p(f"{ident}: serviceAccountName {sa} does not exist")
        sec = spec.get("securityContext") or {}
        if sec.get("runAsNonRoot") is not True:
            p(f"{ident}: pod securityContext.runAsNonRoot must be true")
        for c in spec.get("containers") or []:
            cid = f"{ident} container {c.get('name')}"
            check_container(cid, c, configmaps, secrets, p)

    # --- contract per workload
    deployments = named("Deployment")
    check_workload_env(deployments.get("quayside-api"), "api", API_ENV, "http", "BIND_ADDR", p)
    check_workload_env(deployments.get("quayside-worker"), "worker", WORKER_ENV, "metrics", "METRICS_ADDR", p)
    worker = deployments.get("quayside-worker")
    if worker and (pod_spec(worker).get("terminationGracePeriodSeconds") or 30) <= WORKER_SHUTDOWN_SECS:
        p(f"quayside-worker: terminationGracePeriodSeconds must exceed its {WORKER_SHUTDOWN_SECS} s shutdown")
    jobs = named("Job")
    mig = jobs.get("quayside-migrate")
    if mig is None:
        p("no Job quayside-migrate")
    else:
        c = (pod_spec(mig).get("containers") or [{}])[0]
        if c.get("args") != ["migrate"] or "DATABASE_URL" not in env_map(c):
            p("Job quayside-migrate must run `api migrate` (args: [migrate]) with DATABASE_URL")

    for dname, d in deployments.items():
        sel = ((d.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        if not selects(sel, pod_labels(d)):
            p(f"Deployment/{dname}: selector {sel} does not match its pod template labels")

    # --- Services, PDBs
    pod_templates = [(d, pod_labels(d)) for d in pods]
    for sname, s in named("Service").items():
        sel = (s.get("spec") or {}).get("selector") or {}
        matches = [d for d, labels in pod_templates if d["kind"] == "Deployment" and selects(sel, labels)]
        if not matches:
            p(f"Service/{sname}: selector {sel} matches no Deployment's pods")
            continue
        for port in (s.get("spec") or {}).get("ports") or []:
            tp = port.get("targetPort", port.get("port"))
            for d in matches:
                cports = [cp for c in pod_spec(d).get("containers") or [] for cp in c.get("ports") or []]
                if not any(cp.get("name") == tp or cp.get("containerPort") == tp for cp in cports):
                    p(f"Service/{sname}: targetPort {tp} is not a port of {d['metadata']['name']}")
    for pname, pdb in named("PodDisruptionBudget").items():
        sel = ((pdb.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        if not any(d["kind"] == "Deployment" and selects(sel, labels) for d, labels in pod_templates):
            p(f"PodDisruptionBudget/{pname}: selector {sel} matches no Deployment's pods")

    check_ingress(named("Ingress"), named("Service"), configmaps if exact else {}, p)
    check_autoscaling(by_kind, deployments, secrets, exact, p)

    # --- overlays: namespace everywhere; production: production settings and pinned images
    if is_overlay:
        for d in docs:
            if d.get("kind") not in CLUSTER_SCOPED and not d["metadata"].get("namespace"):
                p(f"{d.get('kind')}/{d['metadata']['name']}: no namespace")
    if name.split("/")[-1].startswith("production"):
        for cm in configmaps.values():
            if cm.get("APP_ENV") not in (None, "production"):
                p(f"APP_ENV is {cm.get('APP_ENV')!r}, not production")
            if "localhost" in cm.get("SHIPSTATION_ALLOWED_HOSTS", "") or "127.0.0.1" in cm.get("SHIPSTATION_ALLOWED_HOSTS", ""):
                p("SHIPSTATION_ALLOWED_HOSTS allows local hosts in production")
        for d in pods:
            for c in pod_spec(d).get("containers") or []:
                image = c.get("image", "")
                tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else ""
                if "@sha256:" not in image and tag in ("", "latest", "dev"):
                    p(f"{d['kind']}/{d['metadata']['name']}: image {image!r} is not pinned")


def check_container(cid: str, c: dict, configmaps: dict, secrets: dict, p: Callable[[str], None]) -> None:
    for e in c.get("env") or []:
        src = e.get("valueFrom") or {}
        if "configMapKeyRef" in src:
            ref = src["configMapKeyRef"]
            if ref.get("name") not in configmaps:
                p(f"{cid}: env {e['name']}: ConfigMap {ref.get('name')} does not exist")
            elif ref.get("key") not in configmaps[ref["name"]] and not ref.get("optional"):
                p(f"{cid}: env {e['name']}: key {ref.get('key')} missing from ConfigMap {ref['name']}")
        if "secretKeyRef" in src:
            ref = src["secretKeyRef"]
            if ref.get("name") not in secrets:
                p(f"{cid}: env {e['name']}: Secret {ref.get('name')} is not in base/secret.template.yaml")
            elif ref.get("key") not in secrets[ref["name"]] and not ref.get("optional"):
                p(f"{cid}: env {e['name']}: key {ref.get('key')} missing from the Secret template")
        elif e.get("name") in SECRET_ENV:
            p(f"{cid}: env {e['name']} must come from a Secret")
    for ef in c.get("envFrom") or []:
        if "configMapRef" in ef and ef["configMapRef"].get("name") not in configmaps:
            p(f"{cid}: envFrom ConfigMap {ef['configMapRef'].get('name')} does not exist")
        if "secretRef" in ef and ef["secretRef"].get("name") not in secrets:
            p(f"{cid}: envFrom Secret {ef['secretRef'].get('name')} is not in the template")
    sc = c.get("securityContext") or {}
    if sc.get("readOnlyRootFilesystem") is not True or sc.get("allowPrivilegeEscalation") is not False:
        p(f"{cid}: needs readOnlyRootFilesystem: true and allowPrivilegeEscalation: false")
    res = c.get("resources") or {}
    if not (res.get("requests") or {}).get("cpu") or not (res.get("limits") or {}).get("memory"):
        p(f"{cid}: needs resources.requests.cpu and resources.limits.memory")
    names = {cp.get("name") for cp in c.get("ports") or []} | {cp.get("containerPort") for cp in c.get("ports") or []}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        port = ((c.get(probe) or {}).get("httpGet") or {}).get("port")
        if port is not None and port not in names:
            p(f"{cid}: {probe} uses port {port}, which the container does not declare")


def check_workload_env(d: dict | None, what: str, required: set[str], port_name: str, addr_var: str,
                       p: Callable[[str], None]) -> None:
    if d is None:
        p(f"no Deployment quayside-{what}")
        return
    containers = pod_spec(d).get("containers") or []
    c = next((c for c in containers if c.get("name") == what), None)
    if c is None:
        p(f"Deployment quayside-{what}: no container named {what}")
        return
    env = env_map(c)
    for var in sorted(required - set(env)):
        p(f"Deployment quayside-{what}: {var} is not set (runtime contract)")
    port = next((cp.get("containerPort") for cp in c.get("ports") or [] if cp.get("name") == port_name), None)
    value = (env.get(addr_var) or {}).get("value", "")
    if port is None or addr_port(value) != port or not value.startswith("0.0.0.0:"):
        p(f"Deployment quayside-{what}: {addr_var}={value!r} must be 0.0.0.0:<port {port_name}>")


def check_ingress(ingresses: dict, services: dict, configmaps: dict, p: Callable[[str], None]) -> None:
    hosts: set[str] = set()
    for iname, ing in ingresses.items():
        spec = ing.get("spec") or {}
        tls_hosts = {h for t in spec.get("tls") or [] for h in t.get("hosts") or []}
        if "cert-manager.io/cluster-issuer" not in (ing["metadata"].get("annotations") or {}):
            p(f"Ingress/{iname}: no cert-manager.io/cluster-issuer annotation")
        for rule in spec.get("rules") or []:
            host = rule.get("host")
            hosts.add(host)
            if host not in tls_hosts:
                p(f"Ingress/{iname}: host {host} has no TLS (the Web Connector needs https)")
            for path in (rule.get("http") or {}).get("paths") or []:
                svc = ((path.get("backend") or {}).get("service")) or {}
                target = services.get(svc.get("name"))
                if target is None:
                    p(f"Ingress/{iname}: backend Service {svc.get('name')} does not exist")
                    continue
                want = svc.get("port") or {}
                ports = (target.get("spec") or {}).get("ports") or []
                if not any(sp.get("name") == want.get("name") or sp.get("port") == want.get("number") for sp in ports):
                    p(f"Ingress/{iname}: Service {svc.get('name')} has no port {want}")
    for cm in configmaps.values():
        base_url = cm.get("PUBLIC_BASE_URL")
        if base_url and hosts:
            url = urlparse(base_url)
            if url.scheme != "https" or url.hostname not in hosts:
                p(f"PUBLIC_BASE_URL {base_url} must be https://<an Ingress host> ({sorted(hosts)})")


def check_trigger(kind: str, d: dict, trig: dict, auths: dict, p: Callable[[str], None]) -> None:
    """One KEDA trigger: no Redis list triggers (blind to apalis' backlog); Prometheus triggers query
    a queue gauge of a known queue, in the ScaledObject's own namespace, aggregated with max."""
    name = f"{kind}/{d['metadata']['name']}"
    meta = trig.get("metadata") or {}
    if trig.get("type") == "redis":
        p(f"{name}: redis list trigger on {meta.get('listName')!r}: apalis-redis keeps the backlog in "
          "<queue>:scheduled, so the list is always ~empty; scale on quayside_queue_ready (prometheus)")
    if trig.get("type") == "prometheus":
        query = str(meta.get("query", ""))
        gauge = re.search(r"(quayside_queue_\w+)\{([^}]*)\}", query)
        labels = dict(re.findall(r'(\w+)\s*=\s*"([^"]*)"', gauge.group(2))) if gauge else {}
        if not gauge or gauge.group(1) not in QUEUE_GAUGES:
            p(f"{name}: prometheus query {query!r} does not read one of {sorted(QUEUE_GAUGES)}")
        elif labels.get("queue") not in WORKER_QUEUES:
            p(f"{name}: prometheus query {query!r}: queue must be one of {sorted(WORKER_QUEUES)}")
        if gauge and not query.replace(" ", "").startswith("max("):
            p(f"{name}: prometheus query {query!r}: every replica reports the same gauge; aggregate with max()")
        ns = d["metadata"].get("namespace")
        if ns and labels.get("namespace") != ns:
            p(f"{name}: prometheus query {query!r} reads namespace {labels.get('namespace')!r}, "
              f"but the ScaledObject is in {ns!r}")
        if not str(meta.get("serverAddress", "")).startswith(("http://", "https://")):
            p(f"{name}: prometheus trigger needs an http(s) serverAddress")
        try:
            float(str(meta.get("threshold", "")))
        except ValueError:
            p(f"{name}: prometheus trigger needs a numeric threshold")
    auth = (trig.get("authenticationRef") or {}).get("name")
    if auth and auth not in auths:
        p(f"{name}: TriggerAuthentication {auth} does not exist")


def check_autoscaling(by_kind: dict, deployments: dict, secrets: dict, exact: bool,
                      p: Callable[[str], None]) -> None:
    owners: dict[str, list[str]] = {}
    auths = {d["metadata"]["name"]: d for d in by_kind.get("TriggerAuthentication", [])}
    for kind in ("HorizontalPodAutoscaler", "ScaledObject"):
        for d in by_kind.get(kind, []):
            ref = (d.get("spec") or {}).get("scaleTargetRef") or {}
            if ref.get("kind", "Deployment") != "Deployment" or ref.get("name") not in deployments:
                p(f"{kind}/{d['metadata']['name']}: scaleTargetRef {ref} is not a Deployment here")
                continue
            owners.setdefault(ref["name"], []).append(f"{kind}/{d['metadata']['name']}")
            for trig in (d.get("spec") or {}).get("triggers") or []:
                check_trigger(kind, d, trig, auths, p)
    for target, who in owners.items():
        if len(who) > 1:
            p(f"Deployment/{target} has {len(who)} autoscalers ({', '.join(who)}): apply exactly one")
        if exact and "replicas" in (deployments[target].get("spec") or {}):
            p(f"Deployment/{target} is autoscaled but sets spec.replicas (apply would fight the autoscaler)")
    for aname, a in auths.items():
        for ref in (a.get("spec") or {}).get("secretTargetRef") or []:
            if ref.get("key") not in secrets.get(ref.get("name"), set()):
                p(f"TriggerAuthentication/{aname}: {ref.get('name')}/{ref.get('key')} not in the Secret template")
