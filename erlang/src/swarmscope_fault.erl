%% Network faults a replica enforces on itself: a gen_server registered as `ss_fault` that takes
%% the fault commands of erlang/PROTOCOL.md ("Faults") from the observer: partition and heal
%% (peers blocked in swarmscope_epmd, disconnected, their handshakes refused by a per-peer
%% cookie), delay and loss (all mesh traffic through swarmscope_proxy) and routes (how to reach
%% another node's proxy). It owns the fault table swarmscope_epmd reads; its crash ends every
%% fault (proxies and table go with it, cookies are restored) and never touches `msg`.
-module(swarmscope_fault).
-behaviour(gen_server).

%% API.
-export([start/0]).
-export([stop/0]).
-export([state/0]).
-export([out_proxy/2]).

%% gen_server.
-export([init/1]).
-export([handle_call/3]).
-export([handle_cast/2]).
-export([handle_info/2]).
-export([terminate/2]).
-export([code_change/3]).

-define(TABLE, swarmscope_fault).
-define(LOOPBACK, {127, 0, 0, 1}).
-define(CALL_TIMEOUT, 5000).
-define(DELAY_MAX_MS, 60000).

-type route() :: {inet:ip_address(), inet:port_number()}.

-record(state, {
	%% A cookie no peer has: a blocked peer's handshake fails with it, from either side.
	cut_cookie :: atom(),
	blocked = #{} :: #{node() => integer()},
	delay = none :: none | #{delay_ms := non_neg_integer(), jitter_ms := non_neg_integer(),
		loss_pct := number(), since := integer(), route := route()},
	in_proxy = undefined :: undefined | pid(),
	out_proxies = #{} :: #{binary() => {pid(), inet:port_number()}},
	routes = #{} :: #{node() => route()},
	subscribers = #{} :: #{pid() => reference()}
}).

%% API.

-spec start() -> {ok, pid()} | {error, term()}.
start() ->
	gen_server:start({local, ss_fault}, ?MODULE, [], []).

-spec stop() -> ok.
stop() ->
	gen_server:stop(ss_fault).

%% The faults in force, as sent in {ss_fault_state, node(), Map}.
-spec state() -> map().
state() ->
	gen_server:call(ss_fault, state).

%% The local proxy port to reach Name@Host through while this node is delayed. Called by
%% swarmscope_epmd in the process setting up that connection, never by ss_fault itself.
-spec out_proxy(string(), string()) -> {ok, inet:ip_address(), inet:port_number()} | {error, term()}.
out_proxy(Name, Host) ->
	try
		gen_server:call(ss_fault, {out_proxy, Name, Host}, ?CALL_TIMEOUT)
	catch
		exit:Why -> {error, {no_fault_process, Why}}
	end.

%% gen_server.

