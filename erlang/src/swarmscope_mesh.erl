%% A replica's connections to its peers (`ss_peers`, erlang/PROTOCOL.md): each peer asked for
%% and not connected is queued once, and at most ?CONNECTING set-ups run at a time, each in a
%% monitored process of its own. Unbounded, a 200-replica deploy (every replica told the up list
%% on each of 200 nodeups) spawned a set-up per peer per telling: the replicas hit their
%% process limit (`system_limit` in dist_util) and halted, and the mesh never formed.
-module(swarmscope_mesh).

%% API.
-export([new/0]).
-export([ask/3]).
-export([down/3]).
-export([pending/1]).

%% Set-ups under way at once (each waits on its peer, up to net_setuptime, when that peer is busy).
-define(CONNECTING, 8).

-record(mesh, {
	queue = queue:new() :: queue:queue(node()),
	%% Every peer queued or being connected.
	pending = #{} :: #{node() => true},
	running = #{} :: #{pid() => node()}
}).
-opaque mesh() :: #mesh{}.
-export_type([mesh/0]).

%% API.

-spec new() -> mesh().
new() ->
	#mesh{}.

%% Queues each of Peers that is neither connected nor pending,
%% then starts set-ups up to the limit. Connect is called as Connect(Peer) in a new process.
-spec ask([node()], fun((node()) -> term()), mesh()) -> mesh().
ask(Peers, Connect, M = #mesh{queue = Q, pending = P}) ->
	Connected = maps:from_keys([node() | nodes()], true),
	{Q1, P1} = lists:foldl(fun(N, {Qa, Pa}) ->
		case is_map_key(N, Pa) orelse is_map_key(N, Connected) of
			true -> {Qa, Pa};
			false -> {queue:in(N, Qa), Pa#{N => true}}
		end
	end, {Q, P}, Peers),
	pump(Connect, M#mesh{queue = Q1, pending = P1}).

%% A monitored process is down: when it was a set-up, the next one starts ({ok, Mesh});
%% otherwise not_found.
-spec down(pid(), fun((node()) -> term()), mesh()) -> {ok, mesh()} | not_found.
down(Pid, Connect, M = #mesh{running = R, pending = P}) ->
	case maps:take(Pid, R) of
		{Peer, R1} -> {ok, pump(Connect, M#mesh{running = R1, pending = maps:remove(Peer, P)})};
		error -> not_found
	end.

%% Peers queued or being connected.
-spec pending(mesh()) -> non_neg_integer().
pending(#mesh{pending = P}) ->
	map_size(P).

%% Internal.

pump(Connect, M) ->
	pump(Connect, maps:from_keys(nodes(), true), M).

%% Connected: the nodes connected when the pump started (a peer connected since is skipped at once
%% by its set-up, net_kernel answering true).
pump(Connect, Connected, M = #mesh{queue = Q, pending = P, running = R}) when map_size(R) < ?CONNECTING ->
	case queue:out(Q) of
		{empty, _} ->
			M;
		{{value, Peer}, Q1} when is_map_key(Peer, Connected) ->
			pump(Connect, Connected, M#mesh{queue = Q1, pending = maps:remove(Peer, P)});
		{{value, Peer}, Q1} ->
			{Pid, _} = spawn_monitor(fun() -> Connect(Peer) end),
			pump(Connect, Connected, M#mesh{queue = Q1, running = R#{Pid => Peer}})
	end;
pump(_, _, M) ->
	M.
