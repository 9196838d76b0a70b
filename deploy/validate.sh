#!/usr/bin/env bash
# Validates Quayside's deployment artefacts without a cluster or a Docker engine:
#   - deploy/k8s: every kustomize target rendered (kustomize or kubectl kustomize when present, a
#     structural renderer otherwise), cross-references checked, built-in kinds schema-validated
#     (kubernetes-validate: bundled schemas, no network; CRDs skipped) -> deploy/validate_k8s.py
#   - deploy/Dockerfile, .dockerignore, docker-compose.yml (Compose-spec schema via check-jsonschema)
#     -> deploy/validate_build.py
# Installs its Python tools from PyPI when missing. Exit status non-zero on any problem.
#
#   bash deploy/validate.sh            # from anywhere
#   VALIDATE_NO_KUSTOMIZE=1 bash deploy/validate.sh   # force the structural renderer
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."

PYTHON="${PYTHON:-python3}"
# Pinned so that CI is reproducible; bump on purpose.
PY_TOOLS=("pyyaml>=6,<7" "kubernetes-validate==1.37.0" "check-jsonschema==0.39.0")

need_install=()
"$PYTHON" -c 'import yaml' 2>/dev/null || need_install+=("${PY_TOOLS[0]}")
"$PYTHON" -c 'import kubernetes_validate' 2>/dev/null || need_install+=("${PY_TOOLS[1]}")
"$PYTHON" -c 'import check_jsonschema' 2>/dev/null || need_install+=("${PY_TOOLS[2]}")
if ((${#need_install[@]})); then
    echo "validate: installing ${need_install[*]}"
    "$PYTHON" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
        "${need_install[@]}" 2>/dev/null ||
        "$PYTHON" -m pip install --quiet --disable-pip-version-check "${need_install[@]}"
fi

status=0
"$PYTHON" "$here/validate_k8s.py" || status=1
"$PYTHON" "$here/validate_build.py" || status=1

if ((status)); then
    echo "validate: FAILED" >&2
else
    echo "validate: OK"
fi
exit "$status"
