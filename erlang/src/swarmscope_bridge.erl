%% The hidden bridge node: discovers the replicas, connects and subscribes to their `msg`
%% processes, and relays between them and the TypeScript server over {packet, 4} JSON
%% frames on stdin/stdout (erlang/PROTOCOL.md, "Bridge frames").
%%
%% Node names from outside are turned into atoms only by looking them up among the nodes
%% already known; discovery creates atoms only for names that match the deployment. Like
%% `msg`, it runs its own receive loop (swarmscope_proc): any term from any node is relayed,
%% or counted as malformed (a `log` frame says how many, at most once a second), never a crash.
-module(swarmscope_bridge).

%% API.
-export([main/0]).
-export([start_link/1]).
-export([input/2]).
-export([text/1]).

%% swarmscope_proc callbacks.
-export([init/2]).
-export([loop/1]).

-define(DISCOVER_MS, 500).
%% Seconds over which a new tick takes over (net_kernel:set_net_ticktime/2), as on the replicas.
-define(TICK_TRANSITION_S, 5).
-define(RESUBSCRIBE_MS, 1000).
-define(GET_TIMEOUT_MS, 5000).
-define(BAD_LOG_MS, 1000).
-define(JS_MAX, 16#1FFFFFFFFFFFFF).

-type mode() :: {epmd, string(), binary()} | {dns, string(), binary()}.
-type node_state() :: connecting | {subscribing, integer()} | up.
-type out() :: port() | pid().

-record(state, {
	parent :: pid(),
	out :: out(),
	mode = undefined :: undefined | mode(),
	%% The discovery worker running, if any, and the discovery tick.
	discovering = undefined :: undefined | reference(),
	tick :: reference(),
	%% Every replica name discovered so far, as text and as the atom discovery made for it.
	known = #{} :: #{binary() => node()},
	nodes = #{} :: #{node() => node_state()},
	%% Malformed messages from nodes since the last `log` frame about them.
	bad = 0 :: non_neg_integer(),
	bad_timer = undefined :: undefined | reference(),
	%% The replicas' net tick (s) the dashboard set, told to each replica as it joins.
	mesh_tick = undefined :: undefined | pos_integer()
}).

%% API.

%% Entry point of `erl -hidden -run swarmscope_bridge main`: frames on stdin/stdout, the
%% logger on stderr, and the node halts when stdin closes or the bridge dies.
-spec main() -> ok.
main() ->
	ok = log_to_stderr(),
	{ok, Pid} = swarmscope_proc:start(?MODULE, ?MODULE, #{out => stdio}, start),
	swarmscope_proc:halt_when_down(Pid, "bridge").

%% Out is `stdio` (open the {packet, 4} port on fds 0/1) or a pid that then gets every
%% frame as {swarmscope_bridge, BridgePid, JsonBinary} (tests).
-spec start_link(#{out := stdio | pid()}) -> {ok, pid()} | {error, term()}.
start_link(Opts) ->
	swarmscope_proc:start(undefined, ?MODULE, Opts, start_link).

%% Hands the bridge one frame as if it came from stdin.
-spec input(pid(), binary()) -> ok.
input(Bridge, Frame) ->
	gen_server:cast(Bridge, {input, Frame}).

%% A term as text (PROTOCOL.md): swarmscope_text:text/1.
-spec text(term()) -> binary().
text(Term) ->
	swarmscope_text:text(Term).

%% The process.

-spec init(pid(), #{out := stdio | pid()}) -> {ok, #state{}}.
init(Parent, #{out := Out0}) ->
	process_flag(trap_exit, true),
	_ = process_flag(message_queue_data, off_heap),
	%% What the frames need, loaded now rather than on the first report.
	ok = code:ensure_modules_loaded([swarmscope_frames, swarmscope_input, swarmscope_discovery, swarmscope_text,
		swarmscope_json, base64]),
	_ = iolist_to_binary(swarmscope_frames:text({warm, <<"up">>, "é", [1.5]})),
	Out = case Out0 of
		stdio -> open_port({fd, 0, 1}, [{packet, 4}, binary, eof]);
		Pid when is_pid(Pid) -> Pid
	end,
	State = #state{parent = Parent, out = Out, tick = tick()},
	out(#{t => hello, bridge => node(), otp => list_to_binary(erlang:system_info(otp_release))}, State),
	ok = net_kernel:monitor_nodes(true, [{node_type, all}, nodedown_reason]),
	{ok, State}.

-spec loop(#state{}) -> no_return().
loop(State = #state{parent = Parent}) ->
	receive
		{'EXIT', Parent, Reason} ->
			exit(Reason);
		Msg ->
			case swarmscope_proc:system(Msg, State, fun(_) -> ok end) of
				continue -> loop(safe(Msg, State));
				handled -> loop(State);
				{stop, Reason} -> exit(Reason)
			end
	end.

safe(Msg, State) ->
	try
		handle(Msg, State)
	catch
		throw:bad -> bad(State);
		error:_ -> bad(State)
	end.

%% Hot path first: what the replicas report.
handle({ss_report, Node, Report}, State) when is_atom(Node) ->
	out_json(swarmscope_frames:report(Node, Report), State),
	State;
handle({ss_stats, Node, Stats}, State) when is_atom(Node) ->
	out_json(swarmscope_frames:stats(Node, Stats), State),
	State;
handle({ss_links, Node, Links}, State) when is_atom(Node) ->
	out_json(swarmscope_frames:links(Node, Links), State),
	State;
handle({ss_hello, Node, Info}, State) when is_atom(Node) ->
	hello(Node, Info, State);
%% Frames from the server.
handle({Port, {data, Frame}}, State = #state{out = Port}) when is_port(Port) ->
	input_frame(Frame, State);
handle({'$gen_cast', {input, Frame}}, State) ->
	input_frame(Frame, State);
handle({Port, eof}, #state{out = Port}) when is_port(Port) ->
	erlang:halt(0);
handle({'EXIT', Port, Reason}, #state{out = Port}) when is_port(Port) ->
	logger:error("bridge stdio closed: ~0p", [Reason]),
	erlang:halt(1);
%% Discovery and connections.
handle({discover_tick, Ref}, State = #state{tick = Ref}) ->
	discover(resubscribe(State#state{tick = tick()}));
handle({discovered, Ref, Nodes}, State = #state{discovering = Ref}) when is_list(Nodes) ->
	lists:foldl(fun candidate/2, State#state{discovering = undefined}, [N || N <- Nodes, is_atom(N)]);
handle({connect_result, Node, true}, State = #state{nodes = Nodes}) when is_map_key(Node, Nodes) ->
	connected(Node, State);
handle({connect_result, Node, _}, State = #state{nodes = Nodes}) ->
	case Nodes of
		#{Node := connecting} -> State#state{nodes = maps:remove(Node, Nodes)};
		_ -> State
	end;
handle({nodeup, Node, _Info}, State) when is_atom(Node) ->
	case is_known(Node, State) of
		true -> connected(Node, State);
		false -> State
	end;
handle({nodedown, Node, Info}, State = #state{nodes = Nodes}) when is_list(Info) ->
	case Nodes of
		#{Node := up} ->
			Reason = proplists:get_value(nodedown_reason, Info, unknown),
			out(#{t => nodedown, node => name(Node), reason => name(Reason)}, State);
		_ ->
			ok
	end,
	State#state{nodes = maps:remove(Node, Nodes)};
handle({get_result, Ref, {ok, Inbox}}, State) when is_binary(Ref), is_list(Inbox) ->
	out(#{t => reply, ref => Ref, ok => true, result => Inbox}, State),
	State;
handle({get_result, Ref, {error, Why}}, State) when is_binary(Ref), is_atom(Why) ->
	out(#{t => reply, ref => Ref, ok => false, error => Why}, State),
	State;
handle({fault_result, Ref, Result}, State) when is_binary(Ref) ->
	out(fault_reply(Ref, Result), State),
	State;
handle({bad_log, Ref}, State = #state{bad_timer = Ref, bad = N}) ->
	warn(["ignored ", integer_to_binary(N), " malformed message(s) from nodes"], State),
	State#state{bad = 0, bad_timer = undefined};
handle(_Msg, State) ->
	bad(State).

%% A malformed or unknown message: counted, and told in one `log` frame a second later.
bad(State = #state{bad = N, bad_timer = undefined}) ->
	Ref = make_ref(),
	_ = erlang:send_after(?BAD_LOG_MS, self(), {bad_log, Ref}),
	State#state{bad = N + 1, bad_timer = Ref};
bad(State = #state{bad = N}) ->
	State#state{bad = N + 1}.

tick() ->
	Ref = make_ref(),
	_ = erlang:send_after(?DISCOVER_MS, self(), {discover_tick, Ref}),
	Ref.

%% Frames in.

input_frame(Frame, State) ->
	case swarmscope_input:parse(Frame) of
		{ok, Command} ->
			command(Command, State);
		{warn, Why} ->
			warn(Why, State),
			State
	end.

command({send, Id, FromName, ToName, Content}, State) ->
	case {up_node(FromName, State), known_node(ToName, State)} of
		{{ok, From}, {ok, To}} ->
			case erlang:send({msg, From}, {ss_send, Id, To, Content}, [noconnect]) of
				ok -> ok;
				noconnect -> send_failed(Id, FromName, ToName, not_connected, State)
			end;
		{{error, Why}, _} ->
			send_failed(Id, FromName, ToName, Why, State);
		{_, {error, Why}} ->
			send_failed(Id, FromName, ToName, Why, State)
	end,
	State;
command({get, Ref, Name}, State) ->
	case up_node(Name, State) of
		{ok, Node} ->
			Bridge = self(),
			_ = spawn(fun() -> Bridge ! {get_result, Ref, get_inbox(Node)} end);
		{error, Why} ->
			out(#{t => reply, ref => Ref, ok => false, error => Why}, State)
	end,
	State;
command({ping, Ref}, State) ->
	out(#{t => reply, ref => Ref, ok => true, result => pong}, State),
	State;
command({discover, Mode}, State) ->
	discover(State#state{mode = Mode, discovering = undefined});
command({traffic, Ref, Run, Tag, NodeName, TargetNames, Opts}, State) ->
	Targets = [{N, known_node(N, State)} || N <- TargetNames],
	case {up_node(NodeName, State), [N || {N, {error, _}} <- Targets]} of
		{{ok, Node}, []} ->
			_ = erlang:send({msg, Node}, {ss_traffic, Run, Tag, [A || {_, {ok, A}} <- Targets], Opts},
				[noconnect]),
			reply(Ref, ok, State);
		{{error, Why}, _} ->
			traffic_error(Ref, Why, [NodeName], State);
		{_, Unknown} ->
			traffic_error(Ref, unknown_node, Unknown, State)
	end,
	State;
command({traffic_stop, Which}, State) ->
	_ = [erlang:send({msg, N}, {ss_traffic_stop, Which}, [noconnect]) || N <- up_nodes(State)],
	State;
command({commit, Name, Inc, UpTo}, State) ->
	case known_node(Name, State) of
		{ok, Node} -> _ = erlang:send({msg, Node}, {ss_commit, Inc, UpTo}, [noconnect]);
		{error, Why} -> warn(["commit: ", atom_to_binary(Why), ": ", swarmscope_text:cut(Name)], State)
	end,
	State;

%% The cluster's tick (a big mesh's idle ticks grow with its square): every up replica now, and
%% each one that joins later, before it is told its peers; and the bridge's own. A bridge on the
%% configured tick dropped the replicas of a big cluster whose CPU was all taken (200 on 2 cores:
%% most down with net_tick_timeout, flapping) as surely as the replicas did between themselves.
%% A change still under way is left to end.
command({ticktime, T}, State) ->
	_ = net_kernel:set_net_ticktime(T, ?TICK_TRANSITION_S),
	_ = [erlang:send({msg, N}, {ss_ticktime, T}, [noconnect]) || N <- up_nodes(State)],
	State#state{mesh_tick = T};
%% Every up replica is told the others again (as on every nodeup): links a fault cut form again.
command(peers, State) ->
	tell_peers(State),
	State;
%% The seed's way, from the node `From` itself: `{msg, To} ! {send, From, Content}`.
command({seed, Ref, FromName, ToName, Content}, State) ->
	case {up_node(FromName, State), up_node(ToName, State)} of
		{{ok, From}, {ok, To}} ->
			ok = erpc:cast(From, erlang, send, [{msg, To}, {send, From, Content}]),
			reply(Ref, ok, State);
		{{error, Why}, _} ->
			reply(Ref, {error, Why}, State);
		{_, {error, Why}} ->
			reply(Ref, {error, Why}, State)
	end,
	State;
command({fault, Ref, Name, Op}, State) ->
	case {up_node(Name, State), fault_msg(Op, State)} of
		{{ok, Node}, {ok, Build}} ->
			Bridge = self(),
			_ = spawn(fun() -> Bridge ! {fault_result, Ref, fault_call(Node, Build)} end);
		{{error, Why}, _} ->
			reply(Ref, {error, Why}, State);
		{_, {error, Why}} ->
			reply(Ref, {error, Why}, State)
	end,
	State.

send_failed(Id, From, To, Why, State) ->
	out(#{t => send_failed, id => Id, from => From, to => To, reason => Why}, State).

traffic_error(Ref, Why, Names, State) ->
	warn(["traffic: ", atom_to_binary(Why), ": ", lists:join(<<", ">>, Names)], State),
	reply(Ref, {error, Why}, State).

reply(undefined, _, _) -> ok;
reply(Ref, ok, State) -> out(#{t => reply, ref => Ref, ok => true, result => null}, State);
reply(Ref, {error, Why}, State) -> out(#{t => reply, ref => Ref, ok => false, error => Why}, State).

warn(Msg, State) ->
	out(#{t => log, level => warning, msg => swarmscope_text:cut(iolist_to_binary(Msg))}, State).

%% Fault commands to a replica's `ss_fault` (PROTOCOL.md, "Faults"), relayed from a process of
%% their own that waits for the `ss_fault_result`; peers must be names discovery already knows.

fault_msg({partition, Names}, State) -> with_peers(Names, State, fun(Ps) -> fun(F, R) -> {ss_partition, F, R, Ps} end end);
fault_msg({heal, Names}, State) -> with_peers(Names, State, fun(Ps) -> fun(F, R) -> {ss_heal, F, R, Ps} end end);
fault_msg(heal, _) -> {ok, fun(F, R) -> {ss_heal, F, R} end};
fault_msg({delay, D, J, L}, _) -> {ok, fun(F, R) -> {ss_delay, F, R, D, J, L} end};
fault_msg(clear, _) -> {ok, fun(F, R) -> {ss_clear, F, R} end};
fault_msg({route, Name, Target}, State) -> with_peers([Name], State, fun([P]) -> fun(F, R) -> {ss_route, F, R, P, Target} end end);
fault_msg({unroute, Name}, State) -> with_peers([Name], State, fun([P]) -> fun(F, R) -> {ss_unroute, F, R, P} end end).

with_peers(Names, State, Make) ->
	Found = [known_node(N, State) || N <- Names],
	case [N || {ok, N} <- Found] of
		Peers when length(Peers) =:= length(Names) -> {ok, Make(Peers)};
		_ -> {error, unknown_node}
	end.

fault_call(Node, Build) ->
	MRef = monitor(process, {ss_fault, Node}),
	_ = erlang:send({ss_fault, Node}, Build(self(), MRef), [noconnect]),
	receive
		{ss_fault_result, MRef, Result} -> demonitor(MRef, [flush]), Result;
		{'DOWN', MRef, process, _, _} -> {error, no_fault_process}
	after ?GET_TIMEOUT_MS ->
		demonitor(MRef, [flush]),
		{error, timeout}
	end.

fault_reply(Ref, ok) ->
	#{t => reply, ref => Ref, ok => true, result => null};
fault_reply(Ref, {ok, #{route := {Ip, Port}}}) ->
	#{t => reply, ref => Ref, ok => true, result => #{ip => list_to_binary(inet:ntoa(Ip)), port => Port}};
fault_reply(Ref, {error, Why}) ->
	#{t => reply, ref => Ref, ok => false, error => text(Why)};
fault_reply(Ref, Other) ->
	#{t => reply, ref => Ref, ok => false, error => text(Other)}.

%% Node names from outside.

known_node(Name, #state{known = Known}) ->
	case Known of
		#{Name := Node} -> {ok, Node};
		_ -> {error, unknown_node}
	end.

up_node(Name, State = #state{nodes = Nodes}) ->
	case known_node(Name, State) of
		{ok, Node} ->
			case Nodes of
				#{Node := up} -> {ok, Node};
				_ -> {error, node_down}
			end;
		Error ->
			Error
	end.

is_known(Node, #state{known = Known}) ->
	maps:get(atom_to_binary(Node), Known, undefined) =:= Node.

up_nodes(#state{nodes = Nodes}) ->
	[N || {N, up} <- maps:to_list(Nodes)].

%% Discovery: a worker process resolves the candidates so that a slow DNS or epmd never
%% holds up the events.

discover(State = #state{mode = undefined}) ->
	State;
discover(State = #state{discovering = Ref}) when is_reference(Ref) ->
	State;
discover(State = #state{mode = Mode}) ->
	Bridge = self(),
	Ref = make_ref(),
	_ = spawn(fun() -> Bridge ! {discovered, Ref, swarmscope_discovery:candidates(Mode)} end),
	State#state{discovering = Ref}.

candidate(Node, State = #state{known = Known, nodes = Nodes}) ->
	State1 = State#state{known = Known#{atom_to_binary(Node) => Node}},
	case Nodes of
		#{Node := _} ->
			State1;
		_ ->
			case lists:member(Node, nodes(connected)) of
				true ->
					connected(Node, State1);
				false ->
					Bridge = self(),
					_ = spawn(fun() -> Bridge ! {connect_result, Node, net_kernel:connect_node(Node)} end),
					State1#state{nodes = Nodes#{Node => connecting}}
			end
	end.

connected(Node, State = #state{nodes = Nodes}) ->
	case Nodes of
		#{Node := up} -> State;
		#{Node := {subscribing, _}} -> State;
		_ -> subscribe(Node, State)
	end.

subscribe(Node, State = #state{nodes = Nodes}) ->
	_ = erlang:send({msg, Node}, {ss_subscribe, self()}, [noconnect]),
	State#state{nodes = Nodes#{Node => {subscribing, erlang:monotonic_time(millisecond)}}}.

%% A replica's `msg` may not be registered yet when its node is already reachable: ask again.
%% A node that went away meanwhile is forgotten, so that discovery connects to it afresh.
resubscribe(State = #state{nodes = Nodes}) ->
	Now = erlang:monotonic_time(millisecond),
	Stale = [N || {N, {subscribing, Since}} <- maps:to_list(Nodes), Now - Since >= ?RESUBSCRIBE_MS],
	Connected = nodes(connected),
	lists:foldl(fun(Node, S = #state{nodes = Ns}) ->
		case lists:member(Node, Connected) of
			true -> subscribe(Node, S);
			false -> S#state{nodes = maps:remove(Node, Ns)}
		end
	end, State, Stale).

hello(Node, Info, State = #state{nodes = Nodes}) ->
	case Nodes of
		#{Node := {subscribing, _}} ->
			State1 = State#state{nodes = Nodes#{Node => up}},
			Inc = case Info of #{inc := I} -> time(I); _ -> null end,
			out(#{t => nodeup, node => name(Node), inc => Inc, info => node_info(Info)}, State1),
			_ = [erlang:send({msg, Node}, {ss_ticktime, T}, [noconnect]) || T <- [State#state.mesh_tick], T =/= undefined],
			tell_peers(Node, State1),
			State1;
		_ ->
			State
	end.

tell_peers(State) ->
	Up = up_nodes(State),
	_ = [erlang:send({msg, N}, {ss_peers, Up}, [noconnect]) || N <- Up],
	ok.

%% A node just up: it is told every up node, and each of them is told it (the set-up starts
%% from whichever end gets to it first). Not the whole list to every node on every nodeup: at
%% 200 replicas that was 40,000 lists of up to 200 names for one deploy.
tell_peers(Node, State) ->
	Up = up_nodes(State),
	_ = erlang:send({msg, Node}, {ss_peers, Up}, [noconnect]),
	_ = [erlang:send({msg, N}, {ss_peers, [Node]}, [noconnect]) || N <- Up, N =/= Node],
	ok.

node_info(Info) when is_map(Info) ->
	#{otp => text(maps:get(otp, Info, <<>>)),
	  startedAt => time(maps:get(started_at, Info, null)),
	  inc => time(maps:get(inc, Info, null)),
	  rseq => time(maps:get(rseq, Info, null)),
	  osPid => text(maps:get(os_pid, Info, <<>>))};
node_info(_) ->
	#{}.

time(T) when is_integer(T), T >= 0, T =< ?JS_MAX -> T;
time(_) -> null.

get_inbox(Node) ->
	MRef = monitor(process, {msg, Node}),
	_ = erlang:send({msg, Node}, {get, self()}, [noconnect]),
	receive
		{msgs, Msgs} when is_list(Msgs) ->
			demonitor(MRef, [flush]),
			{ok, [inbox_entry(M) || M <- Msgs]};
		{'DOWN', MRef, process, _, _} ->
			{error, no_msg_process}
	after ?GET_TIMEOUT_MS ->
		{error, timeout}
	end.

inbox_entry({From, Content}) -> #{from => name(From), content => text(Content)};
inbox_entry(Other) -> #{from => null, content => text(Other)}.

%% Frames out.

out(Frame, State) ->
	out_json(swarmscope_json:encode(Frame), State).

out_json(Json, #state{out = Port}) when is_port(Port) ->
	true = port_command(Port, Json),
	ok;
out_json(Json, #state{out = Pid}) ->
	Pid ! {?MODULE, self(), iolist_to_binary(Json)},
	ok.

name(Term) -> swarmscope_text:name(Term).

%% Start-up.

log_to_stderr() ->
	{ok, Config} = logger:get_handler_config(default),
	ok = logger:remove_handler(default),
	Handler = maps:with([level, filters, filter_default, formatter], Config),
	logger:add_handler(default, logger_std_h, Handler#{config => #{type => standard_error}}).
