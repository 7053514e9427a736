%% The replica app: a gen_server registered as `msg` speaking the node protocol of
%% erlang/PROTOCOL.md (the seed's {send, From, Content} and {get, Pid}, plus the ss_*
%% messages), and the traffic generators used by load runs.
-module(swarmscope_node).
-behaviour(gen_server).

%% API.
-export([main/0]).
-export([start/0]).
-export([start_link/0]).
-export([stop/0]).
-export([info/0]).

%% gen_server.
-export([init/1]).
-export([handle_call/3]).
-export([handle_cast/2]).
-export([handle_info/2]).
-export([terminate/2]).
-export([code_change/3]).

-define(INBOX_MAX, 1000).
-define(FLUSH_MS, 5).
-define(FLUSH_MAX, 500).
-define(STATS_MS, 1000).
%% Largest batch a generator hands to `msg` in one call.
-define(GEN_BATCH, 200).

-type event() :: {sent, term(), node(), integer(), term()}
               | {send_failed, term(), node(), atom()}
               | {received, term(), term(), integer() | undefined, integer(), term(), boolean()}
               | {acked, term(), node(), integer(), integer()}
               | {traffic_done, binary(), non_neg_integer()}.
-export_type([event/0]).

-record(state, {
	started_at :: integer(),
	%% Newest first; trimmed to ?INBOX_MAX once it holds twice that (amortised).
	inbox = [] :: [{term(), term()}],
	inbox_len = 0 :: non_neg_integer(),
	subscribers = #{} :: #{pid() => reference()},
	%% Buffered events, newest first.
	buffer = [] :: [event()],
	buffered = 0 :: non_neg_integer(),
	flush_timer = undefined :: undefined | reference(),
	links = [] :: [node()],
	sent = 0 :: non_neg_integer(),
	received = 0 :: non_neg_integer(),
	acked = 0 :: non_neg_integer(),
	seed_seq :: integer(),
	generators = #{} :: #{pid() => binary()}
}).

-record(gen, {
	msg :: pid(),
	prefix :: binary(),
	targets :: tuple(),
	rate :: non_neg_integer(),
	count :: non_neg_integer(),
	order :: cycle | random,
	content :: term(),
	start :: integer()
}).

%% API.

%% Entry point of `erl -run swarmscope_node main`. The node halts if `msg` dies (the runtime
%% restarts it) and, with SWARMSCOPE_EXIT_ON_EOF=1, when its stdin reaches end of file.
-spec main() -> ok.
main() ->
	{ok, Pid} = start(),
	_ = spawn(fun() -> halt_when_down(Pid) end),
	_ = swarmscope_fault:start(),
	case os:getenv("SWARMSCOPE_EXIT_ON_EOF") of
		"1" -> _ = spawn(fun halt_on_stdin_eof/0), ok;
		_ -> ok
	end.

-spec start() -> {ok, pid()} | {error, term()}.
start() ->
	gen_server:start({local, msg}, ?MODULE, [], []).

-spec start_link() -> {ok, pid()} | {error, term()}.
start_link() ->
	gen_server:start_link({local, msg}, ?MODULE, [], []).

-spec stop() -> ok.
stop() ->
	gen_server:stop(msg).

-spec info() -> #{atom() => term()}.
info() ->
	gen_server:call(msg, info).

%% gen_server.

