-module(swarmscope_node_tests).
-include("swarmscope_eunit.hrl").

-import(swarmscope_test_util, [collect_events/3]).

%% Each test gets a fresh `msg` on this node.
local_test_() ->
	{foreach,
		fun() -> ok = swarmscope_test_util:ensure_distributed(), {ok, Pid} = swarmscope_node:start(), Pid end,
		fun(_) -> swarmscope_node:stop() end,
		[fun seed_send_get/1, fun inbox_is_bounded/1, fun subscribe_hello/1, fun seed_event/1,
		 fun send_to_self/1, fun send_not_connected/1, fun batching/1, fun flush_after_5ms/1,
		 fun subscriber_down/1, fun stats/1, fun traffic_all_acked/1, fun traffic_paced/1,
		 fun traffic_stop/1, fun traffic_bad_options/1, fun unknown_messages_ignored/1]}.

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
		msg ! {ss_subscribe, self()},
		receive {ss_hello, Node, Info} ->
			?assertMatch(#{otp := <<"2", _/binary>>, started_at := T, os_pid := <<_, _/binary>>} when is_integer(T), Info)
		after 1000 -> error(no_hello)
		end,
		receive {ss_links, Node, Links} -> ?assert(is_list(Links)) after 1000 -> error(no_links) end,
		%% Subscribing twice answers again but does not duplicate events.
		msg ! {ss_subscribe, self()},
		receive {ss_hello, Node, _} -> ok after 1000 -> error(no_hello) end,
		?assertMatch(#{subscribers := 1}, swarmscope_node:info()),
		msg ! {send, x, <<"once">>},
		[_] = collect_events(Node, fun(E) -> length(E) >= 1 end, 1000),
		receive {ss_events, _, _} = Dup -> error({duplicate, Dup}) after 50 -> ok end
	end).

seed_event(_) ->
	?_test(begin
		Node = node(),
		subscribe(),
		Before = os:system_time(microsecond),
		msg ! {send, 'x@127.0.0.1', <<"hi">>},
		msg ! {send, 'x@127.0.0.1', <<"again">>},
		[{received, Id1, 'x@127.0.0.1', undefined, T1, <<"hi">>, true},
		 {received, Id2, _, undefined, _, <<"again">>, true}] =
			collect_events(Node, fun(E) -> length(E) >= 2 end, 1000),
		?assertMatch(<<"seed-", _/binary>>, Id1),
		?assertNotEqual(Id1, Id2),
		?assert(T1 >= Before)
	end).

send_to_self(_) ->
	?_test(begin
		Node = node(),
		subscribe(),
		msg ! {ss_send, <<"m1">>, Node, <<"x">>},
		Events = collect_events(Node, fun(E) -> lists:keymember(acked, 1, E) end, 1000),
		[{sent, <<"m1">>, Node, T0, <<"x">>},
		 {received, <<"m1">>, Node, T0, T1, <<"x">>, false},
		 {acked, <<"m1">>, Node, T2, T1}] = Events,
		?assert(T0 =< T1 andalso T1 =< T2),
		msg ! {get, self()},
		?assertEqual({msgs, [{Node, <<"x">>}]}, receive {msgs, _} = M -> M end),
		?assertMatch(#{sent := 1, received := 1, acked := 1}, swarmscope_node:info())
	end).

send_not_connected(_) ->
	?_test(begin
		subscribe(),
		msg ! {ss_send, <<"m2">>, 'nobody-here@127.0.0.1', <<"x">>},
		?assertEqual([{send_failed, <<"m2">>, 'nobody-here@127.0.0.1', not_connected}],
			collect_events(node(), fun(E) -> E =/= [] end, 1000))
	end).

batching(_) ->
	?_test(begin
		Node = node(),
		subscribe(),
		%% While `msg` has more waiting it batches (at most 500 a batch); every event comes once, in order.
		[msg ! {send, x, N} || N <- lists:seq(1, 600)],
		Batches = collect_batches(Node, 600, []),
		?assert(length(Batches) >= 2),
		?assert(lists:all(fun(B) -> length(B) =< 500 end, Batches)),
		?assertEqual(lists:seq(1, 600), [C || {received, _, x, _, _, C, true} <- lists:append(Batches)])
	end).

collect_batches(_Node, 0, Acc) -> lists:reverse(Acc);
collect_batches(Node, Left, Acc) ->
	receive {ss_events, Node, E} -> collect_batches(Node, Left - length(E), [E | Acc])
	after 1000 -> error({missing_events, Left})
	end.

flush_after_5ms(_) ->
	?_test(begin
		Node = node(),
		subscribe(),
		T = erlang:monotonic_time(millisecond),
		msg ! {send, x, 1},
		receive {ss_events, Node, [_]} -> ok after 1000 -> error(no_flush) end,
		?assert(erlang:monotonic_time(millisecond) - T < 200)
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
		%% Events now go nowhere and `msg` keeps working.
		msg ! {send, x, <<"after">>},
		msg ! {get, self()},
		?assertMatch({msgs, [{x, <<"after">>}]}, receive {msgs, _} = M -> M end)
	end).

stats(_) ->
	?_test(begin
		Node = node(),
		subscribe(),
		receive {ss_stats, Node, Stats} ->
			?assertMatch(#{sent := 0, received := 0, acked := 0, inbox := 0, queue := _, memory := _}, Stats)
		after 2500 -> error(no_stats)
		end
	end).

traffic_all_acked(_) ->
	?_test(begin
		Node = node(),
		subscribe(),
		msg ! {ss_traffic, <<"r1">>, <<"7">>, [Node], #{rate => 0, count => 3000, order => cycle, content => <<"x">>}},
		Events = collect_events(Node, fun(E) -> done(E) andalso count(acked, E) >= 3000 end, 20000),
		?assertEqual([{traffic_done, <<"r1">>, 3000}], [E || {traffic_done, _, _} = E <- Events]),
		Sent = [Id || {sent, Id, _, _, _} <- Events],
		?assertEqual([<<"r1.7.", (integer_to_binary(N))/binary>> || N <- lists:seq(1, 3000)], Sent),
		?assertEqual(lists:sort(Sent), lists:sort([Id || {acked, Id, _, _, _} <- Events])),
		?assertEqual(3000, count(received, Events)),
		?assertMatch(#{generators := 0}, swarmscope_node:info())
	end).

traffic_paced(_) ->
	?_test(begin
		Node = node(),
		subscribe(),
		T = erlang:monotonic_time(millisecond),
		msg ! {ss_traffic, <<"r2">>, <<"1">>, [Node, Node], #{rate => 200, count => 40, order => random}},
		Events = collect_events(Node, fun done/1, 5000),
		Took = erlang:monotonic_time(millisecond) - T,
		?assertEqual(40, count(sent, Events)),
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
		Events = collect_events(Node, fun done/1, 2000),
		[{traffic_done, <<"r3">>, Sent}] = [E || {traffic_done, _, _} = E <- Events],
		?assert(Sent > 0 andalso Sent < 100),
		msg ! {ss_traffic_stop, all},
		Events2 = collect_events(Node, fun done/1, 2000),
		?assertMatch([{traffic_done, <<"r4">>, _}], [E || {traffic_done, _, _} = E <- Events2]),
		?assertEqual(ok, wait_until(fun() -> maps:get(generators, swarmscope_node:info()) =:= 0 end, 1000))
	end).

traffic_bad_options(_) ->
	?_test(begin
		msg ! {ss_traffic, <<"r5">>, <<"1">>, [node()], #{rate => -1}},
		msg ! {ss_traffic, <<"r5">>, <<"1">>, [<<"not an atom">>], #{}},
		msg ! {ss_traffic, <<"r5">>, <<"1">>, [node()], #{order => sideways}},
		?assertMatch(#{generators := 0}, swarmscope_node:info())
	end).

unknown_messages_ignored(_) ->
	?_test(begin
		Pid = whereis(msg),
		msg ! hello,
		msg ! {ss_send, <<"m">>, <<"not an atom">>, x},
		msg ! {ss_subscribe, not_a_pid},
		gen_server:cast(msg, whatever),
		?assertMatch(#{}, swarmscope_node:info()),
		?assertEqual(Pid, whereis(msg))
	end).

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
	{msg, A} ! {ss_subscribe, self()},
	{msg, B} ! {ss_subscribe, self()},
	receive {ss_hello, A, _} -> ok after 5000 -> error(no_hello_a) end,
	receive {ss_hello, B, _} -> ok after 5000 -> error(no_hello_b) end,
	%% Not connected yet: the send fails instead of connecting behind our back.
	{msg, A} ! {ss_send, <<"early">>, B, <<"x">>},
	?assertMatch([{send_failed, <<"early">>, B, not_connected}], collect_events(A, fun(E) -> E =/= [] end, 2000)),
	{msg, A} ! {ss_peers, [A, B]},
	?assertEqual(ok, wait_links(A, B, 5000)),
	{msg, A} ! {ss_send, <<"m1">>, B, <<"hello">>},
	EventsA = collect_events(A, fun(E) -> lists:keymember(acked, 1, E) end, 2000),
	EventsB = collect_events(B, fun(E) -> E =/= [] end, 2000),
	[{sent, <<"m1">>, B, T0, <<"hello">>}, {acked, <<"m1">>, B, T2, T1}] = EventsA,
	[{received, <<"m1">>, A, T0, T1, <<"hello">>, false}] = EventsB,
	?assert(T0 =< T1 andalso T1 =< T2),
	%% A plain seed sender.
	{msg, B} ! {send, node(), <<"seed">>},
	?assertMatch([{received, <<"seed-", _/binary>>, _, undefined, _, <<"seed">>, true}],
		collect_events(B, fun(E) -> E =/= [] end, 2000)),
	{msg, B} ! {get, self()},
	Me = node(),
	?assertEqual({msgs, [{Me, <<"seed">>}, {A, <<"hello">>}]}, receive {msgs, _} = M -> M after 2000 -> timeout end).

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
	Node = node(),
	msg ! {ss_subscribe, self()},
	receive {ss_hello, Node, _} -> ok after 1000 -> error(no_hello) end,
	receive {ss_links, Node, _} -> ok after 1000 -> error(no_links) end.

done(Events) ->
	lists:keymember(traffic_done, 1, Events).

count(Tag, Events) ->
	length([E || E <- Events, element(1, E) =:= Tag]).

wait_until(Pred, Timeout) when Timeout =< 0 ->
	case Pred() of true -> ok; false -> timeout end;
wait_until(Pred, Timeout) ->
	case Pred() of
		true -> ok;
		false -> timer:sleep(10), wait_until(Pred, Timeout - 10)
	end.
