%% Link helpers of the fault process (swarmscope_fault): reconnecting peers after a fault
%% changes, and telling whether a link goes through one of this node's delay proxies.
-module(swarmscope_links).

%% API.
-export([reconnect/1]).
-export([proxied/1]).

-define(TABLE, swarmscope_fault).
%% How long a peer is reconnected after heal, delay or clear, and how often it is retried.
-define(RECONNECT_MS, 10000).
-define(RETRY_MS, 250).

%% API.

%% Each peer not up is connected again (from a process of its own: connection set-up asks
%% ss_fault for proxies) until it is up, blocked again, or ?RECONNECT_MS have passed.
-spec reconnect([node()]) -> ok.
reconnect(Peers) ->
	Deadline = erlang:monotonic_time(millisecond) + ?RECONNECT_MS,
	_ = [spawn(fun() -> reconnect(Peer, Deadline) end) || Peer <- Peers],
	ok.

%% The node's end of a proxied link has a proxy for its peer: the listener of an `out` proxy,
%% or the forwarding socket of the `in` proxy (both registered as {via, Address}).
-spec proxied(node()) -> boolean().
proxied(Node) ->
	case lists:keyfind(Node, 1, erlang:system_info(dist_ctrl)) of
		{Node, Port} when is_port(Port) ->
			case inet:peername(Port) of
				{ok, Address} -> ets:member(?TABLE, {via, Address});
				{error, _} -> true
			end;
		_ ->
			true
	end.

%% Internal.

reconnect(Peer, Deadline) ->
	Blocked = ets:member(?TABLE, {blocked, atom_to_binary(Peer)}),
	Done = Blocked orelse lists:member(Peer, nodes()) orelse net_kernel:connect_node(Peer),
	case Done orelse erlang:monotonic_time(millisecond) >= Deadline of
		true -> ok;
		false -> timer:sleep(?RETRY_MS), reconnect(Peer, Deadline)
	end.
