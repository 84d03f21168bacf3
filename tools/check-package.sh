#!/usr/bin/env bash
# Packs playloop, installs the tarball into an empty folder outside the repository, and runs it from
# there as a user would: --help, validate, compile and graph on the bundled playbooks, then
# `playloop dev` until GET /healthz answers 200, then `playloop worker` and `playloop serve` against
# that dev server until serve's /healthz answers 200. Every process it starts is stopped with
# SIGINT (as Ctrl-C does) and must exit with nothing left behind; its temporary folders are removed.
# Usage: bash tools/check-package.sh  (reaches the npm registry and PyPI, as `npm install` does);
# CHECK_PACKAGE_KEEP=1 keeps the temporary folder and its logs.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/playloop-package.XXXXXX")"
sessions=() # process sessions started here (each process's id is its session's id)

step() { printf 'check-package: %s\n' "$*"; }
fail() {
  printf 'check-package: FAILED: %s\n' "$*" >&2
  exit 1
}
# The last lines of a log, to show why a step failed.
show() { sed -e 's/^/    /' "$1" | tail -n "${2:-40}" >&2; }

# Whether any process of a session is still running (zombies waiting to be reaped do not count).
alive() { ps -s "$1" -o stat= 2>/dev/null | grep -qv '^Z'; }

