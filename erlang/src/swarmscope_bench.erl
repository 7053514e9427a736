%% Benchmarks. run/2 is the baseline of `npm run bench`: raw Erlang distribution between two
%% nodes, with no Swarmscope in the path (one-way throughput of small messages, round trip
%% percentiles). compare/1 measures, Erlang only, that baseline against a generator storm
%% n1 -> n2 through `msg` with every message accounted (issue 13): reports flowing to a
%% subscriber that discards them (committing as the server would), then through the bridge
%% as JSON frames.
-module(swarmscope_bench).

%% API.
-export([sink/0]).
-export([run/2]).
-export([raw/2]).
-export([compare/1]).
-export([receiver_cost/1]).

-define(COMMIT_MS, 10).

-spec sink() -> no_return().
sink() ->
	register(bench_sink, self()),
	sink_loop(0).

sink_loop(Count) ->
	receive
		{bench_msg, _Seq, _Payload} -> sink_loop(Count + 1);
		{bench_count, From} -> From ! {bench_count, Count}, sink_loop(0);
		{bench_ping, From, T} -> From ! {bench_pong, T}, sink_loop(Count)
	end.

%% Sends N one-way messages to the sink on Node, then 10000 sequential round trips; prints one
%% JSON line: {"rawMsgsPerSec":..,"rttP50Us":..,"rttP99Us":..}.
-spec run(node(), pos_integer()) -> ok.
run(Node, N) ->
	#{count := Count, seconds := Seconds, per_sec := PerSec} = raw(Node, N),
	Sink = wait_sink(Node, 100),
	Rtts = lists:sort([rtt(Sink) || _ <- lists:seq(1, 10000)]),
	io:format("{\"rawMsgs\":~b,\"rawReceived\":~b,\"rawSeconds\":~.6f,\"rawMsgsPerSec\":~b,\"rttP50Us\":~b,\"rttP99Us\":~b}~n",
		[N, Count, Seconds, PerSec, pct(Rtts, 50), pct(Rtts, 99)]).

%% One-way throughput of N messages to the sink on Node (started there if it is not running).
-spec raw(node(), pos_integer()) -> #{count := non_neg_integer(), seconds := float(), per_sec := non_neg_integer()}.
raw(Node, N) ->
	Sink = wait_sink(Node, 100),
	T0 = erlang:monotonic_time(microsecond),
	send_n(Sink, N, <<"bench">>),
	Sink ! {bench_count, self()},
	Count = receive {bench_count, C} -> C after 60000 -> 0 end,
	Seconds = (erlang:monotonic_time(microsecond) - T0) / 1.0e6,
	#{count => Count, seconds => Seconds, per_sec => round(Count / Seconds)}.

wait_sink(Node, 0) -> error({no_sink_on, Node});
wait_sink(Node, Tries) ->
	%% The sink node may still be starting: retry the connection too.
	case net_kernel:connect_node(Node) andalso rpc:call(Node, erlang, whereis, [bench_sink]) of
		Pid when is_pid(Pid) -> Pid;
		_ -> timer:sleep(100), wait_sink(Node, Tries - 1)
	end.

send_n(_Sink, 0, _P) -> ok;
send_n(Sink, N, P) -> Sink ! {bench_msg, N, P}, send_n(Sink, N - 1, P).

rtt(Sink) ->
	T = erlang:monotonic_time(microsecond),
	Sink ! {bench_ping, self(), T},
	receive {bench_pong, T} -> erlang:monotonic_time(microsecond) - T end.

pct(Sorted, P) -> lists:nth(max(1, min(length(Sorted), ceil(P / 100 * length(Sorted)))), Sorted).

