-module(swarmscope_books_tests).
-include("swarmscope_eunit.hrl").

%% The books live in the calling process's dictionary: each test runs in a fresh process,
%% registered as `msg` so that what it "sends" to node() comes back to it.
-define(CAPS, #{max_peers => 8, max_pairs => 16, max_incs => 2}).

in_books(Fun) ->
	ok = swarmscope_test_util:ensure_distributed(),
	Parent = self(),
	{Pid, MRef} = spawn_monitor(fun() ->
		true = register(msg, self()),
		ok = swarmscope_books:init(?CAPS),
		Parent ! {self(), Fun()}
	end),
	receive
		{Pid, Result} -> demonitor(MRef, [flush]), Result;
		{'DOWN', MRef, process, Pid, Reason} -> error(Reason)
	end.

varint_test() ->
	Values = [0, 1, 127, 128, 255, 300, 16383, 16384, 1 bsl 35, (1 bsl 53) - 1],
	Bin = iolist_to_binary([swarmscope_books:varint(V) || V <- Values]),
	?assertEqual(Values, swarmscope_books:varints(Bin)),
	?assertEqual(<<172, 2>>, iolist_to_binary([swarmscope_books:varint(300)])),
	%% Negative is 0, past 2^53 - 1 is 2^53 - 1.
	?assertEqual([0, (1 bsl 53) - 1], swarmscope_books:varints(iolist_to_binary(
		[swarmscope_books:varint(-5), swarmscope_books:varint(1 bsl 60)]))).

%% Seqs per receiver, 1, 2, 3...; the run carries first and last times and the deltas.
seqs_per_pair_test() ->
	{Sent, Msgs} = in_books(fun() ->
		Me = node(),
		[ok = swarmscope_books:send_bulk(Me, <<"x">>, T, Me, 7, true) || T <- [100, 150, 151, 400]],
		{S, [], []} = swarmscope_books:flush(Me),
		{S, drain()}
	end),
	Me = node(),
	?assertMatch([{Me, 1, 4, 100, 400, _}], Sent),
	[{_, _, _, _, _, Deltas}] = Sent,
	?assertEqual([50, 1, 249], swarmscope_books:varints(Deltas)),
	?assertEqual([{ss_bulk, Me, 7, S, T, <<"x">>} || {S, T} <- [{1, 100}, {2, 150}, {3, 151}, {4, 400}]], Msgs).

%% A failed local send takes no seq: the seqs sent are exactly 1..S.
failed_send_takes_no_seq_test() ->
	{Results, Sent, Failed, Counters} = in_books(fun() ->
		Me = node(),
		Gone = 'nobody-here@127.0.0.1',
		R1 = swarmscope_books:send_bulk(Gone, x, 1, Me, 7, true),
		R2 = swarmscope_books:send_msg(<<"m">>, Gone, x, 2, Me, 7, true),
		R3 = swarmscope_books:send_msg(<<"m">>, Me, x, 3, Me, 7, true),
		R = [R1, R2, R3],
		{S, [], F} = swarmscope_books:flush(Me),
		_ = drain(),
		{R, S, F, swarmscope_books:counters()}
	end),
	?assertEqual([failed, failed, {ok, 1}], Results),
	?assertMatch([{_, 1, 1, 3, 3, _}], Sent),
	?assertEqual([{'nobody-here@127.0.0.1', 2}], Failed),
	?assertEqual(lists:sort([{node(), 1}, {'nobody-here@127.0.0.1', 0}]), lists:sort(maps:get(sentTo, Counters))),
	?assertEqual([{'nobody-here@127.0.0.1', 2}], maps:get(failedTo, Counters)).

%% The receiver: runs of consecutive seqs, cut at a gap; one run per incarnation; T1 deltas
%% and one-way latencies; a seq at or below the highest is ignored; a cumulative ack per
%% pair at flush.
received_runs_test() ->
	{Results, Recv, Acks, Counters} = in_books(fun() ->
		R = [swarmscope_books:received(a, Inc, S, T0, T1, true)
			|| {Inc, S, T0, T1} <- [{1, 1, 100, 110}, {1, 2, 110, 120}, {1, 3, 130, 140}, {1, 6, 200, 205},
				{1, 7, 210, 230}, {1, 7, 300, 300}, {1, 2, 300, 300}, {2, 1, 500, 490}]],
		{[], Rv, []} = swarmscope_books:flush(node()),
		{R, Rv, drain(), swarmscope_books:counters()}
	end),
	?assertEqual([ok, ok, ok, ok, ok, ignored, ignored, ok], Results),
	[{a, 1, 1, 3, 110, 140, D1, L1}, {a, 1, 6, 2, 205, 230, D2, L2}, {a, 2, 1, 1, 490, 490, D3, L3}] = Recv,
	?assertEqual({[10, 20], [10, 10, 10]}, {swarmscope_books:varints(D1), swarmscope_books:varints(L1)}),
	?assertEqual({[25], [5, 20]}, {swarmscope_books:varints(D2), swarmscope_books:varints(L2)}),
	%% A receive time before the send time (differing clocks) is a latency of 0.
	?assertEqual({[], [0]}, {swarmscope_books:varints(D3), swarmscope_books:varints(L3)}),
	%% Acks go to {msg, From}: here `a` is no node, so none arrive; counters say it all.
	?assertEqual([], Acks),
	?assertEqual(lists:sort([{a, 1, 5, 7}, {a, 2, 1, 1}]), lists:sort(maps:get(recvFrom, Counters))).

%% A run continues across nothing but its own flush: the next flush starts a new run where the
%% last one ended, and the cumulative ack names the highest seq with its T0 and T1.
flush_boundary_and_ack_test() ->
	{R1, R2, Acks} = in_books(fun() ->
		Me = node(),
		ok = swarmscope_books:received(Me, 9, 1, 10, 20, true),
		ok = swarmscope_books:received(Me, 9, 2, 11, 21, true),
		{[], A, []} = swarmscope_books:flush(Me),
		ok = swarmscope_books:received(Me, 9, 3, 12, 22, true),
		{[], B, []} = swarmscope_books:flush(Me),
		{[], [], []} = swarmscope_books:flush(Me),
		{A, B, drain()}
	end),
	Me = node(),
	?assertMatch([{Me, 9, 1, 2, 20, 21, _, _}], R1),
	?assertMatch([{Me, 9, 3, 1, 22, 22, _, _}], R2),
	?assertEqual([{ss_ack, Me, 9, 2, 11, 21}, {ss_ack, Me, 9, 3, 12, 22}], Acks).

%% Without detail, a run keeps only its first and last times.
no_detail_test() ->
	{Sent, Recv} = in_books(fun() ->
		Me = node(),
		[ok = swarmscope_books:send_bulk(Me, x, T, Me, 1, false) || T <- [5, 6, 9]],
		[ok = swarmscope_books:received(b, 3, S, 1, T1, false) || {S, T1} <- [{1, 10}, {2, 11}, {3, 15}]],
		{S, R, []} = swarmscope_books:flush(Me),
		_ = drain(),
		{S, R}
	end),
	?assertMatch([{_, 1, 3, 5, 9, undefined}], Sent),
	?assertEqual([{b, 3, 1, 3, 10, 15, undefined, undefined}], Recv).

acked_test() ->
	Results = in_books(fun() ->
		Me = node(),
		[ok = swarmscope_books:send_bulk(Me, x, 1, Me, 1, true) || _ <- [1, 2, 3]],
		_ = drain(),
		A = [swarmscope_books:acked(By, UpTo) || {By, UpTo} <- [{Me, 2}, {Me, 2}, {Me, 1}, {Me, 3}, {Me, 4}, {stranger, 1}]],
		A ++ [maps:get(ackedBy, swarmscope_books:counters())]
	end),
	?assertEqual([new, stale, stale, new, invalid, invalid, [{node(), 3}]], Results).

%% Bounded state: at most max_incs incarnations per sender (the oldest idle one goes, its
%% count kept) and max_pairs pairs; at most max_peers receivers.
caps_test() ->
	{Incs, Pairs, Peers, Counters} = in_books(fun() ->
		I = [swarmscope_books:received(s, Inc, 1, 0, 0, true) || Inc <- [10, 20]],
		{[], _, []} = swarmscope_books:flush(node()),
		%% A third incarnation evicts 10; an older one than all kept is refused.
		I2 = [swarmscope_books:received(s, Inc, 1, 0, 0, true) || Inc <- [30, 5]],
		P = [swarmscope_books:received(list_to_atom("p" ++ integer_to_list(N)), 1, 1, 0, 0, true) || N <- lists:seq(1, 20)],
		Me = node(),
		Q = [swarmscope_books:send_bulk(list_to_atom("q" ++ integer_to_list(N) ++ "@nohost"), x, 1, Me, 1, true)
			|| N <- lists:seq(1, 10)],
		{I ++ I2, P, Q, swarmscope_books:counters()}
	end),
	?assertEqual([ok, ok, ok, ignored], Incs),
	%% 16 pairs in all: s/20, s/30 and 14 more.
	?assertEqual(lists:duplicate(14, ok) ++ lists:duplicate(6, ignored), Pairs),
	?assertEqual(lists:duplicate(8, failed) ++ [refused, refused], Peers),
	?assertEqual(1, maps:get(evicted, Counters)),
	?assertEqual(16, length(maps:get(recvFrom, Counters))).

drain() ->
	receive M -> [M | drain()] after 0 -> [] end.
