%% JSON frames the bridge writes for what replicas report (erlang/PROTOCOL.md, "Bridge
%% frames"): report, stats and links, written directly as iolists (one frame per report, no
%% map per message). Input comes from other nodes, so every field is checked: a malformed
%% report, stats or links term throws `bad` and no frame is written. Unknown events inside a
%% report are left out (a newer replica may know more).
-module(swarmscope_frames).

%% API.
-export([report/2]).
-export([stats/2]).
-export([links/2]).
-export([name/1]).
-export([text/1]).

-define(IS_NAT(X), (is_integer(X) andalso X >= 0)).

%% {"t":"report","node":..,"inc":..,"rseq":..,"sent":[..],"recv":[..],"acked":[..],
%%  "failed":[..],"seed":..,"dropped":..,"droppedEvents":..,"events":[..]}
-spec report(atom(), map()) -> iodata().
report(Node, #{inc := Inc, rseq := Rseq, sent := Sent, recv := Recv, acked := Acked, failed := Failed,
		events := Events, seed := Seed, dropped := Dropped, droppedEvents := DroppedEvents}) ->
	[<<"{\"t\":\"report\",\"node\":">>, name(Node), <<",\"inc\":">>, nat(Inc), <<",\"rseq\":">>, nat(Rseq),
	 <<",\"sent\":">>, array(fun sent_run/1, Sent),
	 <<",\"recv\":">>, array(fun recv_run/1, Recv),
	 <<",\"acked\":">>, array(fun ack/1, Acked),
	 <<",\"failed\":">>, array(fun failed/1, Failed),
	 <<",\"seed\":">>, nat(Seed), <<",\"dropped\":">>, nat(Dropped),
	 <<",\"droppedEvents\":">>, nat(DroppedEvents),
	 <<",\"events\":">>, array(fun event/1, Events), $}];
report(_, _) ->
	throw(bad).

%% [to, seq0, n, t0first, t0last, t0deltas]
sent_run({To, Seq0, N, First, Last, Deltas}) when is_atom(To) ->
	[$[, name(To), $,, nat(Seq0), $,, nat(N), $,, int(First), $,, int(Last), $,, b64(Deltas), $]];
sent_run(_) ->
	throw(bad).

%% [from, fromInc, seq0, n, t1first, t1last, t1deltas, lat]
recv_run({From, FromInc, Seq0, N, First, Last, Deltas, Lat}) when is_atom(From) ->
	[$[, name(From), $,, nat(FromInc), $,, nat(Seq0), $,, nat(N), $,, int(First), $,, int(Last), $,,
	 b64(Deltas), $,, b64(Lat), $]];
recv_run(_) ->
	throw(bad).

%% [to, upTo, t2, t0]
ack({To, UpTo, T2, T0}) when is_atom(To) ->
	[$[, name(To), $,, nat(UpTo), $,, int(T2), $,, int(T0), $]];
ack(_) ->
	throw(bad).

%% [to, n]
failed({To, N}) when is_atom(To) -> [$[, name(To), $,, nat(N), $]];
failed(_) -> throw(bad).

event({sent, Id, To, Seq, T0, Content}) when is_atom(To) ->
	[<<"{\"e\":\"sent\",\"id\":">>, text(Id), <<",\"to\":">>, name(To), <<",\"seq\":">>, nat(Seq),
	 <<",\"t\":">>, int(T0), <<",\"content\":">>, text(Content), $}];
event({received, Id, From, FromInc, Seq, T0, T1, Content}) when is_atom(From) ->
	[<<"{\"e\":\"received\",\"id\":">>, text(Id), <<",\"from\":">>, name(From),
	 <<",\"fromInc\":">>, nat(FromInc), <<",\"seq\":">>, nat(Seq), <<",\"t0\":">>, int(T0),
	 <<",\"t\":">>, int(T1), <<",\"content\":">>, text(Content), <<",\"seed\":false}">>];