-spec init([]) -> {ok, #state{}}.
init([]) ->
	%% Under load the mailbox can hold many messages; keep it out of the heap GC.
	_ = process_flag(message_queue_data, off_heap),
	_ = case is_alive() of
		true -> net_kernel:monitor_nodes(true);
		false -> ok
	end,
	_ = erlang:send_after(?STATS_MS, self(), ss_tick),
	Now = now_us(),
	{ok, #state{started_at = Now, seed_seq = Now, links = lists:sort(nodes())}}.

-spec handle_call(term(), {pid(), term()}, #state{}) -> {reply, term(), #state{}}.
handle_call({ss_send_batch, Batch}, _From, State0) ->
	{Ok, State} = send_batch(Batch, 0, State0),
	{reply, Ok, State};
handle_call(info, _From, State) ->
	{reply, info_map(State), State};
handle_call(_Request, _From, State) ->
	{reply, {error, unknown_call}, State}.

-spec handle_cast(term(), #state{}) -> {noreply, #state{}}.
handle_cast(_Msg, State) ->
	{noreply, State}.

-spec handle_info(term(), #state{}) -> {noreply, #state{}}.
%% Hot path first: a replica's message, its ack, a send request.
handle_info({ss_msg, Id, From, FromPid, T0, Content}, State) ->
	T1 = now_us(),
	_ = erlang:send(FromPid, {ss_ack, Id, node(), T1}, [noconnect]),
	State1 = keep({From, Content}, State),
	{noreply, emit({received, Id, From, T0, T1, Content, false},
		State1#state{received = State1#state.received + 1})};
handle_info({ss_ack, Id, By, T1}, State) ->
	{noreply, emit({acked, Id, By, now_us(), T1}, State#state{acked = State#state.acked + 1})};
handle_info({ss_send, Id, To, Content}, State) when is_atom(To) ->
	{_, State1} = send_one(Id, To, Content, State),
	{noreply, State1};
%% Seed protocol.
handle_info({send, From, Content}, State = #state{seed_seq = Seq0}) ->
	T1 = now_us(),
	Seq = Seq0 + 1,
	Id = <<"seed-", (atom_to_binary(node()))/binary, "-", (integer_to_binary(Seq))/binary>>,
	State1 = keep({From, Content}, State#state{seed_seq = Seq}),
	{noreply, emit({received, Id, From, undefined, T1, Content, true},
		State1#state{received = State1#state.received + 1})};
handle_info({get, Pid}, State) when is_pid(Pid) ->
	Pid ! {msgs, inbox(State)},
	{noreply, State};
%% Observers.
handle_info({ss_subscribe, Pid}, State = #state{subscribers = Subs}) when is_pid(Pid) ->
	Subs1 = case Subs of
		#{Pid := _} -> Subs;
		_ -> Subs#{Pid => monitor(process, Pid)}
	end,
	Pid ! {ss_hello, node(), hello_info(State)},
	Pid ! {ss_links, node(), State#state.links},
	{noreply, State#state{subscribers = Subs1}};
handle_info({'DOWN', MRef, process, Pid, Reason}, State = #state{subscribers = Subs, generators = Gens}) ->
	case {Subs, Gens} of
		{#{Pid := MRef}, _} ->
			{noreply, State#state{subscribers = maps:remove(Pid, Subs)}};
		{_, #{Pid := Run}} ->
			_ = Reason =:= normal orelse logger:warning("traffic generator ~s died: ~0p", [Run, Reason]),
			{noreply, State#state{generators = maps:remove(Pid, Gens)}};
		_ ->
			{noreply, State}
	end;
handle_info({timeout, TRef, ss_flush}, State = #state{flush_timer = TRef}) ->
	{noreply, flush(State)};
handle_info({timeout, _, ss_flush}, State) ->
	{noreply, State};
%% Mesh and links.
handle_info({ss_peers, Peers}, State) when is_list(Peers) ->
	Connected = [node() | nodes()],
	_ = [spawn(net_kernel, connect_node, [P]) || P <- Peers, is_atom(P), not lists:member(P, Connected)],
	{noreply, State};
handle_info({nodeup, _}, State) ->
	{noreply, check_links(State)};
handle_info({nodedown, _}, State) ->
	{noreply, check_links(State)};
handle_info(ss_tick, State) ->
	_ = erlang:send_after(?STATS_MS, self(), ss_tick),
	State1 = check_links(State),
	notify({ss_stats, node(), stats(State1)}, State1),
	{noreply, State1};
%% Traffic generators.
handle_info({ss_traffic, Run, Tag, Targets, Opts}, State = #state{generators = Gens})
		when is_binary(Run), is_binary(Tag), is_list(Targets), is_map(Opts) ->
	case generator(Run, Tag, Targets, Opts) of
		{ok, Gen} ->
			{Pid, _} = spawn_monitor(fun() -> generate(Run, Gen) end),
			{noreply, State#state{generators = Gens#{Pid => Run}}};
		{error, Why} ->
			logger:warning("bad traffic request ~s: ~0p", [Run, Why]),
			{noreply, State}
	end;
handle_info({ss_traffic_stop, Which}, State = #state{generators = Gens}) ->
	_ = [Pid ! stop || {Pid, Run} <- maps:to_list(Gens), Which =:= all orelse Which =:= Run],
	{noreply, State};
handle_info({ss_traffic_done, Run, Sent}, State) ->
	{noreply, emit({traffic_done, Run, Sent}, State)};
handle_info(_Msg, State) ->
	{noreply, State}.

-spec terminate(term(), #state{}) -> ok.
terminate(_Reason, State) ->
	_ = flush(State),
	ok.

-spec code_change(term(), #state{}, term()) -> {ok, #state{}}.
code_change(_OldVsn, State, _Extra) ->
	{ok, State}.

%% Sending.

send_one(Id, To, Content, State) ->
	T0 = now_us(),
	case erlang:send({msg, To}, {ss_msg, Id, node(), self(), T0, Content}, [noconnect]) of
		ok ->
			{1, emit({sent, Id, To, T0, Content}, State#state{sent = State#state.sent + 1})};
		noconnect ->
			{0, emit({send_failed, Id, To, not_connected}, State)}
	end.

send_batch([], Ok, State) ->
	{Ok, State};
send_batch([{Id, To, Content} | Rest], Ok, State) ->
	{N, State1} = send_one(Id, To, Content, State),
	send_batch(Rest, Ok + N, State1).

%% Inbox.

keep(Entry, State = #state{inbox = Inbox, inbox_len = Len}) when Len >= 2 * ?INBOX_MAX ->
	State#state{inbox = [Entry | lists:sublist(Inbox, ?INBOX_MAX - 1)], inbox_len = ?INBOX_MAX};
keep(Entry, State = #state{inbox = Inbox, inbox_len = Len}) ->
	State#state{inbox = [Entry | Inbox], inbox_len = Len + 1}.

inbox(#state{inbox = Inbox, inbox_len = Len}) when Len > ?INBOX_MAX ->
	lists:sublist(Inbox, ?INBOX_MAX);
inbox(#state{inbox = Inbox}) ->
	Inbox.

%% Events and observers.

emit(_, State = #state{subscribers = Subs}) when map_size(Subs) =:= 0 ->
	State;
emit(Event, State = #state{buffer = Buffer, buffered = N, flush_timer = Timer}) ->
	State1 = State#state{buffer = [Event | Buffer], buffered = N + 1},
	%% Nothing else waiting in the mailbox: flush now, so a lone message is reported at once.
	%% Under load the mailbox is busy and events batch (up to FLUSH_MAX, or FLUSH_MS at most).
	{message_queue_len, Queued} = erlang:process_info(self(), message_queue_len),
	if
		N + 1 >= ?FLUSH_MAX; Queued =:= 0 -> flush(State1);
		Timer =:= undefined -> State1#state{flush_timer = erlang:start_timer(?FLUSH_MS, self(), ss_flush)};
		true -> State1
	end.

flush(State = #state{buffered = 0}) ->
	State;
flush(State = #state{buffer = Buffer, flush_timer = Timer}) ->
	_ = Timer =:= undefined orelse erlang:cancel_timer(Timer, [{async, true}, {info, false}]),
	notify({ss_events, node(), lists:reverse(Buffer)}, State),
	State#state{buffer = [], buffered = 0, flush_timer = undefined}.

notify(Msg, #state{subscribers = Subs}) ->
	_ = [erlang:send(Pid, Msg, [noconnect]) || Pid <- maps:keys(Subs)],
	ok.

check_links(State = #state{links = Links}) ->
	case lists:sort(nodes()) of
		Links ->
			State;
		New ->
			notify({ss_links, node(), New}, State),
			State#state{links = New}
	end.

hello_info(#state{started_at = StartedAt}) ->
	#{otp => list_to_binary(erlang:system_info(otp_release)),
	  started_at => StartedAt,
	  os_pid => list_to_binary(os:getpid())}.

stats(State = #state{sent = Sent, received = Received, acked = Acked}) ->
	{message_queue_len, Queue} = process_info(self(), message_queue_len),
	#{sent => Sent, received => Received, acked => Acked,
	  inbox => min(State#state.inbox_len, ?INBOX_MAX), queue => Queue,
	  memory => erlang:memory(total)}.

info_map(State = #state{subscribers = Subs, generators = Gens}) ->
	(stats(State))#{subscribers => maps:size(Subs), generators => maps:size(Gens),
		links => State#state.links}.

now_us() ->
	os:system_time(microsecond).

%% Traffic generators: a process per {ss_traffic, ...} that hands `msg` batches of sends
%% (a call, so a fast generator cannot flood `msg`), paced to hold the rate.

generator(Run, Tag, Targets, Opts) ->
	Rate = maps:get(rate, Opts, 0),
	Count = maps:get(count, Opts, 1),
	Order = maps:get(order, Opts, cycle),
	Valid = is_integer(Rate) andalso Rate >= 0 andalso is_integer(Count) andalso Count >= 0
		andalso (Order =:= cycle orelse Order =:= random) andalso lists:all(fun is_atom/1, Targets),
	case Valid of
		true ->
			{ok, #gen{msg = self(), prefix = <<Run/binary, ".", Tag/binary, ".">>,
				targets = list_to_tuple(Targets), rate = Rate,
				count = case Targets of [] -> 0; _ -> Count end, order = Order,
				content = maps:get(content, Opts, <<>>), start = 0}};
		false ->
			{error, {bad_options, Opts}}
	end.

generate(Run, Gen) ->
	Sent = generate(Gen#gen{start = erlang:monotonic_time(millisecond)}, 0, 0),
	Gen#gen.msg ! {ss_traffic_done, Run, Sent}.

generate(#gen{count = Count}, Done, Sent) when Done >= Count ->
	Sent;
generate(Gen = #gen{rate = 0, count = Count}, Done, Sent) ->
	receive
		stop -> Sent
	after 0 ->
		N = min(?GEN_BATCH, Count - Done),
		generate(Gen, Done + N, Sent + send_generated(Gen, Done, N))
	end;
generate(Gen = #gen{rate = Rate, count = Count, start = Start}, Done, Sent) ->
	Elapsed = erlang:monotonic_time(millisecond) - Start,
	%% Message k (from 0) is due at k * 1000 / Rate ms.
	Due = min(Count, Elapsed * Rate div 1000 + 1),
	if
		Due > Done ->
			receive
				stop -> Sent
			after 0 ->
				N = min(?GEN_BATCH, Due - Done),
				generate(Gen, Done + N, Sent + send_generated(Gen, Done, N))
			end;
		true ->
			Wait = max(1, (Done * 1000 + Rate - 1) div Rate - Elapsed),
			receive
				stop -> Sent
			after Wait ->
				generate(Gen, Done, Sent)
			end
	end.

send_generated(Gen = #gen{msg = Msg}, Done, N) ->
	Batch = [generated(Gen, Seq) || Seq <- lists:seq(Done + 1, Done + N)],
	gen_server:call(Msg, {ss_send_batch, Batch}, infinity).

generated(#gen{prefix = Prefix, targets = Targets, order = Order, content = Content}, Seq) ->
	I = case Order of
		cycle -> (Seq - 1) rem tuple_size(Targets) + 1;
		random -> rand:uniform(tuple_size(Targets))
	end,
	{<<Prefix/binary, (integer_to_binary(Seq))/binary>>, element(I, Targets), Content}.

%% Node lifetime.

halt_when_down(Pid) ->
	MRef = monitor(process, Pid),
	receive
		{'DOWN', MRef, process, Pid, Reason} ->
			logger:error("msg process died (~0p); halting", [Reason]),
			timer:sleep(100),
			erlang:halt(1)
	end.

halt_on_stdin_eof() ->
	Port = open_port({fd, 0, 2}, [in, eof, binary]),
	stdin_loop(Port).

stdin_loop(Port) ->
	receive
		{Port, {data, _}} -> stdin_loop(Port);
		{Port, eof} -> erlang:halt(0)
	end.
