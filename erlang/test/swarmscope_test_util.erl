%% Helpers shared by the EUnit suites: distribution, peer replicas, report collection.
-module(swarmscope_test_util).

-export([ensure_distributed/0]).
-export([start_replica/1]).
-export([stop_replica/1]).
-export([collect_reports/3]).
-export([events/1]).
-export([runs/2]).
-export([total/2]).
-export([unique/0]).
-export([wait_until/2]).

%% Makes this node distributed (the test script starts it with -name already).
-spec ensure_distributed() -> ok.
ensure_distributed() ->
	case is_alive() of
		true ->
			ok;
		false ->
			_ = os:cmd("epmd -daemon"),
			{ok, _} = net_kernel:start(list_to_atom("eunit-" ++ unique() ++ "@127.0.0.1"), #{name_domain => longnames}),
			ok
	end.

%% Starts a peer node Name@127.0.0.1 that runs the replica app (`msg`).
-spec start_replica(string()) -> {pid(), node()}.
start_replica(Name) ->
	ok = ensure_distributed(),
	Ebin = filename:dirname(code:which(swarmscope_node)),
	{ok, Peer, Node} = peer:start_link(#{name => Name, host => "127.0.0.1", longnames => true,
		%% No transitive connections through global: the mesh must come from ss_peers.
		args => ["-setcookie", atom_to_list(erlang:get_cookie()), "-pa", Ebin, "-connect_all", "false"]}),
	{ok, _} = erpc:call(Node, swarmscope_node, start, []),
	{Peer, Node}.

-spec stop_replica(pid()) -> ok.
stop_replica(Peer) ->
	unlink(Peer),
	catch peer:stop(Peer),
	ok.

%% Receives {ss_report, Node, Report} until Done(AllReportsSoFar) is true; returns the reports
%% of Node in order, or fails after Timeout ms.
-spec collect_reports(node(), fun(([map()]) -> boolean()), timeout()) -> [map()].
collect_reports(Node, Done, Timeout) ->
	Deadline = erlang:monotonic_time(millisecond) + Timeout,
	collect_reports(Node, Done, Deadline, []).

collect_reports(Node, Done, Deadline, Acc) ->
	case Done(Acc) of
		true ->
			Acc;
		false ->
			Wait = max(0, Deadline - erlang:monotonic_time(millisecond)),
			receive
				{ss_report, Node, Report} -> collect_reports(Node, Done, Deadline, Acc ++ [Report])
			after Wait ->
				erlang:error({timeout_waiting_for_reports, Node, Acc})
			end
	end.

%% The events of some reports, in order.
-spec events([map()]) -> [tuple()].
events(Reports) ->
	lists:append([maps:get(events, R) || R <- Reports]).

%% The runs (sent or recv) of some reports, in order.
-spec runs(sent | recv, [map()]) -> [tuple()].
runs(Kind, Reports) ->
	lists:append([maps:get(Kind, R) || R <- Reports]).

%% Messages in those runs.
-spec total(sent | recv, [map()]) -> non_neg_integer().
total(sent, Reports) -> lists:sum([N || {_, _, N, _, _, _} <- runs(sent, Reports)]);
total(recv, Reports) -> lists:sum([N || {_, _, _, N, _, _, _, _} <- runs(recv, Reports)]).

-spec unique() -> string().
unique() ->
	integer_to_list(erlang:unique_integer([positive])) ++ integer_to_list(rand:uniform(1000000)).

%% ok once Pred() is true, polling every 10 ms; timeout after Timeout ms.
-spec wait_until(fun(() -> boolean()), integer()) -> ok | timeout.
wait_until(Pred, Timeout) ->
	case Pred() of
		true -> ok;
		false when Timeout > 0 -> timer:sleep(10), wait_until(Pred, Timeout - 10);
		false -> timeout
	end.
