#!/usr/bin/env bash
# One entry for `npm start`, `npm test` and `npm run dev`: installs what is missing on a fresh
# Debian machine (npm packages; Erlang/OTP and, for tests, Chromium from Debian when run as root),
# builds, then starts the dashboard or runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
mode="${1:-start}"

say() { printf '\033[1;36m[swarmscope]\033[0m %s\n' "$*" >&2; }

apt_install() { # apt_install <command to look for> <debian packages...>
  local cmd="$1"; shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" != 0 ]; then
    say "'$cmd' is missing. Install it with: sudo apt-get install -y $*"; exit 1
  fi
  say "installing $* from Debian (needed for '$cmd')..."
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/tmp/swarmscope-apt.log 2>&1; then
    apt-get update -q >>/tmp/swarmscope-apt.log 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>/tmp/swarmscope-apt.log 2>&1 \
      || { say "apt-get install $* failed; see /tmp/swarmscope-apt.log"; exit 1; }
  fi
}

deps() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm packages..."
    npm ci --no-audit --no-fund --loglevel=error
  fi
  apt_install erl erlang-base erlang-nox
  bash scripts/build-erlang.sh
}

build_web() {
  # Rebuild when any source the web build reads is newer than the last build.
  if [ ! -f .next/BUILD_ID ] || [ -n "$(find app components lib next.config.ts postcss.config.mjs package-lock.json -newer .next/BUILD_ID -print -quit 2>/dev/null)" ]; then
    say "building the dashboard (next build)..."
    npx next build >/tmp/swarmscope-build.log 2>&1 || { tail -40 /tmp/swarmscope-build.log; say "next build failed"; exit 1; }
  fi
}

case "$mode" in
  start)
    deps; build_web
    exec env NODE_ENV=production node --import tsx server/index.ts ;;
  dev)
    deps
    exec env NODE_ENV=development npx tsx watch --clear-screen=false server/index.ts ;;
  test)
    deps
    apt_install chromium chromium
    apt_install jq jq # the README examples the tests run use curl and jq
    build_web
    say "unit tests"; npx vitest run --project unit
    say "Erlang EUnit tests"; bash scripts/test-erlang.sh
    say "integration tests on real erl nodes"; npx vitest run --project integration
    say "Swarm tests"; npx vitest run --project swarm
    say "two-host Swarm tests (an extra host: scripts/swarm-hosts.sh up 1)"; npx vitest run --project hosts
    say "browser tests (Chromium)"; npx playwright test
    say "all tests passed" ;;
  *) say "usage: bootstrap.sh start|dev|test"; exit 2 ;;
esac