event({seed, Id, From, T1, Content}) ->
	[<<"{\"e\":\"received\",\"id\":">>, text(Id), <<",\"from\":">>, name(From), <<",\"t0\":null,\"t\":">>,
	 int(T1), <<",\"content\":">>, text(Content), <<",\"seed\":true}">>];
event({acked, Id, To, Seq, T0, T1, T2}) when is_atom(To) ->
	[<<"{\"e\":\"acked\",\"id\":">>, text(Id), <<",\"to\":">>, name(To), <<",\"seq\":">>, nat(Seq),
	 <<",\"t0\":">>, int(T0), <<",\"t1\":">>, int(T1), <<",\"t\":">>, int(T2), $}];
event({send_failed, Id, To, Reason}) when is_atom(To) ->
	[<<"{\"e\":\"send_failed\",\"id\":">>, text(Id), <<",\"to\":">>, name(To), <<",\"reason\":">>,
	 name(Reason), $}];
event({traffic_done, Run, Sent}) ->
	[<<"{\"e\":\"traffic_done\",\"run\":">>, text(Run), <<",\"sent\":">>, nat(Sent), $}];
event({traffic_sent, Run, Sent}) ->
	[<<"{\"e\":\"traffic_sent\",\"run\":">>, text(Run), <<",\"sent\":">>, nat(Sent), $}];
event(_) ->
	skip.

%% {"t":"stats","node":..,"inc":..,"rseq":.., totals.., "sentTo":[[to,n]],"failedTo":[[to,n]],
%%  "ackedBy":[[to,upTo]],"recvFrom":[[from,fromInc,count,highest]]}
-spec stats(atom(), map()) -> iodata().
stats(Node, Stats = #{inc := _, rseq := _, sentTo := SentTo, failedTo := FailedTo, ackedBy := AckedBy,
		recvFrom := RecvFrom}) ->
	Totals = [[$,, $", atom_to_binary(K), <<"\":">>, nat(maps:get(K, Stats))]
		|| K <- [inc, rseq, sent, received, acked, failed, seed, dropped, droppedEvents, ignored,
			inbox, queue, memory]],
	[<<"{\"t\":\"stats\",\"node\":">>, name(Node), Totals,
	 <<",\"sentTo\":">>, array(fun failed/1, SentTo),
	 <<",\"failedTo\":">>, array(fun failed/1, FailedTo),
	 <<",\"ackedBy\":">>, array(fun failed/1, AckedBy),
	 <<",\"recvFrom\":">>, array(fun recv_from/1, RecvFrom), $}];
stats(_, _) ->
	throw(bad).

recv_from({From, FromInc, Count, Highest}) when is_atom(From) ->
	[$[, name(From), $,, nat(FromInc), $,, nat(Count), $,, nat(Highest), $]];
recv_from(_) ->
	throw(bad).

-spec links(atom(), list()) -> iodata().
links(Node, Links) ->
	[<<"{\"t\":\"links\",\"node\":">>, name(Node), <<",\"links\":">>,
	 array(fun(L) when is_atom(L) -> name(L); (_) -> throw(bad) end, Links), $}].

%% JSON values.

-spec name(term()) -> iodata().
name(Term) -> swarmscope_json:encode(swarmscope_text:name(Term)).

-spec text(term()) -> iodata().
text(Term) -> swarmscope_json:encode(swarmscope_text:text(Term)).

nat(N) when ?IS_NAT(N) -> integer_to_binary(N);
nat(_) -> throw(bad).

int(N) when is_integer(N) -> integer_to_binary(N);
int(_) -> throw(bad).

b64(undefined) -> <<"null">>;
b64(Bin) when is_binary(Bin) -> [$", base64:encode(Bin), $"];
b64(_) -> throw(bad).

%% A JSON array of F(X) for a proper list; elements for which F gives `skip` are left out.
array(F, List) ->
	[$[, lists:join($,, elements(F, List)), $]].

elements(_, []) -> [];
elements(F, [X | Rest]) ->
	case F(X) of
		skip -> elements(F, Rest);
		Json -> [Json | elements(F, Rest)]
	end;
elements(_, _) -> throw(bad).
