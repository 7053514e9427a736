-module(swarmscope_bridge_tests).
-include("swarmscope_eunit.hrl").

%% The bridge writes its frames to this process instead of stdout.
start_bridge() ->
	ok = swarmscope_test_util:ensure_distributed(),
	{ok, Bridge} = swarmscope_bridge:start_link(#{out => self()}),
	unlink(Bridge),
	Bridge.

frame(Bridge) ->
	frame(Bridge, 2000).

frame(Bridge, Timeout) ->
	receive {swarmscope_bridge, Bridge, Json} ->
		{ok, Frame} = swarmscope_json:decode(Json),
		Frame
	after Timeout ->
		error(no_frame)
	end.

%% Next frame of type T, skipping others (stats, links...).
frame_of(Bridge, T) ->
	frame_of(Bridge, T, 5000).

frame_of(Bridge, T, Timeout) ->
	case frame(Bridge, Timeout) of
		#{<<"t">> := T} = F -> F;
		_ -> frame_of(Bridge, T, Timeout)
	end.

input(Bridge, Json) ->
	swarmscope_bridge:input(Bridge, Json).

hello_first_test() ->
	Bridge = start_bridge(),
	Node = atom_to_binary(node()),
	?assertMatch(#{<<"t">> := <<"hello">>, <<"bridge">> := Node, <<"otp">> := <<"2", _/binary>>}, frame(Bridge)),
	gen_server:stop(Bridge).

bad_frames_test_() ->
	[bad_frame(Json) || Json <- [
			<<"not json">>,
			<<>>,
			<<"[1,2]">>,
			<<"{\"no_t\":1}">>,
			<<"{\"t\":5}">>,
			<<"{\"t\":\"nope\"}">>,
			<<"{\"t\":\"send\",\"id\":5,\"from\":\"a\",\"to\":\"b\",\"content\":\"x\"}">>,
			<<"{\"t\":\"send\",\"id\":\"m1\",\"from\":\"a\",\"to\":\"b\"}">>,
			<<"{\"t\":\"send\",\"id\":\"m1\",\"from\":[],\"to\":\"b\",\"content\":\"x\"}">>,
			<<"{\"t\":\"get\",\"node\":\"n1\"}">>,
			<<"{\"t\":\"ping\"}">>,
			<<"{\"t\":\"discover\",\"mode\":\"carrier-pigeon\"}">>,
			<<"{\"t\":\"discover\",\"mode\":\"epmd\",\"host\":\"127.0.0.1\"}">>,
			<<"{\"t\":\"discover\",\"mode\":\"epmd\",\"host\":\"a b\",\"deployment\":\"x\"}">>,
			<<"{\"t\":\"discover\",\"mode\":\"epmd\",\"host\":\"127.0.0.1\",\"deployment\":\"x@y\"}">>,
			<<"{\"t\":\"discover\",\"mode\":\"dns\",\"query\":\"tasks.x\",\"name\":\"\"}">>,
			<<"{\"t\":\"traffic\",\"run\":\"r1\",\"node\":\"n1\",\"targets\":\"n2\"}">>,
			<<"{\"t\":\"traffic\",\"run\":\"r1\",\"node\":\"n1\",\"targets\":[1]}">>,
			<<"{\"t\":\"traffic\",\"run\":\"r1\",\"node\":\"n1\",\"targets\":[],\"rate\":-5}">>,
			<<"{\"t\":\"traffic\",\"run\":\"r1\",\"node\":\"n1\",\"targets\":[],\"count\":1.5}">>,
			<<"{\"t\":\"traffic\",\"run\":\"r1\",\"node\":\"n1\",\"targets\":[],\"order\":\"sideways\"}">>,
			<<"{\"t\":\"traffic\",\"run\":\"r1\",\"node\":\"n1\",\"targets\":[\"n2\"]}">>,
			<<"{\"t\":\"traffic_stop\",\"run\":7}">>,
			<<"{\"t\":\"", (binary:copy(<<"x">>, 5000))/binary, "\"}">>
	]].

%% Each bad frame gets exactly one warning, and the bridge carries on.
bad_frame(Json) ->
	{binary_to_list(binary:part(Json, 0, min(60, byte_size(Json)))), ?_test(begin
		Bridge = start_bridge(),
		#{<<"t">> := <<"hello">>} = frame(Bridge),
		input(Bridge, Json),
		Frame = frame(Bridge),
		?assertMatch(#{<<"t">> := <<"log">>, <<"level">> := <<"warning">>, <<"msg">> := <<_, _/binary>>}, Frame),
		?assert(byte_size(maps:get(<<"msg">>, Frame)) < 2000),
		still_alive(Bridge),
		gen_server:stop(Bridge)
	end)}.

still_alive(Bridge) ->
	input(Bridge, <<"{\"t\":\"ping\",\"ref\":\"r9\"}">>),
	?assertEqual(#{<<"t">> => <<"reply">>, <<"ref">> => <<"r9">>, <<"ok">> => true, <<"result">> => <<"pong">>},
		frame(Bridge)).

unknown_names_test() ->
	Bridge = start_bridge(),
	_ = frame(Bridge),
	Atoms = erlang:system_info(atom_count),
	input(Bridge, <<"{\"t\":\"send\",\"id\":\"m1\",\"from\":\"n1-zz@127.0.0.1\",\"to\":\"n2-zz@127.0.0.1\",\"content\":\"x\"}">>),
	?assertEqual(#{<<"t">> => <<"send_failed">>, <<"id">> => <<"m1">>, <<"from">> => <<"n1-zz@127.0.0.1">>,
		<<"to">> => <<"n2-zz@127.0.0.1">>, <<"reason">> => <<"unknown_node">>}, frame(Bridge)),
	input(Bridge, <<"{\"t\":\"get\",\"ref\":\"g1\",\"node\":\"n3-zz@127.0.0.1\"}">>),
	?assertEqual(#{<<"t">> => <<"reply">>, <<"ref">> => <<"g1">>, <<"ok">> => false, <<"error">> => <<"unknown_node">>},
		frame(Bridge)),
	input(Bridge, <<"{\"t\":\"traffic\",\"ref\":\"t1\",\"run\":\"r1\",\"node\":\"n4-zz@127.0.0.1\",\"targets\":[]}">>),
	?assertMatch(#{<<"t">> := <<"log">>, <<"level">> := <<"warning">>}, frame(Bridge)),
	?assertMatch(#{<<"t">> := <<"reply">>, <<"ref">> := <<"t1">>, <<"ok">> := false, <<"error">> := <<"unknown_node">>},
		frame(Bridge)),
	input(Bridge, <<"{\"t\":\"traffic_stop\"}">>),
	input(Bridge, <<"{\"t\":\"ping\",\"ref\":\"p\"}">>),
	?assertMatch(#{<<"t">> := <<"reply">>, <<"ref">> := <<"p">>}, frame(Bridge)),
	%% None of those names became an atom.
	?assertEqual(Atoms, erlang:system_info(atom_count)),
	gen_server:stop(Bridge).

event_shapes_test() ->
	Bridge = start_bridge(),
	_ = frame(Bridge),
	N1 = 'n1-x@127.0.0.1',
	N2 = 'n2-x@127.0.0.1',
	LongFrom = binary:part(swarmscope_bridge:text(lists:seq(1, 5000)), 0, 255),
	Bridge ! {ss_events, N1, [
		{sent, <<"m1">>, N2, 10, <<"hi \"there\"\n"/utf8>>},
		{received, <<"m1">>, N2, 10, 20, <<"日本"/utf8>>, false},
		{received, <<"seed-n1-1">>, {some, pid}, undefined, 30, <<255, 0>>, true},
		{acked, <<"m1">>, N2, 40, 20},
		{send_failed, <<"m2">>, N2, not_connected},
		{traffic_done, <<"r1">>, 5000},
		{received, <<"seed-n1-2">>, lists:seq(1, 5000), undefined, 31, <<"x">>, true},
		{something, we, do_not, know}]},
	?assertEqual(#{<<"t">> => <<"events">>, <<"node">> => <<"n1-x@127.0.0.1">>, <<"events">> => [
		#{<<"e">> => <<"sent">>, <<"id">> => <<"m1">>, <<"to">> => <<"n2-x@127.0.0.1">>, <<"t">> => 10,
		  <<"content">> => <<"hi \"there\"\n">>},
		#{<<"e">> => <<"received">>, <<"id">> => <<"m1">>, <<"from">> => <<"n2-x@127.0.0.1">>, <<"t0">> => 10,
		  <<"t">> => 20, <<"content">> => <<"日本"/utf8>>, <<"seed">> => false},
		#{<<"e">> => <<"received">>, <<"id">> => <<"seed-n1-1">>, <<"from">> => <<"{some,pid}">>, <<"t0">> => null,
		  <<"t">> => 30, <<"content">> => <<"<<255,0>>">>, <<"seed">> => true},
		#{<<"e">> => <<"acked">>, <<"id">> => <<"m1">>, <<"to">> => <<"n2-x@127.0.0.1">>, <<"t">> => 40, <<"t1">> => 20},
		#{<<"e">> => <<"send_failed">>, <<"id">> => <<"m2">>, <<"to">> => <<"n2-x@127.0.0.1">>,
		  <<"reason">> => <<"not_connected">>},
		#{<<"e">> => <<"traffic_done">>, <<"run">> => <<"r1">>, <<"sent">> => 5000},
		#{<<"e">> => <<"received">>, <<"id">> => <<"seed-n1-2">>, <<"from">> => LongFrom, <<"t0">> => null,
		  <<"t">> => 31, <<"content">> => <<"x">>, <<"seed">> => true}]}, frame(Bridge)),
	%% A seed sender that is not an atom is cut to 255 characters.
	?assertEqual(255, string:length(LongFrom)),
	Bridge ! {ss_links, N1, [N2]},
	?assertEqual(#{<<"t">> => <<"links">>, <<"node">> => <<"n1-x@127.0.0.1">>, <<"links">> => [<<"n2-x@127.0.0.1">>]},
		frame(Bridge)),
	Bridge ! {ss_stats, N1, #{sent => 1, received => 2, acked => 1, inbox => 2, queue => 0, memory => 3, extra => x}},
	?assertEqual(#{<<"t">> => <<"stats">>, <<"node">> => <<"n1-x@127.0.0.1">>, <<"sent">> => 1, <<"received">> => 2,
		<<"acked">> => 1, <<"inbox">> => 2, <<"queue">> => 0, <<"memory">> => 3}, frame(Bridge)),
	gen_server:stop(Bridge).