%% Raw n1 -> n2, accounted n1 -> n2 with a discarding subscriber, raw, accounted through the
%% bridge, raw: prints [measure] lines and returns the figures. Run it on a distributed node
%% (it starts n1 and n2 as peers on 127.0.0.1).
-spec compare(pos_integer()) -> map().
compare(Count) ->
	Dep = "b" ++ integer_to_list(erlang:unique_integer([positive])),
	Ebin = filename:dirname(code:which(?MODULE)),
	Peers = [start_peer(N ++ "-" ++ Dep, Ebin) || N <- ["n1", "n2"]],
	[{_, N1}, {_, N2}] = Peers,
	try
		_ = erpc:call(N2, erlang, spawn, [?MODULE, sink, []]),
		{msg, N1} ! {ss_peers, [N1, N2]},
		ok = wait_until(fun() -> lists:member(N2, erpc:call(N1, erlang, nodes, [])) end, 5000),
		Raw1 = say("raw", raw_on(N1, N2, Count)),
		Discard = say("accounted, discarded", discard_run(N1, N2, Count)),
		Raw2 = say("raw", raw_on(N1, N2, Count)),
		Bridge = say("accounted, bridge", bridge_run(Dep, N1, N2, Count)),
		Raw3 = say("raw", raw_on(N1, N2, Count)),
		Median = lists:nth(2, lists:sort([Raw1, Raw2, Raw3])),
		Cost = receiver_cost(100000),
		Result = Cost#{count => Count, raw => [Raw1, Raw2, Raw3], rawMedian => Median,
			accountedDiscard => Discard, accountedBridge => Bridge,
			ratioDiscard => Discard / Median, ratioBridge => Bridge / Median},
		io:format("[measure] raw n1->n2 msgs/s: ~p (median ~b)~n", [[Raw1, Raw2, Raw3], Median]),
		io:format("[measure] accounted n1->n2, reports discarded: ~b msgs/s, ratio ~.3f~n", [Discard, Discard / Median]),
		io:format("[measure] accounted n1->n2, reports as JSON through the bridge: ~b msgs/s, ratio ~.3f~n",
			[Bridge, Bridge / Median]),
		Result
	after
		[catch peer:stop(P) || {P, _} <- Peers]
	end.

say(What, PerSec) ->
	io:format("[measure] ~s: ~b msgs/s~n", [What, PerSec]),
	PerSec.

%% The receiver's own work per message, without distribution: N messages queued while the
%% receiver is suspended, then the time it takes to handle them all (best of 5): a bare
%% receive loop against `msg` accounting {ss_bulk, ...} (one pair, latencies of ~100 us).
%% Runs on this node; `msg` must not be running here.
-spec receiver_cost(pos_integer()) -> #{sinkNsPerMsg := integer(), msgNsPerMsg := integer()}.
receiver_cost(N) ->
	{ok, Msg} = swarmscope_node:start(),
	Sub = spawn_link(fun Loop() ->
		receive {ss_report, _, #{inc := I, rseq := R}} -> Msg ! {ss_commit, I, R}, Loop(); _ -> Loop() end
	end),
	Msg ! {ss_subscribe, Sub},
	try
		Costs = [{drain_sink(N), drain_msg(Msg, N, K)} || K <- lists:seq(1, 5)],
		Sink = lists:min([S || {S, _} <- Costs]),
		Accounted = lists:min([A || {_, A} <- Costs]),
		io:format("[measure] receiver work per message, no distribution: bare receive ~b ns, msg ~b ns~n", [Sink, Accounted]),
		#{sinkNsPerMsg => Sink, msgNsPerMsg => Accounted}
	after
		unlink(Sub), exit(Sub, kill), swarmscope_node:stop()
	end.

drain_sink(N) ->
	Me = self(),
	Pid = spawn(fun() -> receive go -> ok end, T0 = erlang:monotonic_time(nanosecond), sink_n(N),
		Me ! {drained, erlang:monotonic_time(nanosecond) - T0} end),
	erlang:suspend_process(Pid),
	_ = [Pid ! {bench_msg, I, <<"bench">>} || I <- lists:seq(1, N)],
	erlang:resume_process(Pid),
	Pid ! go,
	receive {drained, T} -> T div N end.

sink_n(0) -> ok;
sink_n(N) -> receive {bench_msg, _, _} -> sink_n(N - 1) end.

drain_msg(Msg, N, K) ->
	erlang:suspend_process(Msg),
	Now = os:system_time(microsecond),
	_ = [Msg ! {ss_bulk, 'bench-peer@127.0.0.1', 1, (K - 1) * N + I, Now - 100 + I div 100, <<"x">>} || I <- lists:seq(1, N)],
	T0 = erlang:monotonic_time(nanosecond),
	erlang:resume_process(Msg),
	_ = swarmscope_node:info(),
	(erlang:monotonic_time(nanosecond) - T0) div N.

start_peer(Name, Ebin) ->
	{ok, Peer, Node} = peer:start_link(#{name => Name, host => "127.0.0.1", longnames => true,
		args => ["-setcookie", atom_to_list(erlang:get_cookie()), "-pa", Ebin, "-connect_all", "false"]}),
	{ok, _} = erpc:call(Node, swarmscope_node, start, []),
	{Peer, Node}.

