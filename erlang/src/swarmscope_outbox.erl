%% The replica's reports until the server has stored them (docs/ACCOUNTING.md, "Exactly once,
%% through any crash"). A report is sent to the subscribers with the next `rseq` and kept until
%% an `ss_commit` covers it; every subscribe re-sends what is kept, in order. A report made
%% while nobody is subscribed, or while `window` reports are already waiting for a commit, has
%% been seen by no one: it is merged into one pending report (runs of a pair join, counts add)
%% and sent, with the next rseq, when a subscriber is there and the window has room. So rseqs
%% are contiguous and a long outage costs one report.
-module(swarmscope_outbox).

%% API.
-export([new/1]).
-export([add/5]).
-export([release/4]).
-export([commit/2]).
-export([resend/3]).
-export([bytes/1]).
-export([rseq/1]).
-export([waiting/1]).
-export([pending/1]).
-export([report_bytes/1]).

-export_type([outbox/0, report/0]).

%% A report before it is sent: no inc or rseq yet.
-type report() :: #{sent := [swarmscope_books:sent_run()], recv := [swarmscope_books:recv_run()],
	acked := [{node(), pos_integer(), integer(), integer()}], failed := [{node(), pos_integer()}],
	events := [tuple()], seed := non_neg_integer(), dropped := non_neg_integer(),
	droppedEvents := non_neg_integer()}.

-record(pend, {
	%% Runs per pair key, newest first.
	sent = #{} :: #{node() => [swarmscope_books:sent_run()]},
	recv = #{} :: #{{node(), non_neg_integer()} => [swarmscope_books:recv_run()]},
	acked = #{} :: #{node() => {pos_integer(), integer(), integer()}},
	failed = #{} :: #{node() => pos_integer()},
	%% Event lists of the merged reports, newest first.
	events = [] :: [[tuple()]],
	seed = 0 :: non_neg_integer(),
	dropped = 0 :: non_neg_integer(),
	dropped_events = 0 :: non_neg_integer(),
	bytes = 0 :: non_neg_integer()
}).

-record(outbox, {
	window :: pos_integer(),
	%% Sent, not yet committed: {Rseq, Report, Bytes}, oldest first.
	sent = queue:new() :: queue:queue({pos_integer(), map(), non_neg_integer()}),
	n = 0 :: non_neg_integer(),
	rseq = 0 :: non_neg_integer(),
	pending = none :: none | #pend{},
	%% Detail bytes held: sent reports and the pending one.
	bytes = 0 :: non_neg_integer()
}).

-opaque outbox() :: #outbox{}.

-spec new(pos_integer()) -> outbox().
new(Window) ->
	#outbox{window = Window}.

