%% The replica's books (docs/ACCOUNTING.md): per-pair sequence numbers, the runs of one flush,
%% and the exact per-peer counters. Called only from the `msg` process; the per-pair state
%% lives in its process dictionary, so a message costs one get and one put (no map or record
%% rebuilt per message), and the times of a run are kept as a list that is varint-encoded
%% once, at flush.
%%
%% Process dictionary:
%%   {tx, To}        {Seq, Seq0, N, Acc}        last seq sent to To; this flush's run Seq0..Seq0+N-1
%%   {txf, To}       {Total, ThisFlush}         failed local sends (no seq taken)
%%   {txa, To}       UpTo                       highest cumulative ack from To
%%   {From, FromInc} {Last, Count, Seq0, N, Acc} highest seq and count received; this flush's open run
%%   ss_dirty        [Key]                      keys with something for this flush
%%   ss_closed       [{Key, Seq0, N, Acc}]      runs of this flush cut by a gap (newest first)
%% Acc is the run's times newest first (tx: [T0 ...]; rx: [T1, T0 ...]), or without detail
%% {T0first, T0last} / {T1first, T1last, T0last}; [] when no run is open (N = 0).
-module(swarmscope_books).

%% API.
-export([init/1]).
-export([send_bulk/6]).
-export([send_msg/7]).
-export([received/6]).
-export([acked/2]).
-export([flush/1]).
-export([counters/0]).
-export([stats/0]).
-export([varint/1]).
-export([varints/1]).

-export_type([sent_run/0, recv_run/0]).

