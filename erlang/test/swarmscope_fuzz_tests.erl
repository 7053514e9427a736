-module(swarmscope_fuzz_tests).
-include("swarmscope_eunit.hrl").

%% Robustness (issue 11): `msg` and the bridge survive any term from any node and any frame,
%% and create no atom from outside input. Property-style: thousands of seeded random inputs
%% per run (swarmscope_fuzz), then the properties: same process alive and answering, no
%% handler crash, atom count unchanged.

-define(CASES, 10000).
-define(FLOOD, 100000).

-define(MSG_SHAPES, [{ss_msg, 7}, {ss_bulk, 6}, {ss_ack, 6}, {ss_ack_msg, 7}, {ss_send, 4}, {ss_subscribe, 2},
	{ss_commit, 3}, {ss_peers, 2}, {ss_tick, 2}, {ss_traffic, 5}, {ss_traffic_stop, 2}, {ss_traffic_done, 3},
	{send, 3}, {get, 2}, {'$gen_call', 3}, {'$gen_cast', 2}, {'DOWN', 5}, {nodeup, 2}, {nodedown, 2},
	{timeout, 3}]).
-define(BRIDGE_SHAPES, [{ss_report, 3}, {ss_stats, 3}, {ss_links, 3}, {ss_hello, 3}, {discovered, 3},
	{connect_result, 3}, {nodeup, 3}, {nodedown, 3}, {get_result, 3}, {bad_log, 2}, {discover_tick, 2},
	{'$gen_call', 3}, {'$gen_cast', 2}]).

%% A replica on a peer node, fuzzed and flooded from this node; the bridge here subscribed to it.
replica_test_() ->
	{setup,
		fun() ->
			Dep = "f" ++ swarmscope_test_util:unique(),
			{Dep, swarmscope_test_util:start_replica("n1-" ++ Dep)}
		end,
		fun({_, {Peer, _}}) -> swarmscope_test_util:stop_replica(Peer) end,
		fun({Dep, {_, Node}}) ->
			[{timeout, 300, ?_test(fuzz_msg(Node))}, {timeout, 600, ?_test(flood(Dep, Node))}]
		end}.

%% Random terms, and protocol tuples with wrong types in every position, sent to `msg`.
fuzz_msg(Node) ->
	Seed = swarmscope_fuzz:seed(),
	Pool = swarmscope_fuzz:pool([Node, node()]),
	Pid = erpc:call(Node, erlang, whereis, [msg]),
	%% Any atom of the pool the replica lacks is created now, by decoding this message.
	{msg, Node} ! {warm_up, Pool},
	#{ignored := Ignored0} = erpc:call(Node, swarmscope_node, info, []),
	Atoms = remote_atoms(Node),
	Loaded = erpc:call(Node, code, all_loaded, []),
	T = erlang:monotonic_time(millisecond),
	[{msg, Node} ! swarmscope_fuzz:message(Pool, ?MSG_SHAPES) || _ <- lists:seq(1, ?CASES)],
	{msg, Node} ! {ss_traffic_stop, all},
	Info = erpc:call(Node, swarmscope_node, info, [], 120000),
	io:format(user, "~n[measure] fuzz seed ~b: ~b random terms to msg in ~b ms (~b ignored)~n",
		[Seed, ?CASES, erlang:monotonic_time(millisecond) - T, maps:get(ignored, Info) - Ignored0]),
	?assertEqual(Pid, erpc:call(Node, erlang, whereis, [msg])),
	?assertEqual(null, maps:get(lastError, Info)),
	?assertEqual({[], Atoms}, {erpc:call(Node, code, all_loaded, []) -- Loaded, remote_atoms(Node)}),
	Marker = make_ref(),
	{msg, Node} ! {send, Marker, <<"still here">>},
	{msg, Node} ! {get, self()},
	?assertEqual(ok, receive {msgs, [{Marker, <<"still here">>} | _]} -> ok after 5000 -> timeout end),
	drain().

