#!/usr/bin/env bash
# Deploys the fibonacci example onto the Skiff cluster of `skiff up`, in one command:
# builds its five images offline (cached after the first run), loads them into
# the node's containerd, creates the Postgres password Secret the tutorials
# create by hand, applies examples/fibonacci/k8s and waits for every tier.
# Usage: examples/fibonacci/deploy.sh [--data-dir DIR]   (DIR as given to skiff up/server)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
data_args=("$@")

command -v debootstrap >/dev/null || { echo "deploy.sh: debootstrap is needed to build the Redis and Postgres images: apt-get install -y debootstrap" >&2; exit 1; }
[ -f "$repo/dist/scripts/build-example-images.js" ] || { echo "deploy.sh: run 'npm ci' in $repo first" >&2; exit 1; }

echo "== building images (cached under ${SKIFF_IMAGE_CACHE:-~/.cache/skiff})"
archives=$(node "$repo/dist/scripts/build-example-images.js" | awk '{print $2}')
echo "== importing images"
"$repo/bin/skiff" image import $archives "${data_args[@]}"

if ! kubectl get secret pgpassword >/dev/null 2>&1; then
  kubectl create secret generic pgpassword --from-literal PGPASSWORD="${PGPASSWORD:-12345asdf}"
fi
kubectl apply -f "$here/k8s"
kubectl rollout status --timeout=180s deployment/postgres-deployment deployment/redis-deployment \
  deployment/server-deployment deployment/worker-deployment deployment/client-deployment
echo
echo "The app is up: open http://localhost/ (the Ingress on this node's port 80)."
