#!/usr/bin/env bash
# Self-test of deploy/validate.sh: in a scratch copy of the repository, break one reference at a time
# and require validate.sh to fail; the untouched copy must pass. Run after changing the validators.
#   bash deploy/validate_selftest.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for p in deploy docker-compose.yml .dockerignore Cargo.toml Cargo.lock shared api worker tests migrations; do
    [ -e "$root/$p" ] && cp -r "$root/$p" "$scratch/"
done
cd "$scratch"

fails=0
# mutate FILE OLD NEW LABEL [ENV...]: replace OLD by NEW once, expect validate.sh to fail, restore.
mutate() {
    local file="$1" old="$2" new="$3" label="$4"
    shift 4
    cp "$file" "$file.orig"
    python3 - "$file" "$old" "$new" <<'PY'
import sys
path, old, new = sys.argv[1:]
text = open(path).read()
if old not in text:
    sys.exit(f"selftest: {old!r} not found in {path}")
open(path, "w").write(text.replace(old, new, 1))
PY
    # Caught means: validate.sh fails AND says why (a crash of the validator is not a catch).
    if out="$(env "$@" bash deploy/validate.sh 2>&1)" || ! grep -q '^PROBLEM: ' <<<"$out"; then
        echo "selftest: NOT caught: $label"
        fails=$((fails + 1))
    else
        echo "selftest: caught: $label ($(grep -m1 '^PROBLEM: ' <<<"$out" | cut -c10-120))"
    fi
    mv "$file.orig" "$file"
}

bash deploy/validate.sh >/dev/null 2>&1 || { echo "selftest: the untouched copy fails validation"; exit 1; }

mutate deploy/k8s/base/api-deployment.yaml "key: JWT_SECRET }" "key: JWT_SECRETS }" "Secret key not in the template"
mutate deploy/k8s/base/worker-deployment.yaml "key: TRACKING_POLL_INTERVAL_SECS }" "key: TRACKING_POLL_INTERVAL }" "ConfigMap key missing"
mutate deploy/k8s/base/worker-deployment.yaml "key: TRACKING_POLL_INTERVAL_SECS }" "key: TRACKING_POLL_INTERVAL }" "ConfigMap key missing (no kustomize)" VALIDATE_NO_KUSTOMIZE=1
mutate deploy/k8s/base/api-service.yaml "component: api
  ports" "component: apii
  ports" "Service selects no pods"
mutate deploy/k8s/base/kustomization.yaml "  - pdb.yaml" "  - pdbs.yaml" "kustomization resource missing"
mutate deploy/k8s/overlays/production/kustomization.yaml "  - ../../components/autoscaling-keda" "  - ../../components/autoscaling-keda
  - ../../components/autoscaling-hpa" "two autoscalers on the worker"
mutate deploy/k8s/base/api-deployment.yaml "readinessProbe:" "readinesProbe:" "unknown field (schema)"
mutate deploy/k8s/base/api-deployment.yaml "value: \"0.0.0.0:8080\"" "value: \"0.0.0.0:8081\"" "BIND_ADDR vs containerPort"
mutate deploy/k8s/overlays/production/kustomization.yaml "APP_ENV=production" "APP_ENV=development" "production APP_ENV"
mutate deploy/k8s/overlays/production/patches/ingress-host.yaml "value: app.quayside.example.com" "value: www.quayside.example.com" "Ingress host vs PUBLIC_BASE_URL"
keda=deploy/k8s/components/autoscaling-keda/scaledobject.yaml
mutate "$keda" 'namespace="quayside",queue="order-push"' 'namespace="qs",queue="order-push"' "KEDA query namespace vs the overlay's"
mutate "$keda" 'max(quayside_queue_ready{namespace="quayside",queue="tracking-pull"})' 'sum(quayside_queue_ready{namespace="quayside",queue="tracking-pull"})' "KEDA query sums a per-replica gauge"
mutate "$keda" 'queue="order-push"' 'queue="orders"' "KEDA query on an unknown queue"
mutate "$keda" "- type: prometheus" "- type: redis" "KEDA redis list trigger (blind to apalis' backlog)"
mutate docker-compose.yml "target: worker" "target: workers" "compose build target"
mutate docker-compose.yml "condition: service_completed_successfully" "condition: service_done" "compose depends_on condition"
mutate deploy/Dockerfile "--bin fake-shipstation\"" "--bin fake-ship\"" "Dockerfile --bin"
mutate .dockerignore "!worker/" "" ".dockerignore drops a member"

echo "selftest: $fails not caught"
exit $((fails > 0))