%% Largest seq, incarnation or latency reported: what a JSON number holds exactly.
-define(JS_MAX, 16#1FFFFFFFFFFFFF).

-type sent_run() :: {node(), pos_integer(), pos_integer(), integer(), integer(), binary() | undefined}.
-type recv_run() :: {node(), non_neg_integer(), pos_integer(), pos_integer(), integer(), integer(),
	binary() | undefined, binary() | undefined}.

%% Caps: receivers (To), received pairs ({From, FromInc}), incarnations kept per sender.
-spec init(#{max_peers := pos_integer(), max_pairs := pos_integer(), max_incs := pos_integer()}) -> ok.
init(#{max_peers := Peers, max_pairs := Pairs, max_incs := Incs}) ->
	put(ss_caps, {Peers, Pairs, Incs}),
	put(ss_dirty, []),
	put(ss_closed, []),
	put(ss_tx_peers, #{}),
	put(ss_rx_pairs, #{}),
	put(ss_rx_incs, #{}),
	put(ss_evicted, 0),
	ok.

%% Sending: the pair's next seq goes with the message only if the local send succeeds.

-spec send_bulk(node(), term(), integer(), node(), non_neg_integer(), boolean()) -> ok | failed | refused.
send_bulk(To, Content, T0, Node, Inc, Detail) ->
	case tx(To) of
		{Seq, _, _, _} = Tx ->
			case erlang:send({msg, To}, {ss_bulk, Node, Inc, Seq + 1, T0, Content}, [noconnect]) of
				ok -> took(To, Tx, T0, Detail), ok;
				noconnect -> failed(To)
			end;
		refused ->
			refused
	end.

-spec send_msg(term(), node(), term(), integer(), node(), non_neg_integer(), boolean()) ->
	{ok, pos_integer()} | failed | refused.
send_msg(Id, To, Content, T0, Node, Inc, Detail) ->
	case tx(To) of
		{Seq, _, _, _} = Tx ->
			case erlang:send({msg, To}, {ss_msg, Id, Node, Inc, Seq + 1, T0, Content}, [noconnect]) of
				ok -> took(To, Tx, T0, Detail), {ok, Seq + 1};
				noconnect -> failed(To)
			end;
		refused ->
			refused
	end.

tx(To) ->
	case get({tx, To}) of
		undefined -> new_peer(To);
		Tx -> Tx
	end.

new_peer(To) ->
	Peers = get(ss_tx_peers),
	{Max, _, _} = get(ss_caps),
	case map_size(Peers) < Max of
		true ->
			put(ss_tx_peers, Peers#{To => true}),
			put({tx, To}, {0, 0, 0, []}),
			{0, 0, 0, []};
		false ->
			refused
	end.

took(To, {Seq, _, 0, _}, T0, Detail) ->
	dirty({tx, To}),
	put({tx, To}, {Seq + 1, Seq + 1, 1, case Detail of true -> [T0]; false -> {T0, T0} end});
took(To, {Seq, Seq0, N, Acc}, T0, _) when is_list(Acc) ->
	put({tx, To}, {Seq + 1, Seq0, N + 1, [T0 | Acc]});
took(To, {Seq, Seq0, N, {First, _}}, T0, _) ->
	put({tx, To}, {Seq + 1, Seq0, N + 1, {First, T0}}).

failed(To) ->
	Key = {txf, To},
	case get(Key) of
		undefined -> dirty(Key), put(Key, {1, 1});
		{Total, 0} -> dirty(Key), put(Key, {Total + 1, 1});
		{Total, N} -> put(Key, {Total + 1, N + 1})
	end,
	failed.

%% A cumulative ack from By (already checked to be for this incarnation): `new` if it moves
%% ackedBy forward, `stale` if not; `invalid` (ignored) beyond what was sent, or from a node
%% never sent to.
-spec acked(node(), pos_integer()) -> new | stale | invalid.
acked(By, UpTo) ->
	case get({tx, By}) of
		{Seq, _, _, _} when UpTo =< Seq ->
			case get({txa, By}) of
				Old when is_integer(Old), Old >= UpTo -> stale;
				_ -> put({txa, By}, UpTo), new
			end;
		_ ->
			invalid
	end.

%% Receiving: extend the open run, or cut it at a gap. A seq at or below the highest seen
%% cannot come from a replica (Erlang keeps a pair's order) and is ignored.

-spec received(atom(), non_neg_integer(), pos_integer(), integer(), integer(), boolean()) -> ok | ignored.
received(From, FromInc, Seq, T0, T1, Detail) ->
	Key = {From, FromInc},
	case get(Key) of
		{Last, Count, Seq0, N, Acc} when Seq =:= Last + 1, N > 0 ->
			put(Key, {Seq, Count + 1, Seq0, N + 1, rx_add(Acc, T1, T0)}),
			ok;
		{Last, Count, Seq0, N, Acc} when Seq > Last ->
			case N of
				0 -> dirty(Key);
				_ -> put(ss_closed, [{Key, Seq0, N, Acc} | get(ss_closed)])
			end,
			put(Key, {Seq, Count + 1, Seq, 1, rx_new(T1, T0, Detail)}),
			ok;
		undefined ->
			case new_pair(From, FromInc) of
				ok -> received(From, FromInc, Seq, T0, T1, Detail);
				refused -> ignored
			end;
		_ ->
			ignored
	end.

rx_add(Acc, T1, T0) when is_list(Acc) -> [T1, T0 | Acc];
rx_add({First, _, _}, T1, T0) -> {First, T1, T0}.

rx_new(T1, T0, true) -> [T1, T0];
rx_new(T1, T0, false) -> {T1, T1, T0}.

%% A new {From, FromInc}: at most max_incs incarnations per sender (the oldest idle one
%% goes, its count kept in the totals) and max_pairs in all.
new_pair(From, FromInc) ->
	{_, MaxPairs, MaxIncs} = get(ss_caps),
	Incs = maps:get(From, get(ss_rx_incs), []),
	Room = case length(Incs) >= MaxIncs of
		true -> evict(From, lists:min(Incs), FromInc);
		false -> ok
	end,
	Pairs = get(ss_rx_pairs),
	case Room =:= ok andalso map_size(Pairs) < MaxPairs of
		true ->
			put(ss_rx_pairs, Pairs#{{From, FromInc} => true}),
			put(ss_rx_incs, (get(ss_rx_incs))#{From => [FromInc | maps:get(From, get(ss_rx_incs), [])]}),
			put({From, FromInc}, {0, 0, 0, 0, []}),
			ok;
		false ->
			refused
	end.

evict(_From, Oldest, New) when New < Oldest ->
	refused;
evict(From, Oldest, _New) ->
	case get({From, Oldest}) of
		{_, Count, _, 0, _} ->
			erase({From, Oldest}),
			put(ss_evicted, get(ss_evicted) + Count),
			put(ss_rx_pairs, maps:remove({From, Oldest}, get(ss_rx_pairs))),
			put(ss_rx_incs, (get(ss_rx_incs))#{From => lists:delete(Oldest, maps:get(From, get(ss_rx_incs)))}),
			ok;
		_ ->
			refused
	end.

dirty(Key) ->
	put(ss_dirty, [Key | get(ss_dirty)]).

%% Flush: this flush's runs (varint-encoded now) and failures; every pair received from gets
%% its cumulative ack, {ss_ack, Node, FromInc, UpTo, T0, T1} (times of seq UpTo).

-spec flush(node()) -> {[sent_run()], [recv_run()], [{node(), pos_integer()}]}.
flush(Node) ->
	Closed = [rx_run(Key, Seq0, N, Acc) || {Key, Seq0, N, Acc} <- lists:reverse(put(ss_closed, []))],
	{Sent, Open, Failed} = flush(lists:reverse(put(ss_dirty, [])), Node, [], [], []),
	%% A pair's runs cut by a gap come before its open run.
	{Sent, Closed ++ Open, Failed}.

flush([], _Node, Sent, Open, Failed) ->
	{lists:reverse(Sent), lists:reverse(Open), lists:reverse(Failed)};
flush([{tx, To} = Key | Rest], Node, Sent, Open, Failed) when is_atom(To) ->
	{Seq, Seq0, N, Acc} = get(Key),
	put(Key, {Seq, 0, 0, []}),
	flush(Rest, Node, [tx_run(To, Seq0, N, Acc) | Sent], Open, Failed);
flush([{txf, To} = Key | Rest], Node, Sent, Open, Failed) when is_atom(To) ->
	{Total, N} = get(Key),
	put(Key, {Total, 0}),
	flush(Rest, Node, Sent, Open, [{To, N} | Failed]);
flush([{From, FromInc} = Key | Rest], Node, Sent, Open, Failed) when is_integer(FromInc) ->
	{Last, Count, Seq0, N, Acc} = get(Key),
	put(Key, {Last, Count, 0, 0, []}),
	{T0, T1} = last_times(Acc),
	_ = catch erlang:send({msg, From}, {ss_ack, Node, FromInc, Last, T0, T1}, [noconnect]),
	flush(Rest, Node, Sent, [rx_run(Key, Seq0, N, Acc) | Open], Failed).

tx_run(To, Seq0, N, {First, Last}) ->
	{To, Seq0, N, First, Last, undefined};
tx_run(To, Seq0, N, [Last | Older]) ->
	{First, Deltas} = deltas(Older, Last, []),
	{To, Seq0, N, First, Last, iolist_to_binary(Deltas)}.

deltas([Prev | Older], Next, Acc) -> deltas(Older, Prev, [varint(Next - Prev) | Acc]);
deltas([], First, Acc) -> {First, Acc}.

rx_run({From, FromInc}, Seq0, N, {First, Last, _}) ->
	{From, FromInc, Seq0, N, First, Last, undefined, undefined};
rx_run({From, FromInc}, Seq0, N, [Last | _] = Acc) ->
	{First, Deltas, Lats} = rx_enc(Acc, [], []),
	{From, FromInc, Seq0, N, First, Last, iolist_to_binary(Deltas), iolist_to_binary(Lats)}.

rx_enc([T1, T0 | Older], Deltas, Lats) ->
	Lats1 = [varint(T1 - T0) | Lats],
	case Older of
		[Prev | _] -> rx_enc(Older, [varint(T1 - Prev) | Deltas], Lats1);
		[] -> {T1, Deltas, Lats1}
	end.

last_times([T1, T0 | _]) -> {T0, T1};
last_times({_, T1, T0}) -> {T0, T1}.

%% Unsigned LEB128, as iodata; negative values (a clock stepping back, a sender's clock ahead)
%% are 0, values past 2^53 - 1 are 2^53 - 1.
-spec varint(integer()) -> iodata() | byte().
varint(V) when V < 0 -> 0;
varint(V) when V < 128 -> V;
varint(V) when V > ?JS_MAX -> varint(?JS_MAX);
varint(V) -> [(V band 127) bor 128 | more(V bsr 7)].

more(V) when V < 128 -> [V];
more(V) -> [(V band 127) bor 128 | more(V bsr 7)].

%% Decodes a binary of varints (tests, bench).
-spec varints(binary()) -> [non_neg_integer()].
varints(Bin) -> varints(Bin, 0, 0, []).

varints(<<1:1, B:7, Rest/binary>>, Shift, V, Acc) -> varints(Rest, Shift + 7, V bor (B bsl Shift), Acc);
varints(<<0:1, B:7, Rest/binary>>, Shift, V, Acc) -> varints(Rest, 0, 0, [V bor (B bsl Shift) | Acc]);
varints(<<>>, 0, 0, Acc) -> lists:reverse(Acc).

%% The counters and their totals: sent, failed, acked (sum of ackedBy) and received (on
%% pairs, evicted ones included).
-spec stats() -> #{atom() => term()}.
stats() ->
	C = #{sentTo := SentTo, failedTo := FailedTo, ackedBy := AckedBy, recvFrom := RecvFrom, evicted := Evicted} = counters(),
	(maps:remove(evicted, C))#{
		sent => lists:sum([N || {_, N} <- SentTo]),
		failed => lists:sum([N || {_, N} <- FailedTo]),
		acked => lists:sum([N || {_, N} <- AckedBy]),
		received => lists:sum([N || {_, _, N, _} <- RecvFrom]) + Evicted}.

%% Exact per-peer counters since this incarnation started.
-spec counters() -> #{atom() => term()}.
counters() ->
	Peers = maps:keys(get(ss_tx_peers)),
	#{sentTo => [{To, element(1, get({tx, To}))} || To <- Peers],
	  failedTo => [{To, Total} || To <- Peers, {Total, _} <- [get({txf, To})]],
	  ackedBy => [{To, UpTo} || To <- Peers, UpTo <- [get({txa, To})], UpTo =/= undefined],
	  recvFrom => [{From, Inc, Count, Last} || {From, Inc} = Key <- maps:keys(get(ss_rx_pairs)),
		{Last, Count, _, _, _} <- [get(Key)]],
	  evicted => get(ss_evicted)}.
