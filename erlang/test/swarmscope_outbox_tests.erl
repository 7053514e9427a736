-module(swarmscope_outbox_tests).
-include("swarmscope_eunit.hrl").

report(Sent, Recv) ->
	report(Sent, Recv, []).

report(Sent, Recv, Events) ->
	#{sent => Sent, recv => Recv, acked => [], failed => [], events => Events, seed => 0, dropped => 0,
	  droppedEvents => 0}.

received() ->
	receive {ss_report, n, R} -> [R | received()] after 0 -> [] end.

%% Sent with the next rseq and kept until committed; re-sent in order on request.
send_commit_resend_test() ->
	Ob0 = swarmscope_outbox:new(10),
	Ob1 = swarmscope_outbox:add(report([{b, 1, 1, 5, 5, <<>>}], []), [self()], n, 42, Ob0),
	Ob2 = swarmscope_outbox:add(report([{b, 2, 1, 6, 6, <<>>}], []), [self()], n, 42, Ob1),
	?assertMatch([#{rseq := 1, inc := 42, sent := [{b, 1, _, _, _, _}]}, #{rseq := 2, inc := 42}], received()),
	?assertEqual({2, 2}, {swarmscope_outbox:waiting(Ob2), swarmscope_outbox:rseq(Ob2)}),
	Ob3 = swarmscope_outbox:commit(1, Ob2),
	ok = swarmscope_outbox:resend(self(), n, Ob3),
	?assertMatch([#{rseq := 2}], received()),
	Ob4 = swarmscope_outbox:commit(7, Ob3),
	?assertEqual({0, 0}, {swarmscope_outbox:waiting(Ob4), swarmscope_outbox:bytes(Ob4)}).

%% With nobody subscribed, reports merge into one: runs of a pair join (deltas joined by the
%% gap between them), counts add, events keep their order; it goes out with the next rseq.
merge_while_unsubscribed_test() ->
	D = fun(L) -> iolist_to_binary([swarmscope_books:varint(V) || V <- L]) end,
	R1 = (report([{b, 1, 2, 100, 110, D([10])}], [{a, 7, 1, 2, 200, 203, D([3]), D([1, 2])}], [e1]))#{seed => 1,
		failed => [{c, 2}], acked => [{b, 1, 300, 100}]},
	R2 = (report([{b, 3, 2, 150, 151, D([1])}], [{a, 7, 3, 1, 250, 250, D([]), D([5])},
		{a, 8, 1, 1, 260, 260, D([]), D([0])}], [e2, e3]))#{seed => 2, failed => [{c, 1}, {d, 1}],
		acked => [{b, 2, 400, 110}], dropped => 3},
	Ob1 = swarmscope_outbox:add(R1, [], n, 42, swarmscope_outbox:new(10)),
	Ob2 = swarmscope_outbox:add(R2, [], n, 42, Ob1),
	?assertEqual([], received()),
	?assert(swarmscope_outbox:pending(Ob2)),
	Ob3 = swarmscope_outbox:release([self()], n, 42, Ob2),
	[R] = received(),
	?assertMatch(#{rseq := 1, inc := 42, seed := 3, dropped := 3, events := [e1, e2, e3],
		sent := [{b, 1, 4, 100, 151, _}], acked := [{b, 2, 400, 110}]}, R),
	[{b, 1, 4, 100, 151, Deltas}] = maps:get(sent, R),
	?assertEqual([10, 40, 1], swarmscope_books:varints(Deltas)),
	?assertEqual([{a, 7, 1, 3, 200, 250, D([3, 47]), D([1, 2, 5])}, {a, 8, 1, 1, 260, 260, D([]), D([0])}],
		lists:sort(maps:get(recv, R))),
	?assertEqual([{c, 3}, {d, 1}], lists:sort(maps:get(failed, R))),
	?assertNot(swarmscope_outbox:pending(Ob3)),
	?assertEqual(1, swarmscope_outbox:waiting(Ob3)).

%% Runs that do not continue each other, or with detail on one side only, stay apart.
merge_keeps_apart_test() ->
	Ob1 = swarmscope_outbox:add(report([{b, 1, 2, 1, 2, <<1>>}], []), [], n, 1, swarmscope_outbox:new(10)),
	Ob2 = swarmscope_outbox:add(report([{b, 5, 1, 9, 9, <<>>}], []), [], n, 1, Ob1),
	Ob3 = swarmscope_outbox:add(report([{b, 6, 2, 10, 12, undefined}], []), [], n, 1, Ob2),
	Ob4 = swarmscope_outbox:add(report([{b, 8, 1, 13, 13, undefined}], []), [], n, 1, Ob3),
	_ = swarmscope_outbox:release([self()], n, 1, Ob4),
	[#{sent := Sent}] = received(),
	?assertEqual([{b, 1, 2, 1, 2, <<1>>}, {b, 5, 1, 9, 9, <<>>}, {b, 6, 3, 10, 13, undefined}], Sent).

%% At most `window` reports wait for a commit; then reports merge until commits make room.
window_test() ->
	Ob = lists:foldl(fun(S, Acc) -> swarmscope_outbox:add(report([{b, S, 1, S, S, <<>>}], []), [self()], n, 1, Acc) end,
		swarmscope_outbox:new(2), lists:seq(1, 5)),
	?assertEqual([1, 2], [maps:get(rseq, R) || R <- received()]),
	?assert(swarmscope_outbox:pending(Ob)),
	Ob1 = swarmscope_outbox:release([self()], n, 1, swarmscope_outbox:commit(1, Ob)),
	?assertMatch([#{rseq := 3, sent := [{b, 3, 3, 3, 5, _}]}], received()),
	?assertNot(swarmscope_outbox:pending(Ob1)).

%% Detail bytes held: varint binaries and events, released by commits.
bytes_test() ->
	R = report([{b, 1, 3, 1, 3, <<1, 1>>}], [{a, 1, 1, 3, 1, 3, <<1, 1>>, <<0, 0, 0>>}], [{seed, <<"id">>, x, 1, <<"c">>}]),
	Size = swarmscope_outbox:report_bytes(R),
	?assertEqual(7 + erlang:external_size([{seed, <<"id">>, x, 1, <<"c">>}]), Size),
	Ob = swarmscope_outbox:add(R, [self()], n, 1, swarmscope_outbox:new(4)),
	_ = received(),
	?assertEqual(Size, swarmscope_outbox:bytes(Ob)),
	?assertEqual(0, swarmscope_outbox:bytes(swarmscope_outbox:commit(1, Ob))).