cleanup() {
  local status=$?
  for sid in "${sessions[@]}"; do
    if alive "$sid"; then
      kill -KILL -- "-$sid" 2>/dev/null || true
      wait "$sid" 2>/dev/null || true
    fi
  done
  if [[ ${CHECK_PACKAGE_KEEP:-} == 1 ]]; then
    printf 'check-package: kept %s\n' "$work" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

case "$work/" in "$repo"/*) fail "the temporary folder $work is inside the repository; set TMPDIR elsewhere" ;; esac

# Starts a command in its own session (so it and every child can be signalled as one) with its
# output in a log; sets $started to its process id.
start() {
  local log=$1
  shift
  setsid "$@" >"$log" 2>&1 </dev/null &
  started=$!
  sessions+=("$started")
}

# Stops a session the way Ctrl-C does and waits until every process in it has exited.
stop() {
  local name=$1 sid=$2 log=$3 deadline=$((SECONDS + 60))
  kill -INT -- "-$sid" 2>/dev/null || true
  while alive "$sid"; do
    if ((SECONDS > deadline)); then
      ps -s "$sid" -o pid=,args= >&2 || true
      show "$log"
      fail "$name did not stop within 60 s of SIGINT"
    fi
    sleep 0.5
  done
  local code=0
  wait "$sid" 2>/dev/null || code=$?
  step "$name stopped (exit $code), no process left"
}

# Polls GET <url> until it answers 200, failing when the process dies or after a deadline.
await_healthy() {
  local name=$1 url=$2 sid=$3 log=$4 seconds=$5 deadline=$((SECONDS + $5))
  until node -e 'fetch(process.argv[1]).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$url"; do
    if ! alive "$sid"; then
      show "$log"
      fail "$name exited before $url answered 200"
    fi
    if ((SECONDS > deadline)); then
      show "$log"
      fail "$name: $url did not answer 200 within $seconds s"
    fi
    sleep 1
  done
}

# Free TCP ports on 127.0.0.1, as many as asked.
free_ports() {
  node -e '
    const { createServer } = require("node:net");
    const servers = Array.from({ length: Number(process.argv[1]) }, () => createServer());
    Promise.all(servers.map((s) => new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve(s.address().port)))))
      .then((ports) => { console.log(ports.join(" ")); servers.forEach((s) => s.close()); });
  ' "$1"
}

# 1. Pack: `prepack` cleans and builds dist/, so a fresh clone packs a complete tarball.
step "packing $repo"
mkdir "$work/pack"
(cd "$repo" && npm pack --pack-destination "$work/pack") >"$work/pack.log" 2>&1 || {
  show "$work/pack.log"
  fail "npm pack failed"
}
tarballs=("$work"/pack/playloop-*.tgz)
[[ ${#tarballs[@]} -eq 1 && -f ${tarballs[0]} ]] || fail "npm pack made no playloop-*.tgz in $work/pack"
tarball=${tarballs[0]}
tar -tzf "$tarball" >"$work/contents.txt"
for entry in dist/engine/cli/main.js dist/engine/index.js dist/engine/index.d.ts dist/workflows/index.js \
  dist/schemas/playbook.schema.json schemas/playbook.schema.json playbooks/seat-upsell.yaml playbooks/policy.yaml \
  tools/install-temporal.mjs README.md package.json; do
  grep -qx "package/$entry" "$work/contents.txt" || fail "the tarball lacks $entry"
done
if grep -E '^package/(test|bench|dist/bench|node_modules|\.playloop)/' "$work/contents.txt" >&2; then
  fail "the tarball holds files only the repository needs (above)"
fi
step "packed $(basename "$tarball"): $(wc -l <"$work/contents.txt") files, $(du -k "$tarball" | cut -f1) KiB"

# 2. Install into an empty project, as a user would.
app="$work/app"
mkdir "$app"
cd "$app"
npm init -y >/dev/null 2>&1 || fail "npm init -y failed in $app"
step "installing the tarball into $app"
npm install --no-audit --no-fund "$tarball" >"$work/install.log" 2>&1 || {
  show "$work/install.log"
  fail "npm install of the tarball failed"
}
grep '^playloop:' "$work/install.log" | sed -e 's/^/    /' || true # what the postinstall said
package="$app/node_modules/playloop"
[[ -x "$app/node_modules/.bin/playloop" ]] || fail "npm install linked no playloop command in node_modules/.bin"
node "$repo/tools/check-runtime-imports.mjs" "$package" || fail "the installed package imports what it does not ship or declare"

# 3. The commands that need no Temporal. `npx --no` never fetches a package named playloop from the registry.
# Runs a command that must succeed; its output goes to $work/<name>.out.
run() {
  local name=$1
  shift
  npx --no -- "$@" >"$work/$name.out" 2>"$work/$name.err" || {
    show "$work/$name.err"
    show "$work/$name.out"
    fail "\`$*\` failed"
  }
}
run help playloop --help
grep -q 'validate' "$work/help.out" || fail "playloop --help does not list validate"
step "playloop --help: ok"
run validate playloop validate "$package/playbooks"
grep -q 'valid' "$work/validate.out" || fail "playloop validate printed no summary"
step "playloop validate: $(head -n 1 "$work/validate.out")"
run compile playloop compile "$package/playbooks/seat-upsell.yaml"
node -e 'const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); if (p.id !== "seat-upsell") process.exit(1)' \
  "$work/compile.out" || fail "playloop compile did not print the seat-upsell plan as JSON"
step "playloop compile: ok"
run graph playloop graph "$package/playbooks/seat-upsell.yaml"
grep -q '^flowchart' "$work/graph.out" || fail "playloop graph printed no Mermaid flowchart"
step "playloop graph: ok"

# 4. `playloop dev`: the embedded Temporal dev server, a worker on the bundled playbooks, the API.
read -r temporal_port ui_port api_port serve_port < <(free_ports 4)
step "starting playloop dev (Temporal on $temporal_port, UI on $ui_port, API on $api_port)"
start "$work/dev.log" env TEMPORAL_ADDRESS="127.0.0.1:$temporal_port" PLAYLOOP_UI_PORT="$ui_port" \
  PLAYLOOP_API_PORT="$api_port" PLAYLOOP_DATA_DIR="$work/data" npx --no -- playloop dev
dev=$started
await_healthy "playloop dev" "http://127.0.0.1:$api_port/healthz" "$dev" "$work/dev.log" 90
step "playloop dev: GET /healthz 200"

# 5. `playloop worker` and `playloop serve` against that dev server, on a task queue of their own:
# serve's /healthz answers 200 only once the worker polls that queue.
token=$(node -e 'console.log(require("node:crypto").randomBytes(24).toString("base64url"))')
common=(TEMPORAL_ADDRESS="127.0.0.1:$temporal_port" PLAYLOOP_TASK_QUEUE=check-package PLAYLOOP_DATA_DIR="$work/worker-data")
start "$work/worker.log" env "${common[@]}" npx --no -- playloop worker
worker=$started
start "$work/serve.log" env "${common[@]}" PLAYLOOP_API_PORT="$serve_port" PLAYLOOP_API_TOKEN="$token" npx --no -- playloop serve
serve=$started
await_healthy "playloop worker + serve" "http://127.0.0.1:$serve_port/healthz" "$serve" "$work/serve.log" 90
alive "$worker" || {
  show "$work/worker.log"
  fail "playloop worker exited"
}
step "playloop worker + serve: GET /healthz 200"

stop "playloop serve" "$serve" "$work/serve.log"
stop "playloop worker" "$worker" "$work/worker.log"
stop "playloop dev" "$dev" "$work/dev.log"
step "passed"