-spec init([]) -> {ok, #state{}}.
init([]) ->
	process_flag(trap_exit, true),
	?TABLE = ets:new(?TABLE, [named_table, public, set, {read_concurrency, true}]),
	_ = is_alive() andalso net_kernel:monitor_nodes(true),
	Cut = "swarmscope-cut-" ++ integer_to_list(rand:uniform(1 bsl 60)),
	{ok, #state{cut_cookie = list_to_atom(Cut)}}.

-spec handle_call(term(), {pid(), term()}, #state{}) -> {reply, term(), #state{}}.
handle_call({out_proxy, Name, Host}, _From, State) when is_list(Name), is_list(Host) ->
	{Reply, State1} = out_proxy(Name, Host, State),
	{reply, Reply, State1};
handle_call(state, _From, State) ->
	{reply, state_map(State), State};
handle_call(_Request, _From, State) ->
	{reply, {error, unknown_call}, State}.

-spec handle_cast(term(), #state{}) -> {noreply, #state{}}.
handle_cast(_Msg, State) ->
	{noreply, State}.

-spec handle_info(term(), #state{}) -> {noreply, #state{}}.
handle_info({ss_partition, From, Ref, Peers}, State) when is_pid(From) ->
	command(From, Ref, fun(S) -> partition(Peers, S) end, State);
handle_info({ss_heal, From, Ref}, State) when is_pid(From) ->
	command(From, Ref, fun(S) -> heal(maps:keys(S#state.blocked), S) end, State);
handle_info({ss_heal, From, Ref, Peers}, State) when is_pid(From) ->
	command(From, Ref, fun(S) -> heal(Peers, S) end, State);
handle_info({ss_delay, From, Ref, DelayMs, JitterMs, LossPct}, State) when is_pid(From) ->
	command(From, Ref, fun(S) -> delay(DelayMs, JitterMs, LossPct, S) end, State);
handle_info({ss_clear, From, Ref}, State) when is_pid(From) ->
	command(From, Ref, fun clear/1, State);
handle_info({ss_route, From, Ref, Peer, Target}, State) when is_pid(From) ->
	command(From, Ref, fun(S) -> route(Peer, Target, S) end, State);
handle_info({ss_unroute, From, Ref, Peer}, State) when is_pid(From) ->
	command(From, Ref, fun(S) -> unroute(Peer, S) end, State);
handle_info({ss_fault_subscribe, Pid}, State = #state{subscribers = Subs}) when is_pid(Pid) ->
	Subs1 = case Subs of
		#{Pid := _} -> Subs;
		_ -> Subs#{Pid => monitor(process, Pid)}
	end,
	tell(Pid, State),
	{noreply, State#state{subscribers = Subs1}};
handle_info({ss_fault_get, Pid}, State) when is_pid(Pid) ->
	tell(Pid, State),
	{noreply, State};
handle_info({nodeup, Node}, State) ->
	enforce(Node, State),
	{noreply, State};
handle_info({nodedown, _}, State) ->
	{noreply, State};
handle_info({'DOWN', MRef, process, Pid, _}, State = #state{subscribers = Subs}) ->
	case Subs of
		#{Pid := MRef} -> {noreply, State#state{subscribers = maps:remove(Pid, Subs)}};
		_ -> {noreply, State}
	end;
handle_info({'EXIT', Pid, Reason}, State) ->
	{noreply, proxy_exit(Pid, Reason, State)};
handle_info(Msg, State) ->
	logger:warning("ss_fault: ignored ~0P", [Msg, 8]),
	{noreply, State}.

-spec terminate(term(), #state{}) -> ok.
terminate(_Reason, #state{blocked = Blocked}) ->
	_ = [restore_cookie(Peer) || Peer <- maps:keys(Blocked)],
	ok.

-spec code_change(term(), #state{}, term()) -> {ok, #state{}}.
code_change(_OldVsn, State, _Extra) ->
	{ok, State}.

%% Commands: each answers {ss_fault_result, Ref, Result} and tells subscribers the new state.

command(From, Ref, Fun, State) ->
	{Result, State1} = Fun(State),
	_ = erlang:send(From, {ss_fault_result, Ref, Result}, [noconnect]),
	_ = [tell(Pid, State1) || Pid <- maps:keys(State1#state.subscribers)],
	{noreply, State1}.

partition(Peers, State = #state{blocked = Blocked, cut_cookie = Cut}) ->
	case check(nodes_arg(Peers)) of
		ok ->
			New = lists:usort(Peers) -- [node()],
			Now = now_us(),
			_ = [block(Peer, Cut) || Peer <- New],
			{ok, State#state{blocked = maps:merge(maps:from_list([{P, Now} || P <- New]), Blocked)}};
		Error ->
			{Error, State}
	end.

block(Peer, Cut) ->
	true = ets:insert(?TABLE, {{blocked, atom_to_binary(Peer)}, Peer}),
	true = erlang:set_cookie(Peer, Cut),
	_ = erlang:disconnect_node(Peer),
	ok.

heal(Peers, State = #state{blocked = Blocked}) when is_list(Peers) ->
	case lists:all(fun is_atom/1, Peers) of
		true ->
			Healed = [P || P <- Peers, maps:is_key(P, Blocked)],
			_ = [ets:delete(?TABLE, {blocked, atom_to_binary(P)}) || P <- Healed],
			_ = [restore_cookie(P) || P <- Healed],
			swarmscope_links:reconnect(Healed),
			{ok, State#state{blocked = maps:without(Healed, Blocked)}};
		false ->
			{{error, bad_peers}, State}
	end;
heal(_, State) ->
	{{error, bad_peers}, State}.

restore_cookie(Peer) ->
	erlang:set_cookie(Peer, erlang:get_cookie()).

delay(DelayMs, JitterMs, LossPct, State) ->
	case check(shaping_arg(DelayMs, JitterMs, LossPct)) of
		ok -> shape(DelayMs, JitterMs, LossPct, State);
		Error -> {Error, State}
	end.

%% Already delayed: new numbers, same proxies, no reconnection.
shape(DelayMs, JitterMs, LossPct, State = #state{delay = Delay = #{route := Route}}) ->
	true = ets:insert(?TABLE, {shaping, DelayMs, JitterMs, LossPct}),
	{{ok, #{route => Route}},
	 State#state{delay = Delay#{delay_ms := DelayMs, jitter_ms := JitterMs, loss_pct := LossPct}}};
shape(DelayMs, JitterMs, LossPct, State) ->
	case in_proxy() of
		{ok, Pid, Route} ->
			true = ets:insert(?TABLE, {shaping, DelayMs, JitterMs, LossPct}),
			%% Existing links are cut so that they re-form through the proxies.
			Peers = nodes(),
			_ = [erlang:disconnect_node(P) || P <- Peers],
			swarmscope_links:reconnect(Peers),
			{{ok, #{route => Route}},
			 State#state{in_proxy = Pid, delay = #{delay_ms => DelayMs, jitter_ms => JitterMs,
				loss_pct => LossPct, since => now_us(), route => Route}}};
		{error, Why} ->
			{{error, Why}, State}
	end.

%% The inbound proxy: on this node's own address, forwarding to its distribution port.
in_proxy() ->
	case {own_ip(), swarmscope_epmd:listen_port()} of
		{{ok, Ip}, Port} when is_integer(Port) ->
			case swarmscope_proxy:start_link(in, Ip, {addr, Ip, Port}) of
				{ok, Pid, ProxyPort} -> {ok, Pid, {Ip, ProxyPort}};
				{error, Why} -> {error, {proxy, Why}}
			end;
		{{error, Why}, _} -> {error, {own_address, Why}};
		{_, undefined} -> {error, no_listen_port}
	end.

own_ip() ->
	[_, Host] = string:split(atom_to_list(node()), "@"),
	inet:getaddr(Host, inet).

clear(State = #state{delay = none}) ->
	{ok, State};
clear(State = #state{in_proxy = In, out_proxies = Outs}) ->
	true = ets:delete(?TABLE, shaping),
	Peers = nodes(),
	%% Links through the proxies go now; the proxies' sockets close when they stop.
	_ = [erlang:disconnect_node(P) || P <- Peers],
	_ = [exit(Pid, shutdown) || Pid <- [In | [P || {P, _} <- maps:values(Outs)]], is_pid(Pid)],
	true = ets:match_delete(?TABLE, {{via, '_'}, '_'}),
	swarmscope_links:reconnect(Peers),
	{ok, State#state{delay = none, in_proxy = undefined, out_proxies = #{}}}.

out_proxy(_Name, _Host, State = #state{delay = none}) ->
	{{error, not_delayed}, State};
out_proxy(Name, Host, State = #state{out_proxies = Outs}) ->
	Key = swarmscope_epmd:node_key(Name, Host),
	case Outs of
		#{Key := {_, Port}} ->
			{{ok, ?LOOPBACK, Port}, State};
		_ ->
			case swarmscope_proxy:start_link(out, ?LOOPBACK, {node, Name, Host}) of
				{ok, Pid, Port} -> {{ok, ?LOOPBACK, Port}, State#state{out_proxies = Outs#{Key => {Pid, Port}}}};
				{error, _} = Error -> {Error, State}
			end
	end.

%% Routes only change how the next connection to Peer is made; a link up stays as it is.
route(Peer, Target, State = #state{routes = Routes}) ->
	case check(route_arg(Peer, Target)) of
		ok ->
			true = ets:insert(?TABLE, {{route, atom_to_binary(Peer)}, Target}),
			{ok, State#state{routes = Routes#{Peer => Target}}};
		Error ->
			{Error, State}
	end.

unroute(Peer, State = #state{routes = Routes}) when is_atom(Peer) ->
	true = ets:delete(?TABLE, {route, atom_to_binary(Peer)}),
	{ok, State#state{routes = maps:remove(Peer, Routes)}};
unroute(_, State) ->
	{{error, bad_peer}, State}.

%% Validation: the first error of the arguments, or of the node's set-up.

check(ok) ->
	case swarmscope_epmd:active() andalso is_alive() of
		true -> ok;
		false -> {error, no_epmd_module}
	end;
check(Error) ->
	Error.

nodes_arg(Peers) when is_list(Peers) ->
	case lists:all(fun is_atom/1, Peers) of
		true -> ok;
		false -> {error, bad_peers}
	end;
nodes_arg(_) ->
	{error, bad_peers}.

shaping_arg(D, J, L) when is_integer(D), D >= 0, D =< ?DELAY_MAX_MS, is_integer(J), J >= 0, J =< ?DELAY_MAX_MS,
		is_number(L), L >= 0, L =< 100 ->
	ok;
shaping_arg(_, _, _) ->
	{error, bad_shaping}.

route_arg(Peer, {Ip, Port}) when is_atom(Peer), is_integer(Port), Port > 0, Port < 65536 ->
	case inet:ntoa(Ip) of
		{error, _} -> {error, bad_route};
		_ -> ok
	end;
route_arg(_, _) ->
	{error, bad_route}.

%% Links.

%% A link that came up around a fault is cut: a blocked peer's (should its handshake ever
%% pass), or while delayed one not through a proxy (the peer connected straight to this node's
%% distribution port, not knowing the route); that one is made again through the proxies.
enforce(Node, #state{blocked = Blocked, delay = Delay}) ->
	case {maps:is_key(Node, Blocked), Delay =/= none andalso not swarmscope_links:proxied(Node)} of
		{true, _} ->
			logger:warning("ss_fault: cutting ~s, partitioned", [Node]),
			erlang:disconnect_node(Node);
		{false, true} ->
			logger:notice("ss_fault: ~s connected around the delay proxy; reconnecting", [Node]),
			_ = erlang:disconnect_node(Node),
			swarmscope_links:reconnect([Node]);
		{false, false} ->
			ok
	end.

proxy_exit(Pid, Reason, State = #state{in_proxy = Pid}) ->
	logger:error("ss_fault: the inbound delay proxy died: ~0p", [Reason]),
	State#state{in_proxy = undefined};
proxy_exit(Pid, Reason, State = #state{out_proxies = Outs}) ->
	_ = Reason =:= shutdown orelse Reason =:= normal orelse logger:error("ss_fault: a delay proxy died: ~0p", [Reason]),
	State#state{out_proxies = maps:filter(fun(_, {P, _}) -> P =/= Pid end, Outs)}.

%% State.

tell(Pid, State) ->
	_ = erlang:send(Pid, {ss_fault_state, node(), state_map(State)}, [noconnect]),
	ok.

state_map(#state{blocked = Blocked, delay = Delay, routes = Routes}) ->
	Proxied = case Delay of
		none -> [];
		_ -> [N || N <- nodes(), swarmscope_links:proxied(N)]
	end,
	#{partition => Blocked, delay => Delay, routes => Routes, proxied => Proxied}.

now_us() ->
	os:system_time(microsecond).
