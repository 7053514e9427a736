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

ticktime_frame_test() ->
	?assertEqual({ok, {ticktime, 32}}, swarmscope_input:parse(<<"{\"t\":\"ticktime\",\"seconds\":32}">>)).

%% The cluster's tick reaches the bridge itself too (through a transition); set back after.
ticktime_sets_the_bridge_tick_test_() ->
	{timeout, 30, fun() ->
		Bridge = start_bridge(),
		#{<<"t">> := <<"hello">>} = frame(Bridge),
		Before = settled_ticktime(),
		input(Bridge, <<"{\"t\":\"ticktime\",\"seconds\":", (integer_to_binary(Before + 3))/binary, "}">>),
		still_alive(Bridge), % frames are handled in order: the tick's too
		?assertEqual({ongoing_change_to, Before + 3}, net_kernel:get_net_ticktime()),
		?assertEqual(Before + 3, settled_ticktime()),
		_ = net_kernel:set_net_ticktime(Before, 0),
		?assertEqual(Before, settled_ticktime()),
		gen_server:stop(Bridge)
	end}.

settled_ticktime() ->
	case net_kernel:get_net_ticktime() of
		T when is_integer(T) -> T;
		_ -> timer:sleep(200), settled_ticktime()
	end.

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
			<<"{\"t\":\"ticktime\"}">>,
			<<"{\"t\":\"ticktime\",\"seconds\":0}">>,
			<<"{\"t\":\"ticktime\",\"seconds\":3601}">>,
			<<"{\"t\":\"ticktime\",\"seconds\":\"8\"}">>,
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
			<<"{\"t\":\"commit\",\"node\":\"n1\",\"inc\":\"5\",\"upto\":1}">>,
			<<"{\"t\":\"commit\",\"node\":\"n1\",\"inc\":5}">>,
			<<"{\"t\":\"commit\",\"node\":\"n1\",\"inc\":5,\"upto\":-1}">>,
			<<"{\"t\":\"commit\",\"node\":\"n1\",\"inc\":5,\"upto\":1.5}">>,
			<<"{\"t\":\"commit\",\"node\":\"n1\",\"inc\":5,\"upto\":9007199254740993}">>,
			<<"{\"t\":\"commit\",\"node\":\"n1-zz@127.0.0.1\",\"inc\":5,\"upto\":1}">>,
			<<"{\"t\":\"fault\",\"ref\":\"f1\",\"node\":\"n1\",\"op\":\"explode\"}">>,
			<<"{\"t\":\"fault\",\"ref\":\"f1\",\"node\":\"n1\",\"op\":\"partition\",\"peers\":\"n2\"}">>,
			<<"{\"t\":\"fault\",\"ref\":\"f1\",\"node\":\"n1\",\"op\":\"delay\",\"delayMs\":60001}">>,
			<<"{\"t\":\"fault\",\"ref\":\"f1\",\"node\":\"n1\",\"op\":\"delay\",\"lossPct\":101}">>,
			<<"{\"t\":\"fault\",\"ref\":\"f1\",\"node\":\"n1\",\"op\":\"route\",\"peer\":\"n2\",\"ip\":\"1.2.3\",\"port\":9}">>,
			<<"{\"t\":\"fault\",\"ref\":\"f1\",\"op\":\"clear\"}">>,
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
	input(Bridge, <<"{\"t\":\"commit\",\"node\":\"n5-zz@127.0.0.1\",\"inc\":1,\"upto\":1}">>),
	?assertMatch(#{<<"t">> := <<"log">>, <<"level">> := <<"warning">>, <<"msg">> := <<"commit: unknown_node", _/binary>>},
		frame(Bridge)),
	input(Bridge, <<"{\"t\":\"fault\",\"ref\":\"f1\",\"node\":\"n6-zz@127.0.0.1\",\"op\":\"partition\",\"peers\":[\"n7-zz@127.0.0.1\"]}">>),
	?assertEqual(#{<<"t">> => <<"reply">>, <<"ref">> => <<"f1">>, <<"ok">> => false, <<"error">> => <<"unknown_node">>},
		frame(Bridge)),
	input(Bridge, <<"{\"t\":\"traffic_stop\"}">>),
	input(Bridge, <<"{\"t\":\"ping\",\"ref\":\"p\"}">>),
	?assertMatch(#{<<"t">> := <<"reply">>, <<"ref">> := <<"p">>}, frame(Bridge)),
	%% None of those names became an atom.
	?assertEqual(Atoms, erlang:system_info(atom_count)),
	gen_server:stop(Bridge).

%% One compact frame per report: runs as arrays with base64 varints, events as objects.
report_shape_test() ->
	Bridge = start_bridge(),
	_ = frame(Bridge),
	N1 = 'n1-x@127.0.0.1',
	N2 = 'n2-x@127.0.0.1',
	Long = {list_to_atom(lists:duplicate(200, $a)), list_to_atom(lists:duplicate(200, $b))},
	LongFrom = binary:part(swarmscope_bridge:text(Long), 0, 255),
	Bridge ! {ss_report, N1, #{inc => 1000, rseq => 7,
		sent => [{N2, 1, 3, 10, 15, <<2, 3>>}, {N2, 4, 2, 20, 21, undefined}],
		recv => [{N2, 999, 5, 2, 30, 31, <<1>>, <<200, 1, 4>>}],
		acked => [{N2, 4, 40, 20}], failed => [{N2, 2}], seed => 2, dropped => 2, droppedEvents => 1,
		events => [
			{sent, <<"m1">>, N2, 1, 10, <<"hi \"there\"\n"/utf8>>},
			{received, <<"m1">>, N2, 999, 5, 10, 30, <<"日本"/utf8>>},
			{seed, <<"seed-n1-1">>, {some, pid}, 32, <<255, 0>>},
			{acked, <<"m1">>, N2, 1, 10, 30, 40},
			{send_failed, <<"m2">>, N2, not_connected},
			{traffic_done, <<"r1">>, 5000},
			{traffic_sent, <<"r1">>, 4999},
			{seed, <<"seed-n1-2">>, Long, 33, <<"x">>},
			{something, we, do_not, know}]}},
	?assertEqual(#{<<"t">> => <<"report">>, <<"node">> => <<"n1-x@127.0.0.1">>, <<"inc">> => 1000, <<"rseq">> => 7,
		<<"sent">> => [[<<"n2-x@127.0.0.1">>, 1, 3, 10, 15, base64:encode(<<2, 3>>)], [<<"n2-x@127.0.0.1">>, 4, 2, 20, 21, null]],
		<<"recv">> => [[<<"n2-x@127.0.0.1">>, 999, 5, 2, 30, 31, base64:encode(<<1>>), base64:encode(<<200, 1, 4>>)]],
		<<"acked">> => [[<<"n2-x@127.0.0.1">>, 4, 40, 20]], <<"failed">> => [[<<"n2-x@127.0.0.1">>, 2]],
		<<"seed">> => 2, <<"dropped">> => 2, <<"droppedEvents">> => 1,
		<<"events">> => [
			#{<<"e">> => <<"sent">>, <<"id">> => <<"m1">>, <<"to">> => <<"n2-x@127.0.0.1">>, <<"seq">> => 1, <<"t">> => 10,
			  <<"content">> => <<"hi \"there\"\n">>},
			#{<<"e">> => <<"received">>, <<"id">> => <<"m1">>, <<"from">> => <<"n2-x@127.0.0.1">>, <<"fromInc">> => 999,
			  <<"seq">> => 5, <<"t0">> => 10, <<"t">> => 30, <<"content">> => <<"日本"/utf8>>, <<"seed">> => false},
			#{<<"e">> => <<"received">>, <<"id">> => <<"seed-n1-1">>, <<"from">> => <<"{some,pid}">>, <<"t0">> => null,
			  <<"t">> => 32, <<"content">> => <<"<<255,0>>">>, <<"seed">> => true},
			#{<<"e">> => <<"acked">>, <<"id">> => <<"m1">>, <<"to">> => <<"n2-x@127.0.0.1">>, <<"seq">> => 1, <<"t0">> => 10,
			  <<"t1">> => 30, <<"t">> => 40},
			#{<<"e">> => <<"send_failed">>, <<"id">> => <<"m2">>, <<"to">> => <<"n2-x@127.0.0.1">>,
			  <<"reason">> => <<"not_connected">>},
			#{<<"e">> => <<"traffic_done">>, <<"run">> => <<"r1">>, <<"sent">> => 5000},
			#{<<"e">> => <<"traffic_sent">>, <<"run">> => <<"r1">>, <<"sent">> => 4999},
			#{<<"e">> => <<"received">>, <<"id">> => <<"seed-n1-2">>, <<"from">> => LongFrom, <<"t0">> => null,
			  <<"t">> => 33, <<"content">> => <<"x">>, <<"seed">> => true}]}, frame(Bridge)),
	%% A seed sender that is not an atom is cut to 255 characters.
	?assertEqual(255, string:length(LongFrom)),
	Bridge ! {ss_links, N1, [N2]},
	?assertEqual(#{<<"t">> => <<"links">>, <<"node">> => <<"n1-x@127.0.0.1">>, <<"links">> => [<<"n2-x@127.0.0.1">>]},
		frame(Bridge)),
	gen_server:stop(Bridge).

