#!/usr/bin/env bash
# Builds the Erlang code and runs every EUnit suite in erlang/test/. Prints EUnit's summary
# and exits non-zero if a test fails. The suites start peer nodes on 127.0.0.1 with a
# throwaway cookie and HOME.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build-erlang.sh"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
erlc +debug_info -Werror -I "$root/erlang/test" -pa "$root/erlang/ebin" -o "$tmp" "$root"/erlang/test/*.erl

export HOME="$tmp"
cookie="swarmscope-test-$$-$RANDOM$RANDOM"
erl -noshell -noinput -name "eunit-$$@127.0.0.1" -setcookie "$cookie" \
	-pa "$root/erlang/ebin" -pa "$tmp" \
	-eval '
		ok = logger:set_primary_config(level, error),
		[Dir] = init:get_plain_arguments(),
		Mods = [list_to_atom(filename:basename(F, ".beam"))
			|| F <- lists:sort(filelib:wildcard(filename:join(Dir, "*_tests.beam")))],
		case eunit:test(Mods, []) of
			ok -> erlang:halt(0);
			_ -> erlang:halt(1)
		end.' \
	-extra "$tmp"
