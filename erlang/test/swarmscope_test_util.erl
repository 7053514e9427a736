%% Helpers shared by the EUnit suites: distribution, peer replicas, event collection.
-module(swarmscope_test_util).

-export([ensure_distributed/0]).
-export([start_replica/1]).
-export([stop_replica/1]).
-export([collect_events/3]).
-export([unique/0]).

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

%% Receives {ss_events, Node, Events} until Done(AllEventsSoFar) is true; returns the events
%% of Node in order, or fails after Timeout ms.
-spec collect_events(node(), fun(([tuple()]) -> boolean()), timeout()) -> [tuple()].
collect_events(Node, Done, Timeout) ->
	Deadline = erlang:monotonic_time(millisecond) + Timeout,
	collect_events(Node, Done, Deadline, []).

collect_events(Node, Done, Deadline, Acc) ->
	case Done(Acc) of
		true ->
			Acc;
		false ->
			Wait = max(0, Deadline - erlang:monotonic_time(millisecond)),
			receive
				{ss_events, Node, Events} -> collect_events(Node, Done, Deadline, Acc ++ Events)
			after Wait ->
				erlang:error({timeout_waiting_for_events, Node, Acc})
			end
	end.

-spec unique() -> string().
unique() ->
	integer_to_list(erlang:unique_integer([positive])) ++ integer_to_list(rand:uniform(1000000)).
