-module(swarmscope_node_tests).
-include("swarmscope_eunit.hrl").

-import(swarmscope_test_util, [collect_reports/3, events/1, runs/2, total/2, wait_until/2]).

%% Each test gets a fresh `msg` on this node.
local_test_() ->
	{foreach,
		fun() -> ok = swarmscope_test_util:ensure_distributed(), {ok, Pid} = swarmscope_node:start(), Pid end,
		fun(_) -> swarmscope_node:stop() end,
		[fun seed_send_get/1, fun inbox_is_bounded/1, fun subscribe_hello/1, fun seed_event/1,
		 fun send_to_self/1, fun failed_send_takes_no_seq/1, fun gaps_and_incarnations/1,
		 fun batching/1, fun idle_flush/1, fun subscriber_down/1, fun stats_equal_reports/1,
		 fun outbox_commit_resend/1, fun merge_while_unsubscribed/1, fun traffic_all_acked/1,
		 fun traffic_paced/1, fun traffic_stop/1, fun traffic_bad_options/1,
		 fun unknown_messages_ignored/1, fun ticktime_set/1]}.

%% The dashboard's tick for a big mesh: the node's net_ticktime follows (through a transition).
ticktime_set(_) ->
	?_test(begin
		Before = net_kernel:get_net_ticktime(),
		msg ! {ss_ticktime, Before + 3},
		_ = swarmscope_node:info(), % processed in order
		?assertMatch({ongoing_change_to, T} when T =:= Before + 3, net_kernel:get_net_ticktime())
	end).

seed_send_get(_) ->
	?_test(begin
		msg ! {send, 'x@127.0.0.1', <<"hi">>},
		msg ! {send, self(), {any, term}},
		msg ! {get, self()},
		Me = self(),
		?assertEqual({msgs, [{Me, {any, term}}, {'x@127.0.0.1', <<"hi">>}]}, receive {msgs, _} = M -> M end)
	end).