stats_shape_test() ->
	Bridge = start_bridge(),
	_ = frame(Bridge),
	N1 = 'n1-x@127.0.0.1',
	N2 = 'n2-x@127.0.0.1',
	Totals = #{inc => 1000, rseq => 7, sent => 5, received => 4, acked => 3, failed => 1, seed => 1, dropped => 0,
		droppedEvents => 0, ignored => 2, inbox => 2, queue => 0, memory => 3},
	Bridge ! {ss_stats, N1, Totals#{sentTo => [{N2, 5}], failedTo => [{N2, 1}], ackedBy => [{N2, 3}],
		recvFrom => [{N2, 999, 3, 4}], extra => x}},
	Expected = maps:from_list([{atom_to_binary(K), V} || {K, V} <- maps:to_list(Totals)]),
	?assertEqual(Expected#{<<"t">> => <<"stats">>, <<"node">> => <<"n1-x@127.0.0.1">>,
		<<"sentTo">> => [[<<"n2-x@127.0.0.1">>, 5]], <<"failedTo">> => [[<<"n2-x@127.0.0.1">>, 1]],
		<<"ackedBy">> => [[<<"n2-x@127.0.0.1">>, 3]], <<"recvFrom">> => [[<<"n2-x@127.0.0.1">>, 999, 3, 4]]},
		frame(Bridge)),
	gen_server:stop(Bridge).

