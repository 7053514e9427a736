%% The hidden bridge node: discovers the replicas, connects and subscribes to their `msg`
%% processes, and relays between them and the TypeScript server over {packet, 4} JSON
%% frames on stdin/stdout (erlang/PROTOCOL.md, "Bridge frames").
%%
%% Node names from outside are turned into atoms only by looking them up among the nodes
%% already known; discovery creates atoms only for names that match the deployment.
-module(swarmscope_bridge).
-behaviour(gen_server).

%% API.
-export([main/0]).
-export([start_link/1]).
-export([input/2]).
-export([text/1]).

%% gen_server.
-export([init/1]).
-export([handle_call/3]).
-export([handle_cast/2]).
-export([handle_info/2]).
-export([terminate/2]).
-export([code_change/3]).

-define(DISCOVER_MS, 500).
-define(RESUBSCRIBE_MS, 1000).
-define(GET_TIMEOUT_MS, 5000).
-define(TEXT_MAX, 1024).
-define(NAME_MAX, 255).
%% Longest host, DNS query, deployment or name accepted in a discover frame.
-define(MAX_PARAM, 255).
-define(MAX_COUNT, 100000000).
-define(MAX_RATE, 10000000).

-type mode() :: {epmd, string(), binary()} | {dns, string(), binary()}.
-type node_state() :: connecting | {subscribing, integer()} | up.
-type out() :: port() | pid().

-record(state, {
	out :: out(),
	mode = undefined :: undefined | mode(),
	discovering = false :: boolean(),
	%% Every replica name discovered so far, as text and as the atom discovery made for it.
	known = #{} :: #{binary() => node()},
	nodes = #{} :: #{node() => node_state()}
}).

%% API.

