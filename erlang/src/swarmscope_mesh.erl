%% A replica's connections to its peers (`ss_peers`, erlang/PROTOCOL.md): each peer asked for
%% and not connected is queued once, and at most ?CONNECTING set-ups run at a time, each in a
%% monitored process of its own. Unbounded, a 200-replica deploy (every replica told the up list
%% on each of 200 nodeups) spawned a set-up per peer per telling: the replicas hit their
%% process limit (`system_limit` in dist_util) and halted, and the mesh never formed.
%% A set-up that fails (the peer busy past net_setuptime: 47 of 19,900 links of a 200-replica
%% deploy on 2 cores never formed) is tried again later, ?RETRIES times at most, each wait twice
%% the last (from ?RETRY_MS, at most ?RETRY_MAX_MS): the node gets `{ss_mesh_retry, Peer}` and
%% hands it to retry/3.
-module(swarmscope_mesh).

%% API.
-export([new/0]).
-export([ask/3]).
-export([down/4]).
-export([retry/3]).
-export([pending/1]).

%% Set-ups under way at once (each waits on its peer, up to net_setuptime, when that peer is busy).
-define(CONNECTING, 8).
-define(RETRIES, 8).
-define(RETRY_MS, 1000).
-define(RETRY_MAX_MS, 30000).

-record(mesh, {
	queue = queue:new() :: queue:queue(node()),
	%% Every peer queued or being connected.
	pending = #{} :: #{node() => true},
	running = #{} :: #{pid() => node()},
	%% Failed set-ups of each peer since it was last asked for.
	failed = #{} :: #{node() => pos_integer()}
}).
-opaque mesh() :: #mesh{}.
-export_type([mesh/0]).

%% API.

-spec new() -> mesh().
new() ->
	#mesh{}.

%% Queues each of Peers that is neither connected nor pending,
%% then starts set-ups up to the limit. Connect is called as Connect(Peer) in a new process, and
%% true is its success (net_kernel:connect_node/1). Being asked for starts a peer's retries afresh.
-spec ask([node()], fun((node()) -> term()), mesh()) -> mesh().
ask(Peers, Connect, M = #mesh{failed = F}) ->
	queue_up(Peers, Connect, M#mesh{failed = maps:without(Peers, F)}).

%% The retry a failed set-up scheduled: the peer is queued again (unless connected or pending).
-spec retry(node(), fun((node()) -> term()), mesh()) -> mesh().
retry(Peer, Connect, M) ->
	queue_up([Peer], Connect, M).

%% A monitored process is down: when it was a set-up, the next one starts ({ok, Mesh}), and a
%% failed one is retried later; otherwise not_found.
-spec down(pid(), term(), fun((node()) -> term()), mesh()) -> {ok, mesh()} | not_found.
down(Pid, Reason, Connect, M = #mesh{running = R, pending = P}) ->
	case maps:take(Pid, R) of
		{Peer, R1} -> {ok, pump(Connect, failed(Peer, Reason, M#mesh{running = R1, pending = maps:remove(Peer, P)}))};
		error -> not_found
	end.

%% Peers queued or being connected.
-spec pending(mesh()) -> non_neg_integer().
pending(#mesh{pending = P}) ->
	map_size(P).

%% Internal.

queue_up(Peers, Connect, M = #mesh{queue = Q, pending = P}) ->
	Connected = maps:from_keys([node() | nodes()], true),
	{Q1, P1} = lists:foldl(fun(N, {Qa, Pa}) ->
		case is_map_key(N, Pa) orelse is_map_key(N, Connected) of
			true -> {Qa, Pa};
			false -> {queue:in(N, Qa), Pa#{N => true}}
		end
	end, {Q, P}, Peers),
	pump(Connect, M#mesh{queue = Q1, pending = P1}).

%% A set-up's end: done when it connected (or the peer is connected by now); else the peer is
%% tried again after a wait, unless it failed ?RETRIES times since it was asked for.
failed(Peer, {ss_connected, true}, M = #mesh{failed = F}) ->
	M#mesh{failed = maps:remove(Peer, F)};
failed(Peer, _, M = #mesh{failed = F}) ->
	Tries = maps:get(Peer, F, 0) + 1,
	case lists:member(Peer, nodes()) orelse Tries > ?RETRIES of
		true ->
			M#mesh{failed = maps:remove(Peer, F)};
		false ->
			_ = erlang:send_after(min(?RETRY_MAX_MS, ?RETRY_MS bsl (Tries - 1)), self(), {ss_mesh_retry, Peer}),
			M#mesh{failed = F#{Peer => Tries}}
	end.

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
			{Pid, _} = spawn_monitor(fun() -> exit({ss_connected, Connect(Peer)}) end),
			pump(Connect, Connected, M#mesh{queue = Q1, running = R#{Pid => Peer}})
	end;
pump(_, _, M) ->
	M.