text_test() ->
	T = fun swarmscope_bridge:text/1,
	?assertEqual(<<"hi">>, T(<<"hi">>)),
	?assertEqual(<<"日本"/utf8>>, T(<<"日本"/utf8>>)),
	?assertEqual(<<"<<255,1>>">>, T(<<255, 1>>)),
	?assertEqual(<<"{a,1}">>, T({a, 1})),
	?assertEqual(<<"\"abc\"">>, T("abc")),
	?assertEqual(1024, string:length(T(binary:copy(<<"é"/utf8>>, 3000)))),
	?assertEqual(1024, byte_size(T(binary:copy(<<"x">>, 3000)))),
	?assert(byte_size(T(lists:seq(1, 100000))) =< 1024).

%% The real path: two replicas discovered through epmd, a message between them, a seed
%% message, get, traffic, and a replica going down.
replicas_test_() ->
	{setup,
		fun() ->
			Dep = "t" ++ swarmscope_test_util:unique(),
			Peers = [swarmscope_test_util:start_replica(N ++ "-" ++ Dep) || N <- ["n1", "n2"]],
			%% Not a replica of this deployment: must be ignored by discovery.
			Other = swarmscope_test_util:start_replica("n1-x" ++ Dep),
			{Dep, Peers, Other}
		end,
		fun({_, Peers, Other}) -> [swarmscope_test_util:stop_replica(P) || {P, _} <- [Other | Peers]] end,
		fun(Setup) -> {timeout, 60, ?_test(replicas(Setup))} end}.