inbox_is_bounded(_) ->
	?_test(begin
		[msg ! {send, x, N} || N <- lists:seq(1, 2500)],
		msg ! {get, self()},
		{msgs, Msgs} = receive {msgs, _} = M -> M end,
		?assertEqual(1000, length(Msgs)),
		?assertEqual([{x, N} || N <- lists:seq(2500, 1501, -1)], Msgs),
		?assertMatch(#{inbox := 1000}, swarmscope_node:info())
	end).

subscribe_hello(_) ->
	?_test(begin
		Node = node(),
		Info = subscribe(),
		?assertMatch(#{otp := <<"2", _/binary>>, started_at := T, inc := T, rseq := 0, os_pid := <<_, _/binary>>}
			when is_integer(T), Info),
		%% Subscribing twice answers again but does not duplicate reports.
		msg ! {ss_subscribe, self()},
		receive {ss_hello, Node, _} -> ok after 1000 -> error(no_hello) end,
		?assertMatch(#{subscribers := 1}, swarmscope_node:info()),
		msg ! {send, x, <<"once">>},
		[#{rseq := 1}] = collect_reports(Node, fun(R) -> length(R) >= 1 end, 1000),
		receive {ss_report, _, _} = Dup -> error({duplicate, Dup}) after 50 -> ok end
	end).

seed_event(_) ->
	?_test(begin
		Node = node(),
		subscribe(),
		Before = os:system_time(microsecond),
		msg ! {send, 'x@127.0.0.1', <<"hi">>},
		msg ! {send, "a string from", <<"again">>},
		Reports = collect_reports(Node, fun(R) -> length(events(R)) >= 2 end, 1000),
		[{seed, Id1, 'x@127.0.0.1', T1, <<"hi">>}, {seed, Id2, "a string from", _, <<"again">>}] = events(Reports),
		?assertEqual(2, lists:sum([S || #{seed := S} <- Reports])),
		?assertMatch(<<"seed-", _/binary>>, Id1),
		?assertNotEqual(Id1, Id2),
		?assert(T1 >= Before)
	end).

%% A tracked message: seq 1 of the pair, in the sent and received runs, with its own events,
%% acked at once and cumulatively.
send_to_self(_) ->
	?_test(begin
		Node = node(),
		#{inc := Inc} = subscribe(),
		msg ! {ss_send, <<"m1">>, Node, <<"x">>},
		Reports = collect_reports(Node, fun(R) -> lists:keymember(acked, 1, events(R)) end, 1000),
		[{sent, <<"m1">>, Node, 1, T0, <<"x">>},
		 {received, <<"m1">>, Node, Inc, 1, T0, T1, <<"x">>},
		 {acked, <<"m1">>, Node, 1, T0, T1, T2}] = events(Reports),
		?assert(T0 =< T1 andalso T1 =< T2),
		?assertMatch([{Node, 1, 1, T0, T0, <<>>}], runs(sent, Reports)),
		?assertMatch([{Node, Inc, 1, 1, T1, T1, <<>>, _}], runs(recv, Reports)),
		?assertMatch([{Node, 1, T2, T0}], lists:append([A || #{acked := A} <- Reports])),
		msg ! {get, self()},
		?assertEqual({msgs, [{Node, <<"x">>}]}, receive {msgs, _} = M -> M end),
		?assertMatch(#{sent := 1, received := 1, acked := 1, sentTo := [{Node, 1}], ackedBy := [{Node, 1}],
			recvFrom := [{Node, Inc, 1, 1}]}, swarmscope_node:info())
	end).

failed_send_takes_no_seq(_) ->
	?_test(begin
		Node = node(),
		Gone = 'nobody-here@127.0.0.1',
		subscribe(),
		msg ! {ss_send, <<"m2">>, Gone, <<"x">>},
		msg ! {ss_send, <<"m3">>, Gone, <<"x">>},
		Reports = collect_reports(Node, fun(R) -> length(events(R)) >= 2 end, 1000),
		?assertEqual([{send_failed, <<"m2">>, Gone, not_connected}, {send_failed, <<"m3">>, Gone, not_connected}],
			events(Reports)),
		?assertEqual(2, lists:sum([N || #{failed := F} <- Reports, {_, N} <- F])),
		?assertEqual([], runs(sent, Reports)),
		?assertMatch(#{sent := 0, failed := 2, failedTo := [{Gone, 2}], sentTo := [{Gone, 0}]}, swarmscope_node:info())
	end).

%% Messages "from" another node (sent here by the test): a gap cuts a run, a new incarnation
%% is a new pair, a seq not above the highest is ignored.
gaps_and_incarnations(_) ->
	?_test(begin
		Node = node(),
		subscribe(),
		P = 'peer-x@127.0.0.1',
		[msg ! {ss_bulk, P, 1, S, 100 + S, <<"b">>} || S <- [1, 2, 3, 6, 7, 7, 2]],
		msg ! {ss_bulk, P, 2, 1, 200, <<"b">>},
		Reports = collect_reports(Node, fun(R) -> total(recv, R) >= 6 end, 1000),
		?assertEqual([{P, 1, 1, 3}, {P, 1, 6, 2}, {P, 2, 1, 1}], [{F, I, S, N} || {F, I, S, N, _, _, _, _} <- runs(recv, Reports)]),
		?assertMatch(#{received := 6, ignored := 2}, swarmscope_node:info()),
		?assertEqual([{P, 1, 5, 7}, {P, 2, 1, 1}], lists:sort(maps:get(recvFrom, swarmscope_node:info())))
	end).

%% While `msg` has more waiting it batches; every event comes once, in order, at most 500 a
%% report.
batching(_) ->
	?_test(begin
		Node = node(),
		subscribe(),
		[msg ! {send, x, N} || N <- lists:seq(1, 600)],
		Reports = collect_reports(Node, fun(R) -> length(events(R)) >= 600 end, 2000),
		?assert(length(Reports) >= 2),
		?assert(lists:all(fun(#{events := E}) -> length(E) =< 500 end, Reports)),
		?assert(lists:any(fun(#{events := E}) -> length(E) > 1 end, Reports)),
		?assertEqual(lists:seq(1, 600), [C || {seed, _, x, _, C} <- events(Reports)]),
		?assertEqual(lists:seq(1, length(Reports)), [R || #{rseq := R} <- Reports])
	end).

%% A lone message is reported at once (before the next stats tick could flush it).
idle_flush(_) ->
	?_test(begin
		Node = node(),
		subscribe(),
		T = erlang:monotonic_time(microsecond),
		msg ! {send, x, 1},
		receive
			{ss_report, Node, _} -> ok;
			{ss_stats, Node, _} -> error(stats_before_report)
		after 1000 -> error(no_flush)
		end,
		io:format(user, "~n[measure] lone message reported in ~b us~n", [erlang:monotonic_time(microsecond) - T])
	end).

subscriber_down(_) ->
	?_test(begin
		Me = self(),
		Sub = spawn(fun() ->
			msg ! {ss_subscribe, self()},
			receive {ss_hello, _, _} -> Me ! subscribed end,
			receive stop -> ok end
		end),
		receive subscribed -> ok after 1000 -> error(not_subscribed) end,
		?assertMatch(#{subscribers := 1}, swarmscope_node:info()),
		exit(Sub, kill),
		?assertEqual(ok, wait_until(fun() -> maps:get(subscribers, swarmscope_node:info()) =:= 0 end, 1000)),
		%% Reports now wait for a subscriber and `msg` keeps working.
		msg ! {send, x, <<"after">>},
		msg ! {get, self()},
		?assertMatch({msgs, [{x, <<"after">>}]}, receive {msgs, _} = M -> M end)
	end).

%% The stats that follow the reports count exactly what they reported.
stats_equal_reports(_) ->
	?_test(begin
		Node = node(),
		#{inc := Inc} = subscribe(),
		P = 'peer-y@127.0.0.1',
		[msg ! {ss_bulk, P, 5, S, 1, <<"b">>} || S <- [1, 2, 4]],
		msg ! {ss_send, <<"m1">>, Node, <<"x">>},
		msg ! {ss_send, <<"m2">>, 'nobody-here@127.0.0.1', <<"x">>},
		msg ! {send, x, <<"seed">>},
		msg ! {ss_traffic, <<"r">>, <<"1">>, [Node], #{count => 50}},
		{Reports, Stats} = until_stats(Node, [], fun(#{sent := Sent}) -> Sent =:= 51 end),
		#{rseq := Rseq, inc := Inc, sentTo := SentTo, recvFrom := RecvFrom, failedTo := FailedTo,
		  ackedBy := AckedBy, sent := Sent, received := Received, seed := Seed, failed := Failed} = Stats,
		?assertEqual(Rseq, maps:get(rseq, lists:last(Reports))),
		?assertEqual({Sent, Received, Seed, Failed},
			{total(sent, Reports), total(recv, Reports) + Seed, lists:sum([X || #{seed := X} <- Reports]),
			 lists:sum([N || #{failed := F} <- Reports, {_, N} <- F])}),
		?assertEqual(lists:sort([{Node, 51}, {'nobody-here@127.0.0.1', 0}]), lists:sort(SentTo)),
		?assertEqual([{Node, 51}], [{To, S + N - 1} || {To, S, N, _, _, _} <- [lists:last(runs(sent, Reports))]]),
		?assertEqual(lists:sort([{P, 5, 3, 4}, {Node, Inc, 51, 51}]), lists:sort(RecvFrom)),
		Pair = fun(F, I) -> [{S, N} || {F1, I1, S, N, _, _, _, _} <- runs(recv, Reports), F1 =:= F, I1 =:= I] end,
		?assertEqual(lists:sort(RecvFrom), lists:sort([{F, I, lists:sum([N || {_, N} <- Pair(F, I)]),
			lists:max([S + N - 1 || {S, N} <- Pair(F, I)])} || {F, I, _, _} <- RecvFrom])),
		?assertEqual([{'nobody-here@127.0.0.1', 1}], FailedTo),
		?assertEqual(1, Seed),
		Newest = lists:foldl(fun(#{acked := A}, Acc) -> lists:foldl(fun({To, U, _, _}, M) -> M#{To => U} end, Acc, A) end,
			#{}, Reports),
		?assertEqual(lists:sort(maps:to_list(Newest)), lists:sort(AckedBy))
	end).

%% Reports wait in the outbox until committed; a subscribe re-sends them in order; a commit
%% for another incarnation is ignored.
outbox_commit_resend(_) ->
	?_test(begin
		Node = node(),
		#{inc := Inc} = subscribe(),
		[begin msg ! {send, x, N}, timer:sleep(5) end || N <- lists:seq(1, 5)],
		Reports = collect_reports(Node, fun(R) -> length(events(R)) >= 5 end, 1000),
		N = length(Reports),
		?assertMatch(#{outbox := N}, swarmscope_node:info()),
		msg ! {ss_subscribe, self()},
		receive {ss_hello, Node, _} -> ok after 1000 -> error(no_hello) end,
		?assertEqual(Reports, collect_reports(Node, fun(R) -> length(R) >= N end, 1000)),
		msg ! {ss_commit, Inc + 1, N},
		?assertMatch(#{outbox := N}, swarmscope_node:info()),
		msg ! {ss_commit, Inc, 2},
		?assertEqual(#{outbox => N - 2}, maps:with([outbox], swarmscope_node:info())),
		msg ! {ss_subscribe, self()},
		Again = collect_reports(Node, fun(R) -> length(R) >= N - 2 end, 1000),
		?assertEqual(lists:seq(3, N), [R || #{rseq := R} <- Again]),
		msg ! {ss_commit, Inc, N},
		?assertMatch(#{outbox := 0, detailBytes := 0}, swarmscope_node:info())
	end).

%% Nobody subscribed: everything reported meanwhile is merged into one report, runs joined,
%% and sent on the next subscribe.
merge_while_unsubscribed(_) ->
	?_test(begin
		Node = node(),
		P = 'peer-z@127.0.0.1',
		[begin [msg ! {ss_bulk, P, 1, S, S, <<"b">>} || S <- lists:seq(B, B + 9)], timer:sleep(10) end
			|| B <- lists:seq(1, 91, 10)],
		msg ! {send, x, <<"seed">>},
		?assertMatch(#{pending := true, received := 101}, swarmscope_node:info()),
		subscribe(),
		[Report] = collect_reports(Node, fun(R) -> length(R) >= 1 end, 1000),
		?assertMatch(#{rseq := 1, seed := 1, recv := [{P, 1, 1, 100, _, _, _, _}]}, Report),
		[{_, _, _, _, _, _, Deltas, Lat}] = maps:get(recv, Report),
		?assertEqual({99, 100}, {length(swarmscope_books:varints(Deltas)), length(swarmscope_books:varints(Lat))}),
		receive {ss_report, _, _} = More -> error({more, More}) after 50 -> ok end
	end).

traffic_all_acked(_) ->
	?_test(begin
		Node = node(),
		subscribe(),
		msg ! {ss_traffic, <<"r1">>, <<"7">>, [Node], #{rate => 0, count => 3000, order => cycle, content => <<"x">>}},
		Acked = fun(R) -> lists:max([0 | [U || #{acked := A} <- R, {_, U, _, _} <- A]]) end,
		Reports = collect_reports(Node, fun(R) -> done(R) andalso Acked(R) >= 3000 end, 20000),
		?assertEqual([{traffic_done, <<"r1">>, 3000}], [E || {traffic_done, _, _} = E <- events(Reports)]),
		%% The run's sends, counted per report: exactly what the generator reports at its end.
		SentEvents = [E || {traffic_sent, _, _} = E <- events(Reports)],
		?assert(length(SentEvents) >= 1),
		?assertEqual(3000, lists:sum([N || {traffic_sent, <<"r1">>, N} <- SentEvents])),
		Sent = runs(sent, Reports),
		?assertEqual(lists:seq(1, 3000), lists:append([lists:seq(S, S + N - 1) || {_, S, N, _, _, _} <- Sent])),
		?assertEqual(3000, total(recv, Reports)),
		?assertEqual(ok, wait_until(fun() -> maps:get(generators, swarmscope_node:info()) =:= 0 end, 1000)),
		?assertMatch(#{sent := 3000, received := 3000, acked := 3000}, swarmscope_node:info())
	end).

traffic_paced(_) ->
	?_test(begin
		Node = node(),
		subscribe(),
		T = erlang:monotonic_time(millisecond),
		msg ! {ss_traffic, <<"r2">>, <<"1">>, [Node, Node], #{rate => 200, count => 40, order => random}},
		Reports = collect_reports(Node, fun done/1, 5000),
		Took = erlang:monotonic_time(millisecond) - T,
		?assertEqual(40, total(sent, Reports)),
		%% 40 messages at 200/s: the last is due at 195 ms.
		?assert(Took >= 180),
		?assert(Took < 1500)
	end).

traffic_stop(_) ->
	?_test(begin
		Node = node(),
		subscribe(),
		msg ! {ss_traffic, <<"r3">>, <<"1">>, [Node], #{rate => 50, count => 100000}},
		msg ! {ss_traffic, <<"r4">>, <<"1">>, [Node], #{rate => 50, count => 100000}},
		timer:sleep(200),
		msg ! {ss_traffic_stop, <<"r3">>},
		Reports = collect_reports(Node, fun done/1, 2000),
		[{traffic_done, <<"r3">>, Sent}] = [E || {traffic_done, _, _} = E <- events(Reports)],
		?assert(Sent > 0 andalso Sent < 100),
		%% Two runs at once: each counted apart.
		?assertEqual(Sent, lists:sum([N || {traffic_sent, <<"r3">>, N} <- events(Reports)])),
		msg ! {ss_traffic_stop, all},
		Reports2 = collect_reports(Node, fun done/1, 2000),
		?assertMatch([{traffic_done, <<"r4">>, _}], [E || {traffic_done, _, _} = E <- events(Reports2)]),
		?assertEqual(ok, wait_until(fun() -> maps:get(generators, swarmscope_node:info()) =:= 0 end, 1000))
	end).

traffic_bad_options(_) ->
	?_test(begin
		msg ! {ss_traffic, <<"r5">>, <<"1">>, [node()], #{rate => -1}},
		msg ! {ss_traffic, <<"r5">>, <<"1">>, [<<"not an atom">>], #{}},
		msg ! {ss_traffic, <<"r5">>, <<"1">>, [node()], #{order => sideways}},
		msg ! {ss_traffic, <<"r5">>, <<"1">>, [node() | improper], #{}},
		?assertMatch(#{generators := 0, ignored := 4}, swarmscope_node:info())
	end).

%% Including what kills a gen_server: a malformed call or system message.
unknown_messages_ignored(_) ->
	?_test(begin
		Pid = whereis(msg),
		Bad = [hello, {ss_send, <<"m">>, <<"not an atom">>, x}, {ss_subscribe, not_a_pid},
			{'$gen_call', foo, info}, {'$gen_call', {self()}, info}, {system, foo, bar},
			{system, {self(), tag}, {terminate, normal}, extra}, {ss_commit, x, y}, {ss_bulk, a, -1, 1, 1, x},
			{ss_bulk, a, 1, 0, 1, x}, {ss_ack, a, b, c, d, e}, {ss_tick, make_ref()}, {ss_peers, [a | b]},
			{ss_ticktime, 0}, {ss_ticktime, 3601}, {ss_ticktime, "8"}],
		[msg ! B || B <- Bad],
		gen_server:cast(msg, whatever),
		?assertEqual({error, unknown_call}, gen_server:call(msg, what)),
		?assertMatch(#{ignored := I} when I >= length(Bad), swarmscope_node:info()),
		?assertEqual(Pid, whereis(msg)),
		?assert(is_tuple(sys:get_state(msg)))
	end).

%% Past the detail bound (bytes of varints and events held uncommitted), runs carry counts
%% and ranges only and `dropped` says how many messages lost their times; a commit brings the
%% detail back. Counts are exact throughout.
detail_bound_test_() ->
	{setup,
		fun() -> ok = swarmscope_test_util:ensure_distributed(), {ok, _} = swarmscope_node:start(#{detail_bytes => 300}) end,
		fun(_) -> swarmscope_node:stop() end,
		?_test(begin
			Node = node(),
			#{inc := Inc} = subscribe(),
			P = 'peer-d@127.0.0.1',
			Burst = fun(From) ->
				[msg ! {ss_bulk, P, 1, S, 0, <<"b">>} || S <- lists:seq(From, From + 49)],
				msg ! {send, x, From},
				timer:sleep(20)
			end,
			[Burst(From) || From <- lists:seq(1, 451, 50)],
			Reports = collect_reports(Node, fun(R) ->
				total(recv, R) >= 500 andalso lists:sum([S || #{seed := S} <- R]) >= 10 end, 2000),
			Recv = runs(recv, Reports),
			Without = [N || {_, _, _, N, _, _, undefined, undefined} <- Recv],
			?assertEqual(500, total(recv, Reports)),
			?assert(lists:sum(Without) > 0),
			?assert(length(Without) < length(Recv)),
			?assertEqual(lists:sum(Without), lists:sum([D || #{dropped := D} <- Reports])),
			DroppedEvents = lists:sum([D || #{droppedEvents := D} <- Reports]),
			?assert(DroppedEvents > 0),
			?assertEqual(10, length(events(Reports)) + DroppedEvents),
			?assertEqual(10, lists:sum([S || #{seed := S} <- Reports])),
			Dropped = lists:sum(Without),
			?assertMatch(#{dropped := Dropped, droppedEvents := DroppedEvents, received := 510}, swarmscope_node:info()),
			msg ! {ss_commit, Inc, maps:get(rseq, lists:last(Reports))},
			Burst(501),
			[#{recv := [{P, 1, 501, 50, _, _, D, L}]} | _] = collect_reports(Node, fun(R) -> total(recv, R) >= 50 end, 2000),
			?assert(is_binary(D) andalso is_binary(L))
		end)}.

%% Two peer replicas: a message travels replica to replica over distribution.
distributed_test_() ->
	{setup,
		fun() ->
			U = swarmscope_test_util:unique(),
			[swarmscope_test_util:start_replica("a" ++ U), swarmscope_test_util:start_replica("b" ++ U)]
		end,
		fun(Peers) -> [swarmscope_test_util:stop_replica(P) || {P, _} <- Peers] end,
		fun([{_, A}, {_, B}]) -> {timeout, 30, ?_test(between_replicas(A, B))} end}.

between_replicas(A, B) ->
	#{inc := IncA} = subscribe(A),
	subscribe(B),
	%% Not connected yet: the send fails instead of connecting behind our back, and takes no seq.
	{msg, A} ! {ss_send, <<"early">>, B, <<"x">>},
	[#{events := [{send_failed, <<"early">>, B, not_connected}], failed := [{B, 1}]}] =
		collect_reports(A, fun(R) -> R =/= [] end, 2000),
	{msg, A} ! {ss_peers, [A, B]},
	?assertEqual(ok, wait_links(A, B, 5000)),
	{msg, A} ! {ss_send, <<"m1">>, B, <<"hello">>},
	ReportsA = collect_reports(A, fun(R) -> lists:keymember(acked, 1, events(R)) end, 2000),
	ReportsB = collect_reports(B, fun(R) -> events(R) =/= [] end, 2000),
	[{sent, <<"m1">>, B, 1, T0, <<"hello">>}, {acked, <<"m1">>, B, 1, T0, T1, T2}] = events(ReportsA),
	[{received, <<"m1">>, A, IncA, 1, T0, T1, <<"hello">>}] = events(ReportsB),
	?assert(T0 =< T1 andalso T1 =< T2),
	?assertMatch([{B, 1, 1, T0, T0, <<>>}], runs(sent, ReportsA)),
	%% A plain seed sender.
	{msg, B} ! {send, node(), <<"seed">>},
	?assertMatch([{seed, <<"seed-", _/binary>>, _, _, <<"seed">>}], events(collect_reports(B, fun(R) -> R =/= [] end, 2000))),
	{msg, B} ! {get, self()},
	Me = node(),
	?assertEqual({msgs, [{Me, <<"seed">>}, {A, <<"hello">>}]}, receive {msgs, _} = M -> M after 2000 -> timeout end),
	%% A restarted sender is a new incarnation: its seqs start again at 1, as a new pair.
	ok = erpc:call(A, swarmscope_node, stop, []),
	{ok, _} = erpc:call(A, swarmscope_node, start, []),
	#{inc := IncA2} = subscribe(A),
	?assert(IncA2 > IncA),
	{msg, A} ! {ss_send, <<"m2">>, B, <<"again">>},
	[{received, <<"m2">>, A, IncA2, 1, _, _, <<"again">>}] = events(collect_reports(B, fun(R) -> events(R) =/= [] end, 2000)),
	?assertEqual([{A, IncA, 1, 1}, {A, IncA2, 1, 1}], lists:sort(maps:get(recvFrom, erpc:call(B, swarmscope_node, info, [])))).

wait_links(A, B, Timeout) ->
	receive
		{ss_links, A, Links} ->
			case lists:member(B, Links) of
				true -> ok;
				false -> wait_links(A, B, Timeout)
			end
	after Timeout ->
		timeout
	end.

%% Helpers.

subscribe() ->
	subscribe(node()).

subscribe(Node) ->
	{msg, Node} ! {ss_subscribe, self()},
	Info = receive {ss_hello, Node, I} -> I after 5000 -> error(no_hello) end,
	receive {ss_links, Node, _} -> ok after 1000 -> error(no_links) end,
	Info.

%% Reports until a stats message for which Pred is true.
until_stats(Node, Acc, Pred) ->
	receive
		{ss_report, Node, R} -> until_stats(Node, Acc ++ [R], Pred);
		{ss_stats, Node, S} ->
			case Pred(S) of
				true -> {Acc, S};
				false -> until_stats(Node, Acc, Pred)
			end
	after 5000 -> error(no_stats)
	end.

done(Reports) ->
	lists:keymember(traffic_done, 1, events(Reports)).