%% 100,000 distinct unknown node names and seed senders, as binaries and strings (atoms sent
%% over distribution are created by the VM's decoding before our code sees them, so this flood
%% has none), to the replica and in frames to the bridge: the atom count stays flat on both.
flood(Dep, Node) ->
	Bridge = start_bridge(),
	swarmscope_bridge:input(Bridge, iolist_to_binary(["{\"t\":\"discover\",\"mode\":\"epmd\",\"host\":\"127.0.0.1\",\"deployment\":\"",
		Dep, "\"}"])),
	wait_frame(Bridge, fun(#{<<"t">> := T}) -> T =:= <<"nodeup">> end, 10000),
	NodeName = atom_to_binary(Node),
	%% Warm-up: every path once (loading code creates atoms), then measure.
	flood(Bridge, Node, ?FLOOD + 1, ?FLOOD + 200),
	Before = settle(Bridge, Node, NodeName, 0),
	Atoms = {remote_atoms(Node), erlang:system_info(atom_count)},
	T = erlang:monotonic_time(millisecond),
	flood(Bridge, Node, 1, ?FLOOD),
	Seeds = settle(Bridge, Node, NodeName, Before),
	io:format(user, "~n[measure] flood of ~b unknown names in ~b ms; atoms created: replica ~b, bridge ~b~n",
		[?FLOOD, erlang:monotonic_time(millisecond) - T, remote_atoms(Node) - element(1, Atoms),
		 erlang:system_info(atom_count) - element(2, Atoms)]),
	?assertEqual(Atoms, {remote_atoms(Node), erlang:system_info(atom_count)}),
	?assertEqual(?FLOOD * 2 div 5, Seeds - Before),
	?assertMatch(#{lastError := null}, erpc:call(Node, swarmscope_node, info, [])),
	still_alive(Bridge),
	gen_server:stop(Bridge).

flood(Bridge, Node, From, To) ->
	lists:foreach(fun(I) -> flood_one(Bridge, Node, I rem 5, integer_to_binary(I)) end, lists:seq(From, To)).

flood_one(_, Node, 0, I) -> {msg, Node} ! {send, <<"stranger-", I/binary, "@10.1.2.3">>, <<"x">>};
flood_one(_, Node, 1, I) -> {msg, Node} ! {send, "stranger-" ++ binary_to_list(I) ++ "@h", <<"x">>};
flood_one(_, Node, 2, I) ->
	{msg, Node} ! {ss_bulk, <<"n-", I/binary, "@h">>, 1, 1, 0, x},
	{msg, Node} ! {ss_send, I, <<"n-", I/binary, "@h">>, x},
	{msg, Node} ! {ss_peers, [<<"n-", I/binary, "@h">>, "n-" ++ binary_to_list(I) ++ "@h"]};
flood_one(Bridge, _, 3, I) ->
	Name = <<"n", I/binary, "-zz@127.0.0.1">>,
	swarmscope_bridge:input(Bridge, <<"{\"t\":\"send\",\"id\":\"m\",\"from\":\"", Name/binary, "\",\"to\":\"", Name/binary,
		"\",\"content\":\"x\"}">>);
flood_one(Bridge, _, 4, I) ->
	Name = <<"n", I/binary, "-zz@127.0.0.1">>,
	[swarmscope_bridge:input(Bridge, F) || F <- [
		<<"{\"t\":\"commit\",\"node\":\"", Name/binary, "\",\"inc\":1,\"upto\":1}">>,
		<<"{\"t\":\"get\",\"ref\":\"g\",\"node\":\"", Name/binary, "\"}">>,
		<<"{\"t\":\"traffic\",\"run\":\"r\",\"node\":\"", Name/binary, "\",\"targets\":[\"", Name/binary, "\"]}">>]].

%% Until the replica has handled everything and the bridge has relayed every seed reception
%% (committing reports like the server): the seed receptions counted in all report frames so
%% far (Seen before this call included).
settle(Bridge, Node, NodeName, Seen) ->
	#{seed := Total} = erpc:call(Node, swarmscope_node, info, [], 120000),
	settle_loop(Bridge, NodeName, Total, Seen).

settle_loop(Bridge, _NodeName, Total, Seen) when Seen >= Total ->
	still_alive(Bridge),
	Seen;
settle_loop(Bridge, NodeName, Total, Seen) ->
	receive
		{swarmscope_bridge, Bridge, Json} ->
			case swarmscope_json:decode(Json) of
				{ok, #{<<"t">> := <<"report">>, <<"node">> := NodeName, <<"inc">> := Inc, <<"rseq">> := Rseq, <<"seed">> := S}} ->
					swarmscope_bridge:input(Bridge, iolist_to_binary(["{\"t\":\"commit\",\"node\":\"", NodeName, "\",\"inc\":",
						integer_to_binary(Inc), ",\"upto\":", integer_to_binary(Rseq), "}"])),
					settle_loop(Bridge, NodeName, Total, Seen + S);
				_ ->
					settle_loop(Bridge, NodeName, Total, Seen)
			end
	after 30000 ->
		error({flood_not_relayed, Total, Seen})
	end.

%% The bridge alone: random terms as from a node, then random frames as from the server.
bridge_test_() ->
	{timeout, 300, ?_test(begin
		Seed = swarmscope_fuzz:seed(),
		Bridge = start_bridge(),
		Pool = swarmscope_fuzz:pool([node(), 'n1-x@127.0.0.1']),
		Names = [<<"n1-x@127.0.0.1">>, <<"n2-zz@127.0.0.1">>, atom_to_binary(node()), <<"*">>, <<>>],
		%% Warm-up, then measure.
		[Bridge ! bridge_message(Pool) || _ <- lists:seq(1, 200)],
		[swarmscope_bridge:input(Bridge, swarmscope_fuzz:frame(Names)) || _ <- lists:seq(1, 200)],
		still_alive(Bridge),
		Atoms = erlang:system_info(atom_count),
		T = erlang:monotonic_time(millisecond),
		[Bridge ! bridge_message(Pool) || _ <- lists:seq(1, ?CASES)],
		[swarmscope_bridge:input(Bridge, swarmscope_fuzz:frame(Names)) || _ <- lists:seq(1, ?CASES)],
		still_alive(Bridge),
		io:format(user, "~n[measure] fuzz seed ~b: ~b random terms and ~b random frames to the bridge in ~b ms~n",
			[Seed, ?CASES, ?CASES, erlang:monotonic_time(millisecond) - T]),
		?assertEqual(Atoms, erlang:system_info(atom_count)),
		gen_server:stop(Bridge)
	end)}.

%% A random message, or a report whose every field may be wrong.
bridge_message(Pool) ->
	case rand:uniform(3) of
		1 ->
			A = fun() -> swarmscope_fuzz:term(Pool, 1) end,
			Run = fun(N) -> list_to_tuple([element(rand:uniform(tuple_size(Pool)), Pool) | [A() || _ <- lists:seq(2, N)]]) end,
			{ss_report, element(rand:uniform(tuple_size(Pool)), Pool), maps:from_list([{K, V} || {K, V} <- [
				{inc, A()}, {rseq, A()}, {sent, [Run(6) || _ <- lists:seq(1, rand:uniform(3))]},
				{recv, [Run(8) || _ <- lists:seq(1, rand:uniform(3))]}, {acked, [Run(4)]}, {failed, [Run(2)]},
				{events, [A(), Run(6), Run(8)]}, {seed, A()}, {dropped, A()}, {droppedEvents, A()}], rand:uniform(5) > 1])};
		_ ->
			swarmscope_fuzz:message(Pool, ?BRIDGE_SHAPES)
	end.

%% Helpers.

start_bridge() ->
	{ok, Bridge} = swarmscope_bridge:start_link(#{out => self()}),
	unlink(Bridge),
	Bridge.

still_alive(Bridge) ->
	swarmscope_bridge:input(Bridge, <<"{\"t\":\"ping\",\"ref\":\"alive\"}">>),
	wait_frame(Bridge, fun(F) -> F =:= #{<<"t">> => <<"reply">>, <<"ref">> => <<"alive">>, <<"ok">> => true,
		<<"result">> => <<"pong">>} end, 60000).

wait_frame(Bridge, Pred, Timeout) ->
	receive
		{swarmscope_bridge, Bridge, Json} ->
			{ok, Frame} = swarmscope_json:decode(Json),
			case Pred(Frame) of
				true -> Frame;
				false -> wait_frame(Bridge, Pred, Timeout)
			end
	after Timeout ->
		error(no_such_frame)
	end.

remote_atoms(Node) ->
	erpc:call(Node, erlang, system_info, [atom_count]).

drain() ->
	receive _ -> drain() after 0 -> ok end.
