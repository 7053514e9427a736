%% The dashboard's way to the host agents: a hidden node on the stack's overlay network (a
%% container the dashboard attaches to, like the bridge) that speaks {packet, 4} JSON frames on
%% stdin/stdout, finds the agents by DNS (`tasks.<stack>_agent`), asks each for its Swarm node
%% id, and forwards calls to the agent of a given Swarm node. See "Host agent" in
%% erlang/PROTOCOL.md.
-module(swarmscope_relay).
-behaviour(gen_server).

%% API.
-export([main/0]).
-export([start_link/1]).

%% gen_server.
-export([init/1]).
-export([handle_call/3]).
-export([handle_cast/2]).
-export([handle_info/2]).
-export([terminate/2]).
-export([code_change/3]).

-define(DISCOVER_MS, 1000).
-define(CALL_TIMEOUT_MS, 15000).
-define(MAX_PARAM, 255).

-record(state, {
	out :: port() | pid(),
	query = undefined :: undefined | string(),
	name = <<>> :: binary(),
	discovering = false :: boolean(),
	%% Agents connected to: their info once they answered it (`asking` until then).
	agents = #{} :: #{node() => asking | map()},
	%% Swarm node id → the agent on it.
	hosts = #{} :: #{binary() => node()},
	%% Calls waiting for their agent: our tag → {the frame's ref, agent, timer}.
	calls = #{} :: #{reference() => {binary(), node(), reference()}}
}).

%% API.

%% Entry point of `erl -hidden -run swarmscope_relay main`: frames on stdin/stdout; the node
%% halts when stdin closes.
-spec main() -> ok.
main() ->
	{ok, _} = gen_server:start({local, ?MODULE}, ?MODULE, #{out => stdio}, []),
	ok.

%% Out is `stdio`, or a pid that gets every frame as {swarmscope_relay, Pid, Json} (tests).
-spec start_link(#{out := stdio | pid()}) -> {ok, pid()} | {error, term()}.
start_link(Opts) ->
	gen_server:start_link(?MODULE, Opts, []).

%% gen_server.

-spec init(#{out := stdio | pid()}) -> {ok, #state{}}.
init(#{out := Out0}) ->
	process_flag(trap_exit, true),
	Out = case Out0 of
		stdio -> open_port({fd, 0, 1}, [{packet, 4}, binary, eof]);
		Pid -> Pid
	end,
	State = #state{out = Out},
	out(#{t => hello, relay => node()}, State),
	ok = net_kernel:monitor_nodes(true, [{node_type, all}]),
	_ = erlang:send_after(?DISCOVER_MS, self(), discover_tick),
	{ok, State}.

-spec handle_call(term(), {pid(), term()}, #state{}) -> {reply, term(), #state{}}.
handle_call({input, Frame}, _From, State) ->
	{reply, ok, input(Frame, State)};
handle_call(_Request, _From, State) ->
	{reply, {error, unknown_call}, State}.

-spec handle_cast(term(), #state{}) -> {noreply, #state{}}.
handle_cast(_Msg, State) ->
	{noreply, State}.

-spec handle_info(term(), #state{}) -> {noreply, #state{}}.
handle_info({Port, {data, Frame}}, State = #state{out = Port}) ->
	{noreply, input(Frame, State)};
handle_info({Port, eof}, State = #state{out = Port}) ->
	erlang:halt(0),
	{noreply, State};
handle_info({'EXIT', Port, _}, State = #state{out = Port}) ->
	erlang:halt(1),
	{noreply, State};
handle_info(discover_tick, State) ->
	_ = erlang:send_after(?DISCOVER_MS, self(), discover_tick),
	{noreply, discover(State)};
handle_info({discovered, Query, Ips}, State = #state{query = Query}) ->
	{noreply, lists:foldl(fun candidate/2, State#state{discovering = false}, Ips)};
handle_info({discovered, _, _}, State) ->
	{noreply, State#state{discovering = false}};
handle_info({connected, Node, true}, State) ->
	ask_info(Node),
	{noreply, State};
handle_info({connected, Node, _}, State = #state{agents = Agents}) ->
	{noreply, State#state{agents = maps:remove(Node, Agents)}};
handle_info({ss_agent_result, {info, Node}, {ok, #{host_id := Host} = Info}}, State = #state{agents = A, hosts = H})
		when is_map_key(Node, A), is_binary(Host) ->
	out(Info#{t => agent, node => Node, host => Host}, State),
	{noreply, State#state{agents = A#{Node => Info}, hosts = H#{Host => Node}}};
handle_info({ss_agent_result, {call, Tag}, Result}, State = #state{calls = Calls}) ->
	case maps:take(Tag, Calls) of
		{{Ref, _, Timer}, Rest} ->
			_ = erlang:cancel_timer(Timer),
			reply(Ref, Result, State),
			{noreply, State#state{calls = Rest}};
		error ->
			{noreply, State}
	end;
handle_info({call_timeout, Tag}, State = #state{calls = Calls}) ->
	case maps:take(Tag, Calls) of
		{{Ref, _, _}, Rest} ->
			reply(Ref, {error, timeout}, State),
			{noreply, State#state{calls = Rest}};
		error ->
			{noreply, State}
	end;
handle_info({nodedown, Node, _}, State) ->
	{noreply, agent_down(Node, State)};
handle_info(_Msg, State) ->
	{noreply, State}.

-spec terminate(term(), #state{}) -> ok.
terminate(_Reason, _State) ->
	ok.

-spec code_change(term(), #state{}, term()) -> {ok, #state{}}.
code_change(_OldVsn, State, _Extra) ->
	{ok, State}.

%% Frames in.

input(Frame, State) ->
	case swarmscope_json:decode(Frame) of
		{ok, #{<<"t">> := <<"discover">>, <<"query">> := Q, <<"name">> := N}}
				when is_binary(Q), is_binary(N), byte_size(Q) =< ?MAX_PARAM, byte_size(N) =< ?MAX_PARAM ->
			discover(State#state{query = binary_to_list(Q), name = N, discovering = false});
		{ok, #{<<"t">> := <<"call">>, <<"ref">> := Ref, <<"host">> := Host} = F} when is_binary(Ref), is_binary(Host) ->
			call(Ref, Host, F, State);
		{ok, _} ->
			warn(<<"bad frame">>, State),
			State;
		{error, _} ->
			warn(<<"invalid JSON frame">>, State),
			State
	end.

call(Ref, Host, F, State = #state{hosts = Hosts, calls = Calls}) ->
	case {maps:find(Host, Hosts), op(F)} of
		{error, _} ->
			reply(Ref, {error, no_agent_on_host}, State),
			State;
		{_, error} ->
			reply(Ref, {error, bad_request}, State),
			State;
		{{ok, Agent}, {ok, Op}} ->
			Tag = make_ref(),
			erlang:send({ss_agent, Agent}, {ss_agent, self(), {call, Tag}, Op}, [noconnect]),
			Timer = erlang:send_after(?CALL_TIMEOUT_MS, self(), {call_timeout, Tag}),
			State#state{calls = Calls#{Tag => {Ref, Agent, Timer}}}
	end.

%% The frame's operation as the agent's term (names matched, never made into atoms).
op(#{<<"op">> := <<"kill">>, <<"container">> := C}) -> swarmscope_agent:op({kill, C});
op(#{<<"op">> := <<"pause">>, <<"container">> := C}) -> swarmscope_agent:op({pause, C});
op(#{<<"op">> := <<"unpause">>, <<"container">> := C}) -> swarmscope_agent:op({unpause, C});
op(#{<<"op">> := <<"block">>, <<"container">> := C, <<"ips">> := Ips}) -> swarmscope_agent:op({block, C, Ips});
op(#{<<"op">> := <<"unblock">>, <<"container">> := C, <<"ips">> := Ips}) -> swarmscope_agent:op({unblock, C, Ips});
op(#{<<"op">> := <<"info">>}) -> {ok, info};
op(_) -> error.

%% Discovery.

discover(State = #state{query = undefined}) -> State;
discover(State = #state{discovering = true}) -> State;
discover(State = #state{query = Query, agents = Agents}) ->
	%% An agent whose ss_agent was not registered yet when first asked: asked again.
	Connected = nodes(hidden),
	_ = [ask_info(N) || {N, asking} <- maps:to_list(Agents), lists:member(N, Connected)],
	Self = self(),
	_ = spawn(fun() ->
		Ips = case inet:getaddrs(Query, inet) of
			{ok, L} -> L;
			{error, _} -> []
		end,
		Self ! {discovered, Query, Ips}
	end),
	State#state{discovering = true}.

%% An agent task's address: the node agent-<deployment>@<ip> (atoms only for addresses the
%% stack's DNS lists, as the bridge does for replicas).
candidate(Ip, State = #state{name = Name, agents = Agents}) ->
	Node = binary_to_atom(<<Name/binary, "@", (list_to_binary(inet:ntoa(Ip)))/binary>>),
	case maps:is_key(Node, Agents) of
		true -> State;
		false ->
			Self = self(),
			_ = spawn(fun() -> Self ! {connected, Node, net_kernel:connect_node(Node)} end),
			State#state{agents = Agents#{Node => asking}}
	end.

ask_info(Node) ->
	erlang:send({ss_agent, Node}, {ss_agent, self(), {info, Node}, info}, [noconnect]).

agent_down(Node, State = #state{agents = Agents, hosts = Hosts, calls = Calls}) ->
	case maps:take(Node, Agents) of
		{Info, Rest} ->
			case Info of
				#{host_id := Host} -> out(#{t => agent_down, node => Node, host => Host}, State);
				asking -> ok
			end,
			Failed = maps:filter(fun(_, {_, A, _}) -> A =:= Node end, Calls),
			_ = [begin _ = erlang:cancel_timer(T), reply(R, {error, agent_down}, State) end
				|| {R, _, T} <- maps:values(Failed)],
			State#state{agents = Rest, calls = maps:without(maps:keys(Failed), Calls),
				hosts = maps:filter(fun(_, N) -> N =/= Node end, Hosts)};
		error ->
			State
	end.

%% Frames out.

reply(Ref, ok, State) -> out(#{t => reply, ref => Ref, ok => true, result => null}, State);
reply(Ref, {ok, Result}, State) -> out(#{t => reply, ref => Ref, ok => true, result => Result}, State);
reply(Ref, {error, Why}, State) -> out(#{t => reply, ref => Ref, ok => false, error => reason(Why)}, State).

reason(A) when is_atom(A) -> atom_to_binary(A);
reason({conflict, Msg}) when is_binary(Msg) -> <<"conflict: ", Msg/binary>>;
reason({docker, Status, Msg}) when is_binary(Msg) -> iolist_to_binary(io_lib:format("docker ~b: ~s", [Status, Msg]));
reason(Other) -> iolist_to_binary(io_lib:format("~0p", [Other])).

warn(Msg, State) ->
	out(#{t => log, level => warning, msg => Msg}, State).

out(Map, #state{out = Port}) when is_port(Port) ->
	port_command(Port, swarmscope_json:encode(Map));
out(Map, #state{out = Pid}) ->
	Pid ! {swarmscope_relay, self(), iolist_to_binary(swarmscope_json:encode(Map))}.
