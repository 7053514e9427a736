-module(swarmscope_stdin_fuzz_tests).
-include("swarmscope_eunit.hrl").

%% The bridge as the server runs it (issue 11): its own `erl -run swarmscope_bridge main`, frames
%% written to its real stdin ({packet, 4}), its frames read from its stdout. 10,000 seeded random
%% frames (swarmscope_fuzz:frame/1: any JSON, wrong fields, cut off, not JSON at all), then a ping:
%% the same OS process answers, and its atom count, asked over distribution, has not moved.

-define(CASES, 10000).

stdin_test_() ->
	{timeout, 300, ?_test(fuzz_stdin())}.

fuzz_stdin() ->
	ok = swarmscope_test_util:ensure_distributed(),
	Seed = swarmscope_fuzz:seed(),
	Name = "fuzzbridge-" ++ swarmscope_test_util:unique(),
	Node = list_to_atom(Name ++ "@127.0.0.1"),
	Port = start_bridge(Name),
	try
		#{<<"t">> := <<"hello">>} = next_frame(Port, 30000),
		Names = [atom_to_binary(Node), atom_to_binary(node()), <<"n1-x@127.0.0.1">>, <<"*">>, <<>>],
		%% Warm-up (every path once), then measure.
		[port_command(Port, swarmscope_fuzz:frame(Names)) || _ <- lists:seq(1, 200)],
		ping(Port, <<"warm">>),
		pong = net_adm:ping(Node),
		Atoms = erpc:call(Node, erlang, system_info, [atom_count]),
		OsPid = erpc:call(Node, os, getpid, []),
		T = erlang:monotonic_time(millisecond),
		[port_command(Port, swarmscope_fuzz:frame(Names)) || _ <- lists:seq(1, ?CASES)],
		ping(Port, <<"alive">>),
		io:format(user, "~n[measure] fuzz seed ~b: ~b random frames to a real bridge's stdin in ~b ms; atoms created ~b~n",
			[Seed, ?CASES, erlang:monotonic_time(millisecond) - T, erpc:call(Node, erlang, system_info, [atom_count]) - Atoms]),
		?assertEqual({OsPid, Atoms}, {erpc:call(Node, os, getpid, []), erpc:call(Node, erlang, system_info, [atom_count])})
	after
		catch port_close(Port)
	end.

start_bridge(Name) ->
	Ebin = filename:dirname(code:which(swarmscope_bridge)),
	open_port({spawn_executable, os:find_executable("erl")}, [
		{args, ["-noshell", "-noinput", "-hidden", "-name", Name ++ "@127.0.0.1", "-setcookie", atom_to_list(erlang:get_cookie()),
			"-pa", Ebin, "-run", "swarmscope_bridge", "main"]},
		{packet, 4}, binary, exit_status, use_stdio]).

%% Until the bridge answers this ping (every frame before it has been read).
ping(Port, Ref) ->
	port_command(Port, <<"{\"t\":\"ping\",\"ref\":\"", Ref/binary, "\"}">>),
	wait_reply(Port, Ref).

wait_reply(Port, Ref) ->
	case next_frame(Port, 120000) of
		#{<<"t">> := <<"reply">>, <<"ref">> := Ref, <<"ok">> := true, <<"result">> := <<"pong">>} -> ok;
		_ -> wait_reply(Port, Ref)
	end.

next_frame(Port, Timeout) ->
	receive
		{Port, {data, Json}} ->
			{ok, Frame} = swarmscope_json:decode(Json),
			Frame;
		{Port, {exit_status, Status}} ->
			error({bridge_exited, Status})
	after Timeout ->
		error(no_frame)
	end.