%% A report from a flush: sent to Subs now, or merged into the pending report.
-spec add(report(), [pid()], node(), non_neg_integer(), outbox()) -> outbox().
add(Report, Subs, Node, Inc, Ob = #outbox{pending = none, n = N, window = W}) when Subs =/= [], N < W ->
	send(Report, report_bytes(Report), Subs, Node, Inc, Ob);
add(Report, _Subs, _Node, _Inc, Ob = #outbox{pending = Pend, bytes = Bytes}) ->
	Size = report_bytes(Report),
	Pend1 = merge(case Pend of none -> #pend{}; _ -> Pend end, Report, Size),
	Ob#outbox{pending = Pend1, bytes = Bytes + Size}.

%% Sends the pending report if there is one, a subscriber, and room in the window.
-spec release([pid()], node(), non_neg_integer(), outbox()) -> outbox().
release(Subs, Node, Inc, Ob = #outbox{pending = Pend = #pend{bytes = Size}, n = N, window = W, bytes = Bytes})
		when Subs =/= [], N < W ->
	send(finish(Pend), Size, Subs, Node, Inc, Ob#outbox{pending = none, bytes = Bytes - Size});
release(_, _, _, Ob) ->
	Ob.

%% The server has stored every report up to UpTo.
-spec commit(non_neg_integer(), outbox()) -> outbox().
commit(UpTo, Ob = #outbox{sent = Q, n = N, bytes = Bytes}) ->
	case queue:peek(Q) of
		{value, {Rseq, _, Size}} when Rseq =< UpTo ->
			commit(UpTo, Ob#outbox{sent = queue:drop(Q), n = N - 1, bytes = Bytes - Size});
		_ ->
			Ob
	end.

%% Every kept report again, in order, to a subscriber that (re)subscribed.
-spec resend(pid(), node(), outbox()) -> ok.
resend(Pid, Node, #outbox{sent = Q}) ->
	_ = [erlang:send(Pid, {ss_report, Node, Report}, [noconnect]) || {_, Report, _} <- queue:to_list(Q)],
	ok.

-spec bytes(outbox()) -> non_neg_integer().
bytes(#outbox{bytes = Bytes}) -> Bytes.

%% The rseq of the newest report sent.
-spec rseq(outbox()) -> non_neg_integer().
rseq(#outbox{rseq = Rseq}) -> Rseq.

%% Reports sent and not committed.
-spec waiting(outbox()) -> non_neg_integer().
waiting(#outbox{n = N}) -> N.

-spec pending(outbox()) -> boolean().
pending(#outbox{pending = Pend}) -> Pend =/= none.

%% What a report holds of per-message detail: its varint binaries and its events.
-spec report_bytes(report()) -> non_neg_integer().
report_bytes(#{sent := Sent, recv := Recv, events := Events}) ->
	lists:sum([size_of(D) || {_, _, _, _, _, D} <- Sent])
		+ lists:sum([size_of(D) + size_of(L) || {_, _, _, _, _, _, D, L} <- Recv])
		+ case Events of [] -> 0; _ -> erlang:external_size(Events) end.

size_of(Bin) when is_binary(Bin) -> byte_size(Bin);
size_of(undefined) -> 0.

%% Internals.

send(Report, Size, Subs, Node, Inc, Ob = #outbox{sent = Q, n = N, rseq = Rseq, bytes = Bytes}) ->
	Rseq1 = Rseq + 1,
	Full = Report#{inc => Inc, rseq => Rseq1},
	_ = [erlang:send(Pid, {ss_report, Node, Full}, [noconnect]) || Pid <- Subs],
	Ob#outbox{sent = queue:in({Rseq1, Full, Size}, Q), n = N + 1, rseq = Rseq1, bytes = Bytes + Size}.

merge(P = #pend{}, #{sent := Sent, recv := Recv, acked := Acked, failed := Failed, events := Events,
		seed := Seed, dropped := Dropped, droppedEvents := DroppedEvents}, Size) ->
	P#pend{
		sent = lists:foldl(fun(Run, Acc) -> join(element(1, Run), Run, Acc) end, P#pend.sent, Sent),
		recv = lists:foldl(fun(Run, Acc) -> join({element(1, Run), element(2, Run)}, Run, Acc) end, P#pend.recv, Recv),
		acked = lists:foldl(fun newest_ack/2, P#pend.acked, Acked),
		failed = lists:foldl(fun({To, N}, Acc) -> Acc#{To => maps:get(To, Acc, 0) + N} end, P#pend.failed, Failed),
		events = case Events of [] -> P#pend.events; _ -> [Events | P#pend.events] end,
		seed = P#pend.seed + Seed,
		dropped = P#pend.dropped + Dropped,
		dropped_events = P#pend.dropped_events + DroppedEvents,
		bytes = P#pend.bytes + Size}.

newest_ack({To, UpTo, T2, T0}, Acc) ->
	case Acc of
		#{To := {Old, _, _}} when Old > UpTo -> Acc;
		_ -> Acc#{To => {UpTo, T2, T0}}
	end.

join(Key, Run, Acc) ->
	Acc#{Key => join_run(maps:get(Key, Acc, []), Run)}.

%% A run that continues the newest one of its pair, with detail on both or neither, extends it.
join_run([{To, S0, N, F, L, D} | Older], {To, S1, M, F1, L1, D1}) when S0 + N =:= S1, is_binary(D), is_binary(D1) ->
	[{To, S0, N + M, F, L1, <<D/binary, (gap(F1, L))/binary, D1/binary>>} | Older];
join_run([{To, S0, N, F, _, undefined} | Older], {To, S1, M, _, L1, undefined}) when S0 + N =:= S1 ->
	[{To, S0, N + M, F, L1, undefined} | Older];
join_run([{Fr, I, S0, N, F, L, D, Lat} | Older], {Fr, I, S1, M, F1, L1, D1, Lat1})
		when S0 + N =:= S1, is_binary(D), is_binary(D1) ->
	[{Fr, I, S0, N + M, F, L1, <<D/binary, (gap(F1, L))/binary, D1/binary>>, <<Lat/binary, Lat1/binary>>} | Older];
join_run([{Fr, I, S0, N, F, _, undefined, undefined} | Older], {Fr, I, S1, M, _, L1, undefined, undefined})
		when S0 + N =:= S1 ->
	[{Fr, I, S0, N + M, F, L1, undefined, undefined} | Older];
join_run(Runs, Run) ->
	[Run | Runs].

gap(Next, Prev) ->
	iolist_to_binary([swarmscope_books:varint(Next - Prev)]).

finish(#pend{sent = Sent, recv = Recv, acked = Acked, failed = Failed, events = Events, seed = Seed,
		dropped = Dropped, dropped_events = DroppedEvents}) ->
	#{sent => lists:append([lists:reverse(Runs) || Runs <- maps:values(Sent)]),
	  recv => lists:append([lists:reverse(Runs) || Runs <- maps:values(Recv)]),
	  acked => [{To, UpTo, T2, T0} || {To, {UpTo, T2, T0}} <- maps:to_list(Acked)],
	  failed => maps:to_list(Failed),
	  events => lists:append(lists:reverse(Events)),
	  seed => Seed, dropped => Dropped, droppedEvents => DroppedEvents}.