replicas({Dep, [{_, N1}, {P2, N2}], {_, Other}}) ->
	Bridge = start_bridge(),
	#{<<"t">> := <<"hello">>} = frame(Bridge),
	[B1, B2] = [atom_to_binary(N) || N <- [N1, N2]],
	input(Bridge, iolist_to_binary(["{\"t\":\"discover\",\"mode\":\"epmd\",\"host\":\"127.0.0.1\",\"deployment\":\"", Dep, "\"}"])),
	#{<<"node">> := Up1, <<"info">> := Info} = frame_of(Bridge, <<"nodeup">>),
	#{<<"node">> := Up2} = frame_of(Bridge, <<"nodeup">>),
	?assertEqual(lists:sort([B1, B2]), lists:sort([Up1, Up2])),
	?assertMatch(#{<<"otp">> := <<"2", _/binary>>, <<"startedAt">> := S, <<"osPid">> := <<_, _/binary>>} when is_integer(S), Info),
	%% The replicas mesh up once the bridge sends them their peers.
	wait_link(Bridge, B1, B2),
	input(Bridge, iolist_to_binary(["{\"t\":\"send\",\"id\":\"m1\",\"from\":\"", B1, "\",\"to\":\"", B2, "\",\"content\":\"hello\"}"])),
	Events = events(Bridge, fun(E) -> lists:any(fun(#{<<"e">> := X}) -> X =:= <<"acked">> end, E) andalso length(E) >= 3 end),
	[#{<<"t">> := T0}] = [E || E = #{<<"e">> := <<"sent">>, <<"id">> := <<"m1">>, <<"to">> := To, <<"content">> := <<"hello">>} <- Events, To =:= B2],
	[#{<<"t">> := T1, <<"t0">> := T0}] = [E || E = #{<<"e">> := <<"received">>, <<"from">> := From, <<"seed">> := false} <- Events, From =:= B1],
	[#{<<"t">> := T2, <<"t1">> := T1}] = [E || E = #{<<"e">> := <<"acked">>, <<"to">> := To2} <- Events, To2 =:= B2],
	?assert(T0 =< T1 andalso T1 =< T2),
	%% A seed message from a node that knows nothing of Swarmscope.
	{msg, N2} ! {send, node(), <<"seed hi">>},
	[Seed] = [E || E = #{<<"e">> := <<"received">>, <<"seed">> := true} <- events(Bridge, fun(E) -> E =/= [] end)],
	?assertMatch(#{<<"from">> := _, <<"t0">> := null, <<"content">> := <<"seed hi">>, <<"id">> := <<"seed-", _/binary>>}, Seed),
	?assertEqual(atom_to_binary(node()), maps:get(<<"from">>, Seed)),
	input(Bridge, iolist_to_binary(["{\"t\":\"get\",\"ref\":\"g1\",\"node\":\"", B2, "\"}"])),
	?assertMatch(#{<<"ref">> := <<"g1">>, <<"ok">> := true,
		<<"result">> := [#{<<"content">> := <<"seed hi">>}, #{<<"from">> := B1, <<"content">> := <<"hello">>}]},
		frame_of(Bridge, <<"reply">>)),
	%% A short traffic run, both ways.
	input(Bridge, iolist_to_binary(["{\"t\":\"traffic\",\"ref\":\"t1\",\"run\":\"r1\",\"tag\":\"1\",\"node\":\"", B1,
		"\",\"targets\":[\"", B2, "\",\"", B1, "\"],\"rate\":0,\"count\":1000,\"content\":\"x\"}"])),
	Traffic = events(Bridge, fun(E) ->
		count(<<"acked">>, E) >= 1000 andalso count(<<"received">>, E) >= 1000
			andalso count(<<"traffic_done">>, E) =:= 1
	end, 20000),
	?assertEqual([1000], [S || #{<<"e">> := <<"traffic_done">>, <<"run">> := <<"r1">>, <<"sent">> := S} <- Traffic]),
	?assertEqual(1000, count(<<"received">>, Traffic)),
	%% Nodes of another deployment were never reported.
	?assertNot(lists:member(Other, [binary_to_atom(N) || N <- [Up1, Up2]])),
	%% A replica going away.
	swarmscope_test_util:stop_replica(P2),
	?assertMatch(#{<<"node">> := B2, <<"reason">> := <<_, _/binary>>}, frame_of(Bridge, <<"nodedown">>)),
	input(Bridge, iolist_to_binary(["{\"t\":\"send\",\"id\":\"m2\",\"from\":\"", B2, "\",\"to\":\"", B1, "\",\"content\":\"x\"}"])),
	?assertMatch(#{<<"id">> := <<"m2">>, <<"reason">> := <<"node_down">>}, frame_of(Bridge, <<"send_failed">>)),
	%% Once n1 has seen n2 go, a send to it fails at the sender.
	ok = wait_unlink(N1, N2, 5000),
	input(Bridge, iolist_to_binary(["{\"t\":\"send\",\"id\":\"m3\",\"from\":\"", B1, "\",\"to\":\"", B2, "\",\"content\":\"x\"}"])),
	[Failed] = [E || E = #{<<"e">> := <<"send_failed">>} <- events(Bridge, fun(E) -> E =/= [] end)],
	?assertMatch(#{<<"id">> := <<"m3">>, <<"reason">> := <<"not_connected">>}, Failed),
	gen_server:stop(Bridge).

wait_unlink(A, B, Timeout) ->
	case lists:member(B, erpc:call(A, erlang, nodes, [])) of
		false -> ok;
		true when Timeout > 0 -> timer:sleep(10), wait_unlink(A, B, Timeout - 10);
		true -> timeout
	end.

%% dns mode: every address of the query is a node <name>@<ip>.
dns_discovery_test_() ->
	{setup,
		fun() ->
			Name = "d" ++ swarmscope_test_util:unique(),
			{Name, swarmscope_test_util:start_replica(Name)}
		end,
		fun({_, {Peer, _}}) -> swarmscope_test_util:stop_replica(Peer) end,
		fun({Name, {_, Node}}) -> {timeout, 30, ?_test(begin
			Bridge = start_bridge(),
			#{<<"t">> := <<"hello">>} = frame(Bridge),
			input(Bridge, iolist_to_binary(["{\"t\":\"discover\",\"mode\":\"dns\",\"query\":\"localhost\",\"name\":\"", Name, "\"}"])),
			?assertEqual(atom_to_binary(Node), maps:get(<<"node">>, frame_of(Bridge, <<"nodeup">>, 10000))),
			gen_server:stop(Bridge)
		end)} end}.

wait_link(Bridge, A, B) ->
	case frame_of(Bridge, <<"links">>) of
		#{<<"node">> := A, <<"links">> := Links} ->
			case lists:member(B, Links) of
				true -> ok;
				false -> wait_link(Bridge, A, B)
			end;
		_ ->
			wait_link(Bridge, A, B)
	end.

events(Bridge, Done) ->
	events(Bridge, Done, 5000).

events(Bridge, Done, Timeout) ->
	events(Bridge, Done, Timeout, []).

events(Bridge, Done, Timeout, Acc) ->
	case Done(Acc) of
		true ->
			Acc;
		false ->
			#{<<"events">> := Events} = frame_of(Bridge, <<"events">>, Timeout),
			events(Bridge, Done, Timeout, Acc ++ Events)
	end.

count(E, Events) ->
	length([X || X = #{<<"e">> := E1} <- Events, E1 =:= E]).
