#!/usr/bin/env bash
# Compiles erlang/src/*.erl into erlang/ebin (debug_info, warnings as errors); a module is
# recompiled only when its source is newer than its beam.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/erlang/src"
ebin="$root/erlang/ebin"
mkdir -p "$ebin"

# A beam whose source is gone (a module renamed or removed) must not be loaded by a replica.
for beam in "$ebin"/*.beam; do
	[[ -e "$beam" ]] || continue
	[[ -e "$src/$(basename "${beam%.beam}").erl" ]] || rm -f "$beam"
done

stale=()
for source in "$src"/*.erl; do
	beam="$ebin/$(basename "${source%.erl}").beam"
	if [[ ! -e "$beam" || "$source" -nt "$beam" ]]; then
		stale+=("$source")
	fi
done

if ((${#stale[@]})); then
	echo "erlc: ${#stale[@]} module(s)" >&2
	erlc +debug_info -Werror -o "$ebin" "${stale[@]}"
fi
