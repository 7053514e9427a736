-module(swarmscope_fault_tests).
-include("swarmscope_eunit.hrl").
-define(_assertEqual(Expect, Expr), ?_test(?assertEqual(Expect, Expr))).
%% Peers that link only where a test links them.
-define(NO_MESH, ["-connect_all", "false"]).

%% Peers here are controlled over their stdio (peer's standard_io connection), not over
%% distribution: this test node is a visible node, and a partition or a delay cuts every
%% visible link of the node it is given. So functions of this module run on the peers (their
%% code path has this module's directory) and answer through peer:call.

%% Pure shaping rules.

release_test_() ->
	Never = fun() -> 0.99 end,
	Always = fun() -> 0.0 end,
	[?_assertEqual({send, 100}, swarmscope_proxy:release(100, 0, none, 10, Never)),
	 ?_assertEqual({send, 500}, swarmscope_proxy:release(100, 500, none, 10, Never)),
	 %% Delay 10 ms, jitter drawn near the top (+5 of 5), no loss.
	 ?_assertEqual({send, 1000 + 15000}, swarmscope_proxy:release(1000, 0, {10, 5, 0}, 10, fun() -> 0.98 end)),
	 %% Never before the previous chunk: order is kept whatever the jitter.
	 ?_assertEqual({send, 90000}, swarmscope_proxy:release(1000, 90000, {10, 5, 0}, 10, Never)),
	 %% Behind a held chunk: leaves with it, and is not lost on its own.
	 ?_assertEqual({send, 90000}, swarmscope_proxy:release(1000, 90000, {10, 0, 100}, 10, Always)),
	 %% Lost on an idle link: 10 ms + one RTO (the retransmission goes through).
	 ?_assertEqual({send, 1000 + 210000}, swarmscope_proxy:release(1000, 0, {10, 0, 30}, 10, draws([0.5, 0.1, 0.9]))),
	 %% 100 % loss: TCP gives up after 15 retransmissions and the connection is reset.
	 ?_assertMatch({reset, _}, swarmscope_proxy:release(0, 0, {0, 0, 100}, 10, Always))].

hold_test_() ->
	[?_assertEqual(0, swarmscope_proxy:hold_ms(100, 0, fun() -> 0.0 end)),
	 ?_assertEqual(0, swarmscope_proxy:hold_ms(100, 30, draws([0.5]))),
	 %% Lost once: one RTO. Lost, and the retransmission too: 200 + 400.
	 ?_assertEqual(200, swarmscope_proxy:hold_ms(100, 30, draws([0.1, 0.5]))),
	 ?_assertEqual(600, swarmscope_proxy:hold_ms(100, 30, draws([0.1, 0.2, 0.5]))),
	 %% The RTO doubles up to 1600 ms and stays there.
	 ?_assertEqual(200 + 400 + 800 + 1600 + 1600, swarmscope_proxy:hold_ms(100, 30, draws([0.1, 0.1, 0.1, 0.1, 0.1, 0.9]))),
	 %% A chunk of 10 segments is hit far more often than one segment (1 - 0.7^10 = 0.97).
	 ?_assertEqual(0, swarmscope_proxy:hold_ms(1000, 30, draws([0.5]))),
	 ?_assertEqual(200, swarmscope_proxy:hold_ms(14600, 30, draws([0.5, 0.9]))),
	 %% The first send and 15 retransmissions lost: TCP gives up (tcp_retries2).
	 ?_assertEqual({give_up, 200 + 400 + 800 + 1600 * 13}, swarmscope_proxy:hold_ms(10, 100, fun() -> 0.0 end))].

draws(List) ->
	Key = make_ref(),
	put(Key, List),
	fun() -> [X | Rest] = get(Key), put(Key, Rest), X end.

%% A node without -epmd_module swarmscope_epmd refuses faults it could not enforce; bad
%% commands are answered or ignored, never a crash.
bad_input_test_() ->
	{setup,
		fun() -> ok = swarmscope_test_util:ensure_distributed(), {ok, Pid} = swarmscope_fault:start(), Pid end,
		fun(_) -> swarmscope_fault:stop() end,
		fun(Pid) -> ?_test(bad_input(Pid)) end}.

bad_input(Pid) ->
	?assertEqual({error, no_epmd_module}, command(ss_partition, [['x@127.0.0.1']])),
	?assertEqual({error, bad_peers}, command(ss_partition, [[<<"x@127.0.0.1">>]])),
	?assertEqual({error, bad_peers}, command(ss_partition, [not_a_list])),
	?assertEqual({error, bad_shaping}, command(ss_delay, [-1, 0, 0])),
	?assertEqual({error, bad_shaping}, command(ss_delay, [100, 0, 101])),
	?assertEqual({error, bad_shaping}, command(ss_delay, [100, <<"5">>, 0])),
	?assertEqual({error, bad_route}, command(ss_route, ['x@127.0.0.1', {{300, 0, 0, 1}, 9100}])),
	?assertEqual({error, bad_route}, command(ss_route, ["x@127.0.0.1", {{127, 0, 0, 1}, 9100}])),
	?assertEqual({error, bad_peer}, command(ss_unroute, ["x"])),
	?assertEqual(ok, command(ss_heal, [])),
	?assertEqual(ok, command(ss_clear, [])),
	ss_fault ! {ss_partition, not_a_pid, ref, []},
	ss_fault ! {ss_delay, self(), ref, 1},
	ss_fault ! "nonsense",
	gen_server:cast(ss_fault, nonsense),
	?assertEqual({error, unknown_call}, gen_server:call(ss_fault, nonsense)),
	?assertEqual({error, not_delayed}, swarmscope_fault:out_proxy("x", "127.0.0.1")),
	ss_fault ! {ss_fault_get, self()},
	Node = node(),
	?assertEqual({ss_fault_state, Node, #{partition => #{}, delay => none, routes => #{}, proxied => []}},
		receive {ss_fault_state, _, _} = S -> S after 1000 -> timeout end),
	?assertEqual(Pid, whereis(ss_fault)).

%% Partition {A} | {B, C}, told to A alone. These peers run as replicas should: with global's
%% transitive connections, and without its prevent_overlapping_partitions (OTP 25's default),
%% which would cut B from C too.
partition_test_() ->
	Replica = ["-kernel", "prevent_overlapping_partitions", "false"],
	{setup, fun() -> start_peers(["pa", "pb", "pc"], Replica) end, fun stop_peers/1,
		fun(Peers) -> {timeout, 30, ?_test(partition(Peers))} end}.

partition([{PA, A}, {PB, B}, {PC, C}]) ->
	ok = mesh([{PA, A}, {PB, B}, {PC, C}]),
	{ok, CutMs} = peer:call(PA, ?MODULE, timed, [ss_partition, [[B, C]], nodedown, [B, C]], 15000),
	io:format(user, "~n[measure] partition: A lost both links in ~.1f ms~n", [CutMs]),
	?assertEqual([], peer:call(PA, erlang, nodes, [])),
	?assertEqual([C], peer:call(PB, erlang, nodes, [])),
	?assertEqual([B], peer:call(PC, erlang, nodes, [])),
	%% Neither side can reconnect: A's epmd has no port for B or C, A refuses their handshakes.
	?assertNot(peer:call(PA, net_kernel, connect_node, [B])),
	?assertNot(peer:call(PB, net_kernel, connect_node, [A])),
	?assertNot(peer:call(PC, net_kernel, connect_node, [A])),
	?assertMatch(#{partition := #{B := _, C := _}}, peer:call(PA, swarmscope_fault, state, [])),
	{ok, HealMs} = peer:call(PA, ?MODULE, timed, [ss_heal, [], nodeup, [B, C]], 15000),
	io:format(user, "[measure] heal: A linked to both again in ~.1f ms~n", [HealMs]),
	?assertEqual(ok, wait_links(PB, [A, C], 5000)),
	?assertEqual(ok, wait_links(PC, [A, B], 5000)),
	?assertMatch(#{partition := P} when map_size(P) =:= 0, peer:call(PA, swarmscope_fault, state, [])).

%% Delay 100 ± 20 ms on B: A's round trips to B grow by about 200 ms; clear takes it away. C is
%% never told the route: its straight link to B is cut and made again through B's proxy.
delay_test_() ->
	{setup, fun() -> start_peers(["da", "db", "dc"], ?NO_MESH) end, fun stop_peers/1,
		fun(Peers) -> {timeout, 30, ?_test(delay(Peers))} end}.

delay([{PA, A}, {PB, B}, {PC, C}]) ->
	ok = mesh([{PA, A}, {PB, B}]),
	ok = peer:call(PB, ?MODULE, start_echo, []),
	Base = median(peer:call(PA, ?MODULE, rtts, [B, 20])),
	T0 = erlang:monotonic_time(microsecond),
	{ok, #{route := Route}} = peer:call(PB, ?MODULE, command, [ss_delay, [100, 20, 0]]),
	ok = peer:call(PA, ?MODULE, command, [ss_route, [B, Route]]),
	?assertEqual(ok, wait_until(fun() -> maps:get(proxied, peer:call(PB, swarmscope_fault, state, [])) =:= [A] end, 10000)),
	io:format(user, "~n[measure] delay on: B's link re-formed through its proxy in ~.1f ms",
		[(erlang:monotonic_time(microsecond) - T0) / 1000]),
	Delayed = median(peer:call(PA, ?MODULE, rtts, [B, 20], 20000)),
	io:format(user, "~n[measure] delay 100 +- 20 ms on B: round trip A->B->A p50 ~.1f ms, was ~.2f ms (+~.1f ms)~n",
		[Delayed / 1000, Base / 1000, (Delayed - Base) / 1000]),
	?assert(Delayed - Base >= 150000),
	%% Everything still arrives, in order.
	{Seqs, _} = peer:call(PA, ?MODULE, burst, [B, 1, 1000, 0], 20000),
	?assertEqual(lists:seq(1, 1000), Seqs),
	?assertMatch(#{delay := #{delay_ms := 100, route := Route}}, peer:call(PB, swarmscope_fault, state, [])),
	true = peer:call(PC, net_kernel, connect_node, [B]),
	?assertEqual(ok, wait_until(fun() -> lists:sort(maps:get(proxied, peer:call(PB, swarmscope_fault, state, []))) =:= [A, C] end, 10000)),
	?assertEqual(ok, wait_links(PC, [B], 10000)),
	DelayedC = median(peer:call(PC, ?MODULE, rtts, [B, 5], 20000)),
	io:format(user, "[measure] a peer without the route, relinked through B's proxy: round trip p50 ~.1f ms~n", [DelayedC / 1000]),
	?assert(DelayedC >= 150000),
	%% Clear: routes first, then the proxies; B reconnects directly.
	ok = peer:call(PA, ?MODULE, command, [ss_unroute, [B]]),
	T1 = erlang:monotonic_time(microsecond),
	ok = peer:call(PB, ?MODULE, command, [ss_clear, []]),
	?assertEqual(ok, wait_until(fun() -> lists:member(A, peer:call(PB, erlang, nodes, [])) end, 10000)),
	io:format(user, "[measure] clear: B linked straight again in ~.1f ms~n", [(erlang:monotonic_time(microsecond) - T1) / 1000]),
	Cleared = median(peer:call(PA, ?MODULE, rtts, [B, 20])),
	io:format(user, "[measure] after clear: round trip p50 ~.2f ms~n", [Cleared / 1000]),
	?assert(Cleared < Delayed - 100000),
	?assertMatch(#{delay := none}, peer:call(PB, swarmscope_fault, state, [])),
	?assertMatch(#{routes := R} when map_size(R) =:= 0, peer:call(PA, swarmscope_fault, state, [])).

%% Loss 30 % on B: nothing is lost, nothing reordered, latency grows by retransmission waits.
loss_test_() ->
	{setup, fun() -> start_peers(["la", "lb"], ?NO_MESH) end, fun stop_peers/1,
		fun(Peers) -> {timeout, 30, ?_test(loss(Peers))} end}.

loss([{PA, A}, {PB, B}]) ->
	ok = mesh([{PA, A}, {PB, B}]),
	%% 2,000 messages in 100 bursts of 20, 10 ms apart.
	{_, Before} = peer:call(PA, ?MODULE, burst, [B, 100, 20, 10], 20000),
	{ok, #{route := Route}} = peer:call(PB, ?MODULE, command, [ss_delay, [0, 0, 30]]),
	ok = peer:call(PA, ?MODULE, command, [ss_route, [B, Route]]),
	?assertEqual(ok, wait_links(PA, [B], 10000)),
	{Seqs, Lossy} = peer:call(PA, ?MODULE, burst, [B, 100, 20, 10], 25000),
	?assertEqual(lists:seq(1, 2000), Seqs),
	io:format(user, "~n[measure] loss 30 % on B, one way A->B over 2000 messages: p50 ~.1f ms p99 ~.1f ms max ~.1f ms; "
		"before p50 ~.2f ms p99 ~.2f ms~n",
		[pct(50, Lossy) / 1000, pct(99, Lossy) / 1000, lists:max(Lossy) / 1000, pct(50, Before) / 1000, pct(99, Before) / 1000]),
	?assert(pct(99, Lossy) >= 150000),
	ok = peer:call(PB, ?MODULE, command, [ss_clear, []]).

%% A frozen peer is seen down after net_ticktime (2 s here), not after the default 60 s.
freeze_test_() ->
	Tick = ["-kernel", "net_ticktime", "2" | ?NO_MESH],
	{setup, fun() -> start_peers(["fb", "fc"], Tick) end, fun stop_peers/1,
		fun(Peers) -> {timeout, 30, ?_test(freeze(Peers))} end}.

freeze(Peers = [{PB, _}, {PC, C}]) ->
	ok = mesh(Peers),
	ok = peer:call(PB, ?MODULE, start_watch, [C]),
	OsPid = peer:call(PC, os, getpid, []),
	T0 = os:system_time(microsecond),
	"" = os:cmd("kill -STOP " ++ OsPid),
	try
		{down, T1} = peer:call(PB, ?MODULE, wait_watch, [10000], 15000),
		io:format(user, "~n[measure] freeze: SIGSTOP'ed peer seen nodedown after ~.2f s (net_ticktime 2)~n",
			[(T1 - T0) / 1000000])
	after
		os:cmd("kill -CONT " ++ OsPid)
	end.

%% Peers.

start_peers(Names, Extra) ->
	U = swarmscope_test_util:unique(),
	[start_peer(Name ++ U, Extra) || Name <- Names].

start_peer(Name, Extra) ->
	ok = swarmscope_test_util:ensure_distributed(),
	Ebin = filename:dirname(code:which(swarmscope_fault)),
	Here = filename:dirname(code:which(?MODULE)),
	{ok, Peer, Node} = peer:start_link(#{name => Name, host => "127.0.0.1", longnames => true,
		connection => standard_io,
		args => ["-setcookie", atom_to_list(erlang:get_cookie()), "-pa", Ebin, "-pa", Here,
			"-epmd_module", "swarmscope_epmd" | Extra]}),
	{ok, _} = peer:call(Peer, swarmscope_fault, start, []),
	{Peer, Node}.

stop_peers(Peers) ->
	[swarmscope_test_util:stop_replica(P) || {P, _} <- Peers].

mesh(Peers) ->
	Nodes = [N || {_, N} <- Peers],
	_ = [true = peer:call(P, net_kernel, connect_node, [N]) || {P, Me} <- Peers, N <- Nodes, N =/= Me],
	lists:foldl(fun({P, Me}, ok) -> wait_links(P, Nodes -- [Me], 5000) end, ok, Peers).

wait_links(Peer, Nodes, Timeout) ->
	Want = lists:sort(Nodes),
	wait_until(fun() -> Want -- lists:sort(peer:call(Peer, erlang, nodes, [])) =:= [] end, Timeout).

wait_until(Pred, Timeout) when Timeout =< 0 ->
	case Pred() of true -> ok; false -> timeout end;
wait_until(Pred, Timeout) ->
	case Pred() of
		true -> ok;
		false -> timer:sleep(50), wait_until(Pred, Timeout - 50)
	end.

%% Run on a peer.

%% Sends a command to the local ss_fault and waits for its answer.
command(Tag, Args) ->
	Ref = make_ref(),
	ss_fault ! list_to_tuple([Tag, self(), Ref | Args]),
	receive {ss_fault_result, Ref, Result} -> Result after 10000 -> timeout end.

%% Runs a command and measures how long until Event (nodedown | nodeup) came for every node.
timed(Tag, Args, Event, Nodes) ->
	ok = net_kernel:monitor_nodes(true),
	T0 = erlang:monotonic_time(microsecond),
	ok = command(Tag, Args),
	_ = [receive {Event, N} -> ok after 10000 -> error({no, Event, N}) end || N <- Nodes],
	{ok, (erlang:monotonic_time(microsecond) - T0) / 1000}.

start_echo() ->
	Pid = spawn(fun echo/0),
	true = register(ss_test_echo, Pid),
	ok.

echo() ->
	receive {ping, From} -> From ! pong end,
	echo().

%% Round trips (µs) to the echo process on Node, one after the other.
rtts(Node, N) ->
	[rtt(Node) || _ <- lists:seq(1, N)].

rtt(Node) ->
	T0 = erlang:monotonic_time(microsecond),
	{ss_test_echo, Node} ! {ping, self()},
	receive pong -> erlang:monotonic_time(microsecond) - T0 after 10000 -> error(no_pong) end.

%% Sends Bursts * Size numbered messages to a sink on Node, GapMs between bursts; returns the
%% numbers in the order they arrived and each one-way latency (µs, same machine clock).
burst(Node, Bursts, Size, GapMs) ->
	Sink = spawn(Node, ?MODULE, sink, [self(), Bursts * Size, []]),
	_ = [begin
		[Sink ! {seq, (B - 1) * Size + I, os:system_time(microsecond)} || I <- lists:seq(1, Size)],
		timer:sleep(GapMs)
	end || B <- lists:seq(1, Bursts)],
	receive {sink_done, Got} -> lists:unzip(Got) after 20000 -> error(sink_timeout) end.

sink(From, 0, Acc) ->
	From ! {sink_done, lists:reverse(Acc)};
sink(From, Left, Acc) ->
	receive {seq, I, T0} -> sink(From, Left - 1, [{I, os:system_time(microsecond) - T0} | Acc]) end.

start_watch(Node) ->
	Me = self(),
	Pid = spawn(fun() ->
		ok = net_kernel:monitor_nodes(true),
		Me ! watching,
		receive {nodedown, Node} -> T = os:system_time(microsecond), receive {get, From} -> From ! {down, T} end end
	end),
	true = register(ss_test_watch, Pid),
	receive watching -> ok end.

wait_watch(Timeout) ->
	ss_test_watch ! {get, self()},
	receive {down, _} = Down -> Down after Timeout -> timeout end.

%% Numbers.

median(Xs) ->
	pct(50, Xs).

pct(P, Xs) ->
	Sorted = lists:sort(Xs),
	lists:nth(max(1, (P * length(Sorted) + 99) div 100), Sorted).