raw_on(N1, N2, Count) ->
	#{per_sec := PerSec} = erpc:call(N1, ?MODULE, raw, [N2, Count], 120000),
	PerSec.

%% A subscriber that counts n2's received runs and commits like the server (every 10 ms).
discard_run(N1, N2, Count) ->
	Me = self(),
	Sub = spawn_link(fun() -> discard_sub(Me, [N1, N2], N2, Count) end),
	receive {subscribed, Sub} -> ok end,
	T0 = erlang:monotonic_time(microsecond),
	{msg, N1} ! {ss_traffic, <<"bench">>, <<"1">>, [N2], #{rate => 0, count => Count}},
	receive {done, Sub, T1} -> unlink(Sub), exit(Sub, kill), round(Count / ((T1 - T0) / 1.0e6))
	after 300000 -> error(discard_run_timeout)
	end.

discard_sub(Parent, Nodes, Receiver, Count) ->
	[{msg, N} ! {ss_subscribe, self()} || N <- Nodes],
	[receive {ss_hello, N, _} -> ok end || N <- Nodes],
	Parent ! {subscribed, self()},
	_ = erlang:send_after(?COMMIT_MS, self(), commit),
	discard_loop(Parent, Receiver, Count, 0, #{}).

discard_loop(Parent, Receiver, Count, Got, Commits) ->
	receive
		{ss_report, Receiver, #{recv := Recv, inc := Inc, rseq := Rseq}} ->
			Got1 = Got + lists:sum([N || {_, _, _, N, _, _, _, _} <- Recv]),
			_ = Got1 >= Count andalso Got < Count andalso
				(Parent ! {done, self(), erlang:monotonic_time(microsecond)}),
			discard_loop(Parent, Receiver, Count, Got1, Commits#{Receiver => {Inc, Rseq}});
		{ss_report, Node, #{inc := Inc, rseq := Rseq}} ->
			discard_loop(Parent, Receiver, Count, Got, Commits#{Node => {Inc, Rseq}});
		commit ->
			_ = [{msg, N} ! {ss_commit, Inc, Rseq} || {N, {Inc, Rseq}} <- maps:to_list(Commits)],
			_ = erlang:send_after(?COMMIT_MS, self(), commit),
			discard_loop(Parent, Receiver, Count, Got, #{});
		_ ->
			discard_loop(Parent, Receiver, Count, Got, Commits)
	end.

%% The bridge writes its frames to a collector that commits every 10 ms (reading only the
%% frame's head); the frames are decoded after the run, to find when n2's reports had counted
%% every message.
bridge_run(Dep, N1, N2, Count) ->
	Me = self(),
	Collector = spawn_link(fun() -> collect(Me, undefined, []) end),
	{ok, Bridge} = swarmscope_bridge:start_link(#{out => Collector}),
	Collector ! {bridge, Bridge},
	swarmscope_bridge:input(Bridge, iolist_to_binary(["{\"t\":\"discover\",\"mode\":\"epmd\",\"host\":\"127.0.0.1\",\"deployment\":\"", Dep, "\"}"])),
	ok = wait_until(fun() -> Collector ! {up, self()}, receive {up, U} -> U >= 2 end end, 10000),
	B2 = atom_to_binary(N2),
	Before = erpc:call(N2, swarmscope_node, info, []),
	T0 = erlang:monotonic_time(microsecond),
	swarmscope_bridge:input(Bridge, iolist_to_binary(["{\"t\":\"traffic\",\"run\":\"bench2\",\"node\":\"", atom_to_binary(N1),
		"\",\"targets\":[\"", B2, "\"],\"rate\":0,\"count\":", integer_to_binary(Count), "}"])),
	ok = wait_until(fun() ->
		maps:get(received, erpc:call(N2, swarmscope_node, info, [])) >= maps:get(received, Before) + Count
	end, 300000),
	timer:sleep(200),
	Collector ! {frames, self()},
	Frames = receive {frames, F} -> F end,
	unlink(Bridge), exit(Bridge, kill), unlink(Collector), exit(Collector, kill),
	%% Reports re-sent from before (the outbox, on subscribe) have an rseq up to n2's at the start.
	T1 = done_at(Frames, B2, maps:get(rseq, Before), Count, 0),
	round(Count / ((T1 - T0) / 1.0e6)).

collect(Parent, Bridge, Frames) ->
	receive
		{bridge, B} -> collect(Parent, B, Frames);
		{swarmscope_bridge, _, Json} ->
			T = erlang:monotonic_time(microsecond),
			commit_later(Bridge, Json),
			collect(Parent, Bridge, [{T, Json} | Frames]);
		{up, From} ->
			From ! {up, length([x || {_, Json} <- Frames, nodeup(Json)])},
			collect(Parent, Bridge, Frames);
		commit ->
			_ = [swarmscope_bridge:input(Bridge, C) || {_, C} <- maps:to_list(erase_commits())],
			collect(Parent, Bridge, Frames);
		{frames, From} ->
			From ! {frames, lists:reverse(Frames)}
	end.

nodeup(Json) ->
	case swarmscope_json:decode(Json) of
		{ok, #{<<"t">> := <<"nodeup">>}} -> true;
		_ -> false
	end.

%% {"t":"report","node":"N","inc":I,"rseq":R,...: keep the newest commit per node.
commit_later(_Bridge, <<"{\"t\":\"report\",\"node\":\"", Rest/binary>>) ->
	[Node, Rest1] = binary:split(Rest, <<"\",\"inc\":">>),
	[Inc, Rest2] = binary:split(Rest1, <<",\"rseq\":">>),
	[Rseq | _] = binary:split(Rest2, <<",">>),
	Commits = case get(commits) of undefined -> _ = erlang:send_after(?COMMIT_MS, self(), commit), #{}; C -> C end,
	put(commits, Commits#{Node => iolist_to_binary(["{\"t\":\"commit\",\"node\":\"", Node, "\",\"inc\":", Inc,
		",\"upto\":", Rseq, "}"])});
commit_later(_, _) ->
	ok.

erase_commits() ->
	case erase(commits) of undefined -> #{}; C -> C end.

done_at([{T, <<"{\"t\":\"report\"", _/binary>> = Json} | Rest], Node, Rseq0, Count, Got) ->
	{ok, #{<<"node">> := N, <<"rseq">> := Rseq, <<"recv">> := Recv}} = swarmscope_json:decode(Json),
	Got1 = case N of
		Node when Rseq > Rseq0 -> Got + lists:sum([lists:nth(4, R) || R <- Recv]);
		_ -> Got
	end,
	case Got1 >= Count of
		true -> T;
		false -> done_at(Rest, Node, Rseq0, Count, Got1)
	end;
done_at([_ | Rest], Node, Rseq0, Count, Got) ->
	done_at(Rest, Node, Rseq0, Count, Got);
done_at([], _, _, _, Got) ->
	error({not_all_reported, Got}).

wait_until(Pred, Timeout) ->
	case Pred() of
		true -> ok;
		false when Timeout > 0 -> timer:sleep(20), wait_until(Pred, Timeout - 20);
		false -> timeout
	end.