%% Malformed reports, stats and links (and what kills a gen_server) write no frame and no
%% crash; one log frame a second later counts them.
malformed_from_nodes_test() ->
	Bridge = start_bridge(),
	_ = frame(Bridge),
	Good = #{inc => 1, rseq => 1, sent => [], recv => [], acked => [], failed => [], events => [], seed => 0,
		dropped => 0, droppedEvents => 0},
	Bad = [{ss_report, 'n@h', Good#{sent => [{'n@h', -1, 1, 1, 1, undefined}]}},
		{ss_report, 'n@h', Good#{recv => [{'n@h', 1, 1, 1, 1, 1, <<>>, 5}]}},
		{ss_report, 'n@h', Good#{sent => improper_tail}},
		{ss_report, 'n@h', Good#{events => [{sent, <<"m">>, 'n@h', x, 1, <<>>}]}},
		{ss_report, 'n@h', maps:remove(seed, Good)},
		{ss_report, <<"n@h">>, Good}, {ss_report, 'n@h', not_a_map},
		{ss_stats, 'n@h', #{}}, {ss_links, 'n@h', [<<"x">>]}, {ss_links, 'n@h', [a | b]},
		{'$gen_call', foo, x}, {system, foo, bar}, {discovered, make_ref(), ['evil@h']}, {discover_tick, x},
		{get_result, 1, {ok, []}}],
	[Bridge ! B || B <- Bad],
	?assertEqual(#{<<"t">> => <<"log">>, <<"level">> => <<"warning">>,
		<<"msg">> => iolist_to_binary(["ignored ", integer_to_binary(length(Bad)), " malformed message(s) from nodes"])},
		frame(Bridge, 3000)),
	Bridge ! {ss_report, 'n@h', Good},
	?assertMatch(#{<<"t">> := <<"report">>, <<"node">> := <<"n@h">>}, frame(Bridge)),
	still_alive(Bridge),
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
	Ups = [frame_of(Bridge, <<"nodeup">>), frame_of(Bridge, <<"nodeup">>)],
	?assertEqual(lists:sort([B1, B2]), lists:sort([N || #{<<"node">> := N} <- Ups])),
	[#{<<"inc">> := Inc1, <<"info">> := Info}] = [U || U = #{<<"node">> := N} <- Ups, N =:= B1],
	?assertMatch(#{<<"otp">> := <<"2", _/binary>>, <<"startedAt">> := Inc1, <<"inc">> := Inc1, <<"rseq">> := 0,
		<<"osPid">> := <<_, _/binary>>} when is_integer(Inc1), Info),
	%% The replicas mesh up once the bridge sends them their peers.
	wait_link(Bridge, B1, B2),
	input(Bridge, iolist_to_binary(["{\"t\":\"send\",\"id\":\"m1\",\"from\":\"", B1, "\",\"to\":\"", B2, "\",\"content\":\"hello\"}"])),
	Events = events(reports(Bridge, fun(R) -> count(<<"acked">>, events(R)) >= 1 andalso length(events(R)) >= 3 end)),
	[#{<<"t">> := T0, <<"seq">> := 1}] = [E || E = #{<<"e">> := <<"sent">>, <<"id">> := <<"m1">>, <<"to">> := To, <<"content">> := <<"hello">>} <- Events, To =:= B2],
	[#{<<"t">> := T1, <<"t0">> := T0, <<"fromInc">> := Inc1, <<"seq">> := 1}] =
		[E || E = #{<<"e">> := <<"received">>, <<"from">> := From, <<"seed">> := false} <- Events, From =:= B1],
	[#{<<"t">> := T2, <<"t1">> := T1, <<"t0">> := T0, <<"seq">> := 1}] = [E || E = #{<<"e">> := <<"acked">>, <<"to">> := To2} <- Events, To2 =:= B2],
	?assert(T0 =< T1 andalso T1 =< T2),
	%% A seed message from a node that knows nothing of Swarmscope.
	{msg, N2} ! {send, node(), <<"seed hi">>},
	[Seed] = [E || E = #{<<"e">> := <<"received">>, <<"seed">> := true} <- events(reports(Bridge, fun(R) -> events(R) =/= [] end))],
	?assertMatch(#{<<"from">> := _, <<"t0">> := null, <<"content">> := <<"seed hi">>, <<"id">> := <<"seed-", _/binary>>}, Seed),
	?assertEqual(atom_to_binary(node()), maps:get(<<"from">>, Seed)),
	input(Bridge, iolist_to_binary(["{\"t\":\"get\",\"ref\":\"g1\",\"node\":\"", B2, "\"}"])),
	?assertMatch(#{<<"ref">> := <<"g1">>, <<"ok">> := true,
		<<"result">> := [#{<<"content">> := <<"seed hi">>}, #{<<"from">> := B1, <<"content">> := <<"hello">>}]},
		frame_of(Bridge, <<"reply">>)),
	%% A short traffic run, both ways: bulk messages, accounted in runs and acked cumulatively.
	input(Bridge, iolist_to_binary(["{\"t\":\"traffic\",\"ref\":\"t1\",\"run\":\"r1\",\"tag\":\"1\",\"node\":\"", B1,
		"\",\"targets\":[\"", B2, "\",\"", B1, "\"],\"rate\":0,\"count\":1000,\"content\":\"x\"}"])),
	AckedUpTo = fun(R, To) -> lists:max([0 | [U || #{<<"node">> := N, <<"acked">> := A} <- R, N =:= B1, [T, U, _, _] <- A, T =:= To]]) end,
	Recv = fun(Rs, Node) -> lists:sum([N || #{<<"node">> := Nd, <<"recv">> := R} <- Rs, Nd =:= Node, [_, _, _, N | _] <- R]) end,
	Traffic = reports(Bridge, fun(R) ->
		AckedUpTo(R, B2) >= 501 andalso AckedUpTo(R, B1) >= 500 andalso count(<<"traffic_done">>, events(R)) =:= 1
			andalso Recv(R, B1) >= 500 andalso Recv(R, B2) >= 500
	end, 20000),
	?assertEqual([1000], [S || #{<<"e">> := <<"traffic_done">>, <<"run">> := <<"r1">>, <<"sent">> := S} <- events(Traffic)]),
	?assertEqual({500, 500}, {Recv(Traffic, B1), Recv(Traffic, B2)}),
	?assertEqual([[B2, 2, 500], [B1, 1, 500]], sent_ranges(Traffic, B1)),
	%% The server commits what it stored: the replica's outbox empties.
	Rseq = lists:max([R || #{<<"node">> := N, <<"rseq">> := R} <- Traffic, N =:= B1]),
	timer:sleep(100),
	Rseq1 = lists:max([Rseq | [R || #{<<"node">> := N, <<"rseq">> := R} <- drain_reports(Bridge), N =:= B1]]),
	input(Bridge, iolist_to_binary(["{\"t\":\"commit\",\"node\":\"", B1, "\",\"inc\":", integer_to_binary(Inc1),
		",\"upto\":", integer_to_binary(Rseq1), "}"])),
	?assertEqual(ok, swarmscope_test_util:wait_until(fun() -> maps:get(outbox, erpc:call(N1, swarmscope_node, info, [])) =:= 0 end, 2000)),
	%% The stats frames carry the exact per-pair counters.
	?assertMatch(#{<<"recvFrom">> := [[B1, Inc1, 501, 501]]}, stats_of(Bridge, B2, fun(#{<<"received">> := R}) -> R >= 502 end)),
	%% Nodes of another deployment were never reported.
	?assertNot(lists:member(atom_to_binary(Other), [N || #{<<"node">> := N} <- Ups])),
	%% A replica going away.
	swarmscope_test_util:stop_replica(P2),
	?assertMatch(#{<<"node">> := B2, <<"reason">> := <<_, _/binary>>}, frame_of(Bridge, <<"nodedown">>)),
	input(Bridge, iolist_to_binary(["{\"t\":\"send\",\"id\":\"m2\",\"from\":\"", B2, "\",\"to\":\"", B1, "\",\"content\":\"x\"}"])),
	?assertMatch(#{<<"id">> := <<"m2">>, <<"reason">> := <<"node_down">>}, frame_of(Bridge, <<"send_failed">>)),
	%% Once n1 has seen n2 go, a send to it fails at the sender.
	ok = wait_unlink(N1, N2, 5000),
	input(Bridge, iolist_to_binary(["{\"t\":\"send\",\"id\":\"m3\",\"from\":\"", B1, "\",\"to\":\"", B2, "\",\"content\":\"x\"}"])),
	[Failed] = [E || E = #{<<"e">> := <<"send_failed">>} <- events(reports(Bridge, fun(R) -> events(R) =/= [] end))],
	?assertMatch(#{<<"id">> := <<"m3">>, <<"reason">> := <<"not_connected">>}, Failed),
	gen_server:stop(Bridge).

%% [to, first seq, count] of the sent runs of Node, joined where they continue each other.
sent_ranges(Reports, Node) ->
	Runs = [{To, S, N} || #{<<"node">> := Nd, <<"sent">> := Sent} <- Reports, Nd =:= Node, [To, S, N | _] <- Sent],
	Joined = lists:foldl(fun({To, S, N}, Acc) ->
		case Acc of
			#{To := {S0, N0}} when S0 + N0 =:= S -> Acc#{To => {S0, N0 + N}};
			#{To := _} -> error({gap, To, S});
			_ -> Acc#{To => {S, N}}
		end
	end, #{}, Runs),
	lists:reverse(lists:sort([[To, S, N] || {To, {S, N}} <- maps:to_list(Joined)])).

stats_of(Bridge, Node, Pred) ->
	case frame_of(Bridge, <<"stats">>) of
		#{<<"node">> := Node} = F -> case Pred(F) of true -> F; false -> stats_of(Bridge, Node, Pred) end;
		_ -> stats_of(Bridge, Node, Pred)
	end.

drain_reports(Bridge) ->
	receive {swarmscope_bridge, Bridge, Json} ->
		case swarmscope_json:decode(Json) of
			{ok, #{<<"t">> := <<"report">>} = R} -> [R | drain_reports(Bridge)];
			_ -> drain_reports(Bridge)
		end
	after 0 -> []
	end.

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

%% Report frames (decoded) until Done(AllSoFar).
reports(Bridge, Done) ->
	reports(Bridge, Done, 5000).

reports(Bridge, Done, Timeout) ->
	reports(Bridge, Done, Timeout, []).

reports(Bridge, Done, Timeout, Acc) ->
	case Done(Acc) of
		true -> Acc;
		false -> reports(Bridge, Done, Timeout, Acc ++ [frame_of(Bridge, <<"report">>, Timeout)])
	end.

events(Reports) ->
	lists:append([E || #{<<"events">> := E} <- Reports]).

count(E, Events) ->
	length([X || X = #{<<"e">> := E1} <- Events, E1 =:= E]).

%% Fault frames relayed to the replicas' `ss_fault` (partition, heal) and a seed-protocol send
%% made on the sending node itself. The replicas run with the epmd module faults need.
faults_test_() ->
	{setup,
		fun() ->
			ok = swarmscope_test_util:ensure_distributed(),
			Dep = "f" ++ swarmscope_test_util:unique(),
			Ebin = filename:dirname(code:which(swarmscope_node)),
			Peers = [begin
				{ok, P, N} = peer:start_link(#{name => Name ++ "-" ++ Dep, host => "127.0.0.1", longnames => true,
					args => ["-setcookie", atom_to_list(erlang:get_cookie()), "-pa", Ebin, "-epmd_module", "swarmscope_epmd",
						"-kernel", "prevent_overlapping_partitions", "false"]}),
				{ok, _} = erpc:call(N, swarmscope_node, start, []),
				{ok, _} = erpc:call(N, swarmscope_fault, start, []),
				{P, N}
			end || Name <- ["n1", "n2"]],
			{Dep, Peers}
		end,
		fun({_, Peers}) -> [swarmscope_test_util:stop_replica(P) || {P, _} <- Peers] end,
		fun(Setup) -> {timeout, 60, ?_test(faults(Setup))} end}.

faults({Dep, [{_, N1}, {_, N2}]}) ->
	Bridge = start_bridge(),
	#{<<"t">> := <<"hello">>} = frame(Bridge),
	[B1, B2] = [atom_to_binary(N) || N <- [N1, N2]],
	input(Bridge, iolist_to_binary(["{\"t\":\"discover\",\"mode\":\"epmd\",\"host\":\"127.0.0.1\",\"deployment\":\"", Dep, "\"}"])),
	_ = [frame_of(Bridge, <<"nodeup">>) || _ <- [1, 2]],
	wait_link(Bridge, B1, B2),
	input(Bridge, iolist_to_binary(["{\"t\":\"fault\",\"ref\":\"f1\",\"node\":\"", B1, "\",\"op\":\"partition\",\"peers\":[\"", B2, "\"]}"])),
	?assertMatch(#{<<"ref">> := <<"f1">>, <<"ok">> := true}, frame_of(Bridge, <<"reply">>)),
	?assertEqual(ok, wait_unlink(N1, N2, 2000)),
	input(Bridge, iolist_to_binary(["{\"t\":\"fault\",\"ref\":\"f2\",\"node\":\"", B1, "\",\"op\":\"heal\",\"peers\":[\"", B2, "\"]}"])),
	?assertMatch(#{<<"ref">> := <<"f2">>, <<"ok">> := true}, frame_of(Bridge, <<"reply">>)),
	?assertEqual(ok, swarmscope_test_util:wait_until(fun() -> lists:member(N2, erpc:call(N1, erlang, nodes, [])) end, 5000)),
	input(Bridge, iolist_to_binary(["{\"t\":\"fault\",\"ref\":\"f3\",\"node\":\"", B1, "\",\"op\":\"delay\",\"delayMs\":70001}"])),
	?assertMatch(#{<<"t">> := <<"log">>}, frame_of(Bridge, <<"log">>)),
	input(Bridge, iolist_to_binary(["{\"t\":\"seed\",\"ref\":\"s1\",\"from\":\"", B1, "\",\"to\":\"", B2, "\",\"content\":\"test_message_1\"}"])),
	?assertMatch(#{<<"ref">> := <<"s1">>, <<"ok">> := true}, frame_of(Bridge, <<"reply">>)),
	[Seed | _] = [E || E = #{<<"e">> := <<"received">>, <<"seed">> := true} <- events(reports(Bridge, fun(R) ->
		[x || #{<<"e">> := <<"received">>, <<"seed">> := true} <- events(R)] =/= [] end))],
	?assertMatch(#{<<"from">> := B1, <<"content">> := <<"test_message_1">>}, Seed),
	gen_server:stop(Bridge).