%% Entry point of `erl -hidden -run swarmscope_bridge main`: frames on stdin/stdout, the
%% logger on stderr, and the node halts when stdin closes or the bridge dies.
-spec main() -> ok.
main() ->
	ok = log_to_stderr(),
	{ok, Pid} = gen_server:start({local, ?MODULE}, ?MODULE, #{out => stdio}, []),
	_ = spawn(fun() -> halt_when_down(Pid) end),
	ok.

%% Out is `stdio` (open the {packet, 4} port on fds 0/1) or a pid that then gets every
%% frame as {swarmscope_bridge, BridgePid, JsonBinary} (tests).
-spec start_link(#{out := stdio | pid()}) -> {ok, pid()} | {error, term()}.
start_link(Opts) ->
	gen_server:start_link(?MODULE, Opts, []).

%% Hands the bridge one frame as if it came from stdin.
-spec input(pid(), binary()) -> ok.
input(Bridge, Frame) ->
	gen_server:cast(Bridge, {input, Frame}).

%% A term as text (PROTOCOL.md): a valid UTF-8 binary as is, anything else as ~0p; cut to
%% 1024 characters.
-spec text(term()) -> binary().
text(Bin) when is_binary(Bin) ->
	case unicode:characters_to_binary(Bin) of
		Text when is_binary(Text) -> cut(Text);
		_ -> format(Bin)
	end;
text(Term) ->
	format(Term).

%% gen_server.

-spec init(#{out := stdio | pid()}) -> {ok, #state{}}.
init(#{out := Out0}) ->
	process_flag(trap_exit, true),
	_ = process_flag(message_queue_data, off_heap),
	Out = case Out0 of
		stdio -> open_port({fd, 0, 1}, [{packet, 4}, binary, eof]);
		Pid when is_pid(Pid) -> Pid
	end,
	State = #state{out = Out},
	out(#{t => hello, bridge => node(), otp => list_to_binary(erlang:system_info(otp_release))}, State),
	ok = net_kernel:monitor_nodes(true, [{node_type, all}, nodedown_reason]),
	_ = erlang:send_after(?DISCOVER_MS, self(), discover_tick),
	{ok, State}.

-spec handle_call(term(), {pid(), term()}, #state{}) -> {reply, term(), #state{}}.
handle_call(_Request, _From, State) ->
	{reply, {error, unknown_call}, State}.

-spec handle_cast(term(), #state{}) -> {noreply, #state{}}.
handle_cast({input, Frame}, State) ->
	{noreply, input_frame(Frame, State)};
handle_cast(_Msg, State) ->
	{noreply, State}.

-spec handle_info(term(), #state{}) -> {noreply, #state{}}.
%% Hot path first: what the replicas report.
handle_info({ss_events, Node, Events}, State) when is_list(Events) ->
	out_events(Node, Events, State),
	{noreply, State};
handle_info({ss_stats, Node, Stats}, State) when is_map(Stats) ->
	Fields = maps:with([sent, received, acked, inbox, queue, memory], Stats),
	out(Fields#{t => stats, node => name(Node)}, State),
	{noreply, State};
handle_info({ss_links, Node, Links}, State) when is_list(Links) ->
	out(#{t => links, node => name(Node), links => [name(L) || L <- Links]}, State),
	{noreply, State};
handle_info({ss_hello, Node, Info}, State) when is_atom(Node) ->
	{noreply, hello(Node, Info, State)};
%% Frames from the server.
handle_info({Port, {data, Frame}}, State = #state{out = Port}) ->
	{noreply, input_frame(Frame, State)};
handle_info({Port, eof}, State = #state{out = Port}) ->
	erlang:halt(0),
	{noreply, State};
handle_info({'EXIT', Port, Reason}, State = #state{out = Port}) ->
	logger:error("bridge stdio closed: ~0p", [Reason]),
	erlang:halt(1),
	{noreply, State};
%% Discovery and connections.
handle_info(discover_tick, State) ->
	_ = erlang:send_after(?DISCOVER_MS, self(), discover_tick),
	{noreply, discover(resubscribe(State))};
handle_info({discovered, Mode, Nodes}, State = #state{mode = Mode}) ->
	{noreply, lists:foldl(fun candidate/2, State#state{discovering = false}, Nodes)};
handle_info({discovered, _OldMode, _}, State) ->
	{noreply, State#state{discovering = false}};
handle_info({connect_result, Node, true}, State) ->
	{noreply, connected(Node, State)};
handle_info({connect_result, Node, _}, State = #state{nodes = Nodes}) ->
	case Nodes of
		#{Node := connecting} -> {noreply, State#state{nodes = maps:remove(Node, Nodes)}};
		_ -> {noreply, State}
	end;
handle_info({nodeup, Node, _Info}, State) ->
	case is_known(Node, State) of
		true -> {noreply, connected(Node, State)};
		false -> {noreply, State}
	end;
handle_info({nodedown, Node, Info}, State = #state{nodes = Nodes}) ->
	case Nodes of
		#{Node := up} ->
			Reason = proplists:get_value(nodedown_reason, Info, unknown),
			out(#{t => nodedown, node => name(Node), reason => name(Reason)}, State);
		_ ->
			ok
	end,
	{noreply, State#state{nodes = maps:remove(Node, Nodes)}};
handle_info({get_result, Ref, {ok, Inbox}}, State) ->
	out(#{t => reply, ref => Ref, ok => true, result => Inbox}, State),
	{noreply, State};
handle_info({get_result, Ref, {error, Why}}, State) ->
	out(#{t => reply, ref => Ref, ok => false, error => Why}, State),
	{noreply, State};
handle_info(_Msg, State) ->
	{noreply, State}.

-spec terminate(term(), #state{}) -> ok.
terminate(_Reason, _State) ->
	ok.

-spec code_change(term(), #state{}, term()) -> {ok, #state{}}.
code_change(_OldVsn, State, _Extra) ->
	{ok, State}.

%% Frames in.

input_frame(Frame, State) ->
	case swarmscope_json:decode(Frame) of
		{ok, #{<<"t">> := Type} = Fields} when is_binary(Type) ->
			try
				command(Type, Fields, State)
			catch throw:{bad_frame, Why} ->
				warn(Why, State),
				State
			end;
		{ok, _} ->
			warn(<<"frame without a string \"t\"">>, State),
			State;
		{error, Reason} ->
			warn(["invalid JSON frame: ", text(Reason)], State),
			State
	end.

command(<<"send">>, F, State) ->
	Id = str(F, <<"id">>),
	FromName = str(F, <<"from">>),
	ToName = str(F, <<"to">>),
	Content = str(F, <<"content">>),
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
command(<<"get">>, F, State) ->
	Ref = str(F, <<"ref">>),
	case up_node(str(F, <<"node">>), State) of
		{ok, Node} ->
			Bridge = self(),
			_ = spawn(fun() -> Bridge ! {get_result, Ref, get_inbox(Node)} end);
		{error, Why} ->
			out(#{t => reply, ref => Ref, ok => false, error => Why}, State)
	end,
	State;
command(<<"ping">>, F, State) ->
	out(#{t => reply, ref => str(F, <<"ref">>), ok => true, result => pong}, State),
	State;
command(<<"discover">>, F, State) ->
	Mode = case str(F, <<"mode">>) of
		<<"epmd">> -> {epmd, host(str(F, <<"host">>)), word(F, <<"deployment">>)};
		<<"dns">> -> {dns, host(str(F, <<"query">>)), word(F, <<"name">>)};
		Other -> throw({bad_frame, ["discover: unknown mode \"", Other, "\""]})
	end,
	discover(State#state{mode = Mode, discovering = false});
command(<<"traffic">>, F, State) ->
	Ref = opt(F, <<"ref">>, fun is_binary/1, undefined),
	Run = str(F, <<"run">>),
	Tag = case maps:get(<<"tag">>, F, <<"0">>) of
		T when is_binary(T) -> T;
		T when is_integer(T) -> integer_to_binary(T);
		_ -> throw({bad_frame, <<"traffic: \"tag\" must be a string">>})
	end,
	NodeName = str(F, <<"node">>),
	TargetNames = case maps:get(<<"targets">>, F, undefined) of
		L when is_list(L) -> [case is_binary(N) of true -> N; false -> throw({bad_frame,
			<<"traffic: \"targets\" must be a list of node names">>}) end || N <- L];
		_ -> throw({bad_frame, <<"traffic: \"targets\" must be a list of node names">>})
	end,
	Opts = #{
		rate => int(F, <<"rate">>, 0, ?MAX_RATE, 0),
		count => int(F, <<"count">>, 0, ?MAX_COUNT, 1),
		order => case opt(F, <<"order">>, fun is_binary/1, <<"cycle">>) of
			<<"cycle">> -> cycle;
			<<"random">> -> random;
			_ -> throw({bad_frame, <<"traffic: \"order\" must be \"cycle\" or \"random\"">>})
		end,
		content => opt(F, <<"content">>, fun is_binary/1, <<>>)
	},
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
command(<<"traffic_stop">>, F, State) ->
	Which = case maps:get(<<"run">>, F, null) of
		null -> all;
		<<"*">> -> all;
		Run when is_binary(Run) -> Run;
		_ -> throw({bad_frame, <<"traffic_stop: \"run\" must be a string">>})
	end,
	_ = [erlang:send({msg, N}, {ss_traffic_stop, Which}, [noconnect]) || N <- up_nodes(State)],
	State;
command(Type, _, _) ->
	throw({bad_frame, ["unknown frame type \"", cut(Type), "\""]}).

send_failed(Id, From, To, Why, State) ->
	out(#{t => send_failed, id => Id, from => From, to => To, reason => Why}, State).

traffic_error(Ref, Why, Names, State) ->
	warn(["traffic: ", atom_to_binary(Why), ": ", lists:join(<<", ">>, Names)], State),
	reply(Ref, {error, Why}, State).

reply(undefined, _, _) -> ok;
reply(Ref, ok, State) -> out(#{t => reply, ref => Ref, ok => true, result => null}, State);
reply(Ref, {error, Why}, State) -> out(#{t => reply, ref => Ref, ok => false, error => Why}, State).

str(F, Key) ->
	case maps:get(Key, F, undefined) of
		V when is_binary(V) -> V;
		_ -> throw({bad_frame, [maps:get(<<"t">>, F), <<": \"">>, Key, <<"\" must be a string">>]})
	end.

opt(F, Key, Valid, Default) ->
	case maps:get(Key, F, null) of
		null -> Default;
		V ->
			case Valid(V) of
				true -> V;
				false -> throw({bad_frame, [maps:get(<<"t">>, F), <<": bad \"">>, Key, <<"\"">>]})
			end
	end.

int(F, Key, Min, Max, Default) ->
	opt(F, Key, fun(V) -> is_integer(V) andalso V >= Min andalso V =< Max end, Default).

%% A host or DNS query: letters, digits, '.', '-', '_', ':'.
host(Bin) ->
	case Bin =/= <<>> andalso byte_size(Bin) =< ?MAX_PARAM andalso
			lists:all(fun(C) -> is_word_char(C) orelse C =:= $. orelse C =:= $: end, binary_to_list(Bin)) of
		true -> binary_to_list(Bin);
		false -> throw({bad_frame, ["discover: bad host or query \"", cut(Bin), "\""]})
	end.

%% A deployment id or node name part: letters, digits, '-', '_'.
word(F, Key) ->
	Bin = str(F, Key),
	case Bin =/= <<>> andalso byte_size(Bin) =< ?MAX_PARAM andalso
			lists:all(fun is_word_char/1, binary_to_list(Bin)) of
		true -> Bin;
		false -> throw({bad_frame, ["discover: bad \"", Key, "\""]})
	end.

is_word_char(C) ->
	(C >= $a andalso C =< $z) orelse (C >= $A andalso C =< $Z) orelse (C >= $0 andalso C =< $9)
		orelse C =:= $- orelse C =:= $_.

warn(Msg, State) ->
	out(#{t => log, level => warning, msg => cut(iolist_to_binary(Msg))}, State).

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
discover(State = #state{discovering = true}) ->
	State;
discover(State = #state{mode = Mode}) ->
	Bridge = self(),
	_ = spawn(fun() -> Bridge ! {discovered, Mode, candidates(Mode)} end),
	State#state{discovering = true}.

candidates({epmd, Host, Deployment}) ->
	Address = case inet:parse_address(Host) of
		{ok, IP} -> IP;
		{error, _} -> Host
	end,
	case erl_epmd:names(Address) of
		{ok, Names} ->
			[list_to_atom(Name ++ "@" ++ Host) || {Name, _Port} <- Names,
				is_replica_name(list_to_binary(Name), Deployment)];
		{error, _} ->
			[]
	end;
candidates({dns, Query, Name}) ->
	case inet:getaddrs(Query, inet) of
		{ok, IPs} -> [list_to_atom(binary_to_list(Name) ++ "@" ++ inet:ntoa(IP)) || IP <- IPs];
		{error, _} -> []
	end.

%% Exactly n<1-4 digits>-<deployment>.
is_replica_name(<<$n, Rest/binary>>, Deployment) ->
	Size = byte_size(Rest) - byte_size(Deployment) - 1,
	case Rest of
		<<Digits:Size/binary, $-, Deployment/binary>> when Size >= 1, Size =< 4 ->
			lists:all(fun(C) -> C >= $0 andalso C =< $9 end, binary_to_list(Digits));
		_ ->
			false
	end;
is_replica_name(_, _) ->
	false.

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
			out(#{t => nodeup, node => name(Node), info => node_info(Info)}, State1),
			Up = up_nodes(State1),
			_ = [erlang:send({msg, N}, {ss_peers, Up}, [noconnect]) || N <- Up],
			State1;
		_ ->
			State
	end.

node_info(Info) when is_map(Info) ->
	#{otp => text(maps:get(otp, Info, <<>>)),
	  startedAt => maps:get(started_at, Info, null),
	  osPid => text(maps:get(os_pid, Info, <<>>))};
node_info(_) ->
	#{}.

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

%% Events frames carry every message event, so they are written out directly rather than
%% through maps: one frame per batch from a replica.
out_events(Node, Events, State) ->
	Json = [<<"{\"t\":\"events\",\"node\":">>, json_name(Node), <<",\"events\":[">>,
		lists:join($,, [E || E <- [event(Ev) || Ev <- Events], E =/= skip]), <<"]}">>],
	out_json(Json, State).

event({sent, Id, To, T0, Content}) ->
	[<<"{\"e\":\"sent\",\"id\":">>, json_text(Id), <<",\"to\":">>, json_name(To),
	 <<",\"t\":">>, json_time(T0), <<",\"content\":">>, json_text(Content), $}];
event({received, Id, From, T0, T1, Content, Seed}) ->
	[<<"{\"e\":\"received\",\"id\":">>, json_text(Id), <<",\"from\":">>, json_name(From),
	 <<",\"t0\":">>, json_time(T0), <<",\"t\":">>, json_time(T1), <<",\"content\":">>, json_text(Content),
	 case Seed of true -> <<",\"seed\":true}">>; _ -> <<",\"seed\":false}">> end];
event({acked, Id, By, T2, T1}) ->
	[<<"{\"e\":\"acked\",\"id\":">>, json_text(Id), <<",\"to\":">>, json_name(By),
	 <<",\"t\":">>, json_time(T2), <<",\"t1\":">>, json_time(T1), $}];
event({send_failed, Id, To, Reason}) ->
	[<<"{\"e\":\"send_failed\",\"id\":">>, json_text(Id), <<",\"to\":">>, json_name(To),
	 <<",\"reason\":">>, json_name(Reason), $}];
event({traffic_done, Run, Sent}) when is_integer(Sent) ->
	[<<"{\"e\":\"traffic_done\",\"run\":">>, json_text(Run), <<",\"sent\":">>, integer_to_binary(Sent), $}];
event(_) ->
	skip.

json_text(Term) -> swarmscope_json:encode(text(Term)).
json_name(Term) -> swarmscope_json:encode(name(Term)).
json_time(T) -> swarmscope_json:encode(time(T)).

time(T) when is_integer(T) -> T;
time(_) -> null.

%% A node name (or a seed message's From): an atom as its name, anything else as text/1
%% cut to 255 characters, like an atom.
name(A) when is_atom(A) -> atom_to_binary(A);
name(Term) -> cut(text(Term), ?NAME_MAX).

format(Term) ->
	cut(unicode:characters_to_binary(io_lib:format("~0p", [Term], [{chars_limit, 2 * ?TEXT_MAX}]))).

cut(Text) ->
	cut(Text, ?TEXT_MAX).

cut(Text, Max) when byte_size(Text) =< Max ->
	Text;
cut(Text, Max) ->
	binary:part(Text, 0, prefix_size(Text, Max, 0)).

prefix_size(_, 0, Size) -> Size;
prefix_size(<<C/utf8, Rest/binary>>, N, Size) -> prefix_size(Rest, N - 1, Size + byte_size(<<C/utf8>>));
prefix_size(_, _, Size) -> Size.

%% Start-up.

log_to_stderr() ->
	{ok, Config} = logger:get_handler_config(default),
	ok = logger:remove_handler(default),
	Handler = maps:with([level, filters, filter_default, formatter], Config),
	logger:add_handler(default, logger_std_h, Handler#{config => #{type => standard_error}}).

halt_when_down(Pid) ->
	MRef = monitor(process, Pid),
	receive
		{'DOWN', MRef, process, Pid, Reason} ->
			logger:error("bridge died (~0p); halting", [Reason]),
			timer:sleep(100),
			erlang:halt(1)
	end.
