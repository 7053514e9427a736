%% The replica app: the process registered as `msg`, speaking the node protocol of
%% erlang/PROTOCOL.md: the seed's {send, From, Content} and {get, Pid}, and the ss_* messages
%% with per-pair seqs, runs, cumulative acks, reports kept until committed and exact counters
%% (docs/ACCOUNTING.md). Its own receive loop (swarmscope_proc): any term from any node is
%% either understood or counted as ignored, never a crash, and never turned into an atom.
-module(swarmscope_node).

%% API.
-export([main/0]).
-export([start/0]).
-export([start/1]).
-export([start_link/0]).
-export([stop/0]).
-export([info/0]).

%% swarmscope_proc callbacks.
-export([init/2]).
-export([loop/1]).

-define(INBOX_MAX, 1000).
%% A flush comes at most FLUSH_US after the first buffered event, at once when the mailbox is
%% empty, or when FLUSH_EVENTS individual events are buffered. Bulk traffic alone (a storm's
%% sends, receptions and cumulative acks) waits BULK_FLUSH_US, mailbox empty or not: at 200
%% replicas a 10k msgs/s storm is 50 msgs/s a node, and a flush at every empty mailbox made three
%% reports a message (the reception, then the sender's report of the ack it got), 30,000 a
%% second, which the server took at 1,700 messages a second.
-define(FLUSH_US, 5000).
-define(BULK_FLUSH_US, 50000).
-define(FLUSH_EVENTS, 500).
-define(STATS_MS, 1000).
%% Seconds over which a new net tick takes over (every node is told within milliseconds).
-define(TICK_TRANSITION_S, 5).
-define(MAX_GENERATORS, 256).
-define(MAX_PEERS_ASKED, 1024).
-define(JS_MAX, 16#1FFFFFFFFFFFFF).
-define(DEFAULTS, #{detail_bytes => 8 * 1024 * 1024, window => 1024,
	max_peers => 1024, max_pairs => 4096, max_incs => 4}).

%% An ack of this incarnation's messages: by whom, up to which seq, that seq's T0 and T1.
-define(IS_ACK(By, UpTo, T0, T1), is_atom(By), is_integer(UpTo), UpTo > 0, is_integer(T0), is_integer(T1)).
%% A message between replicas: sender name, its incarnation, the pair's seq, the send time.
-define(IS_PAIR_MSG(From, FromInc, Seq, T0), is_atom(From), is_integer(FromInc), FromInc >= 0,
	FromInc =< ?JS_MAX, is_integer(Seq), Seq > 0, Seq =< ?JS_MAX, is_integer(T0)).

-record(state, {
	node :: node(),
	inc :: pos_integer(),
	detail_max :: non_neg_integer(),
	%% Seed inbox, newest first; trimmed to ?INBOX_MAX once it holds twice that (amortised).
	inbox = [] :: [{term(), term()}],
	inbox_len = 0 :: non_neg_integer(),
	seed_seq :: integer(),
	observers = swarmscope_observers:new() :: swarmscope_observers:obs(),
	generators = #{} :: #{pid() => binary()},
	%% Connections to peers asked for by ss_peers, a few at a time.
	mesh = swarmscope_mesh:new() :: swarmscope_mesh:mesh(),
	tick :: reference(),
	%% This flush: its deadline (undefined: nothing buffered) and what it reports besides runs.
	flush_by = undefined :: undefined | integer(),
	%% An individual event is buffered: flush as soon as the mailbox is empty.
	urgent = false :: boolean(),
	detail = true :: boolean(),
	buf = swarmscope_report:new() :: swarmscope_report:buf(),
	outbox :: swarmscope_outbox:outbox(),
	%% Totals since start.
	seed_total = 0 :: non_neg_integer(),
	dropped_total = 0 :: non_neg_integer(),
	dropped_events_total = 0 :: non_neg_integer(),
	ignored = 0 :: non_neg_integer(),
	last_error = null :: null | binary()
}).

%% API.

%% Entry point of `erl -run swarmscope_node main`. The node halts if `msg` dies (the runtime
%% restarts it) and, with SWARMSCOPE_EXIT_ON_EOF=1, when its stdin reaches end of file.
-spec main() -> ok.
main() ->
	{ok, Pid} = start(),
	ok = swarmscope_proc:halt_when_down(Pid, "msg process"),
	_ = swarmscope_fault:start(),
	case os:getenv("SWARMSCOPE_EXIT_ON_EOF") of
		"1" -> swarmscope_proc:halt_on_stdin_eof();
		_ -> ok
	end.

-spec start() -> {ok, pid()} | {error, term()}.
start() ->
	start(#{}).

%% Options (tests): detail_bytes, window, max_peers, max_pairs, max_incs (see ?DEFAULTS).
-spec start(map()) -> {ok, pid()} | {error, term()}.
start(Opts) ->
	swarmscope_proc:start(msg, ?MODULE, maps:merge(?DEFAULTS, Opts), start).

-spec start_link() -> {ok, pid()} | {error, term()}.
start_link() ->
	swarmscope_proc:start(msg, ?MODULE, ?DEFAULTS, start_link).

-spec stop() -> ok.
stop() ->
	proc_lib:stop(msg).

-spec info() -> #{atom() => term()}.
info() ->
	gen_server:call(msg, info).

%% The process.

-spec init(pid(), map()) -> {ok, #state{}}.
init(_Parent, Opts = #{detail_bytes := DetailMax, window := Window}) ->
	%% Under load the mailbox can hold many messages; keep it out of the heap GC.
	_ = process_flag(message_queue_data, off_heap),
	_ = case is_alive() of
		true -> net_kernel:monitor_nodes(true);
		false -> ok
	end,
	%% Everything `msg` may run, loaded now: loading a module later would add atoms (and time)
	%% in the middle of traffic.
	ok = code:ensure_modules_loaded([swarmscope_books, swarmscope_mesh, queue, swarmscope_outbox, swarmscope_report, swarmscope_observers,
		swarmscope_gen, swarmscope_text, rand]),
	<<_/binary>> = swarmscope_text:text({warm, <<"up">>, "é", [1.5]}),
	ok = swarmscope_books:init(maps:with([max_peers, max_pairs, max_incs], Opts)),
	Inc = os:system_time(microsecond),
	{ok, #state{node = node(), inc = Inc, detail_max = DetailMax, seed_seq = Inc, tick = tick(),
		outbox = swarmscope_outbox:new(Window)}}.

%% Hot path first: a replica's bulk message. Anything else goes through handle/2, whose
%% crashes (there should be none) only count the message as ignored.
-spec loop(#state{}) -> no_return().
loop(S) ->
	receive
		{ss_bulk, From, FromInc, Seq, T0, _} when ?IS_PAIR_MSG(From, FromInc, Seq, T0) ->
			loop(bulk(From, FromInc, Seq, T0, S));
		Msg ->
			case swarmscope_proc:system(Msg, S, fun(_) -> flush(S) end) of
				continue -> loop(deadline(safe(Msg, S)));
				handled -> loop(S);
				{stop, Reason} -> exit(Reason)
			end
	after idle(S) ->
		loop(flush(S))
	end.

idle(#state{flush_by = undefined}) -> infinity;
idle(#state{urgent = true}) -> 0;
idle(#state{flush_by = By}) -> max(0, (By - now_us() + 999) div 1000).

safe(Msg, S) ->
	try
		handle(Msg, S)
	catch Class:Reason:Stack ->
		%% A bug, kept (as bounded text) for info/0: the message is not accounted.
		S#state{ignored = S#state.ignored + 1,
			last_error = swarmscope_text:text({Class, Reason, lists:sublist(Stack, 3)})}
	end.

bulk(From, FromInc, Seq, T0, S) ->
	T1 = os:system_time(microsecond),
	case swarmscope_books:received(From, FromInc, Seq, T0, T1, S#state.detail) of
		ok -> batch(T1, S);
		ignored -> S#state{ignored = S#state.ignored + 1}
	end.

%% An event was buffered at T: open the flush window (or shorten a bulk one), or flush if it is over.
due(T, S) -> window(T, ?FLUSH_US, S#state{urgent = true}).

%% Bulk traffic was counted at T.
batch(T, S) -> window(T, ?BULK_FLUSH_US, S).

window(T, W, S = #state{flush_by = undefined}) -> S#state{flush_by = T + W};
window(T, _, S = #state{flush_by = By}) when T >= By -> flush(S);
window(T, W, S = #state{flush_by = By}) -> S#state{flush_by = min(By, T + W)}.

deadline(S = #state{flush_by = undefined}) -> S;
deadline(S = #state{flush_by = By}) ->
	case now_us() >= By of
		true -> flush(S);
		false -> S
	end.

-spec handle(term(), #state{}) -> #state{}.
handle({ss_msg, Id, From, FromInc, Seq, T0, Content}, S) when ?IS_PAIR_MSG(From, FromInc, Seq, T0) ->
	T1 = now_us(),
	case swarmscope_books:received(From, FromInc, Seq, T0, T1, S#state.detail) of
		ok ->
			_ = send({msg, From}, {ss_ack_msg, Id, S#state.node, FromInc, Seq, T0, T1}),
			S1 = keep({From, Content}, S),
			due(T1, event({received, Id, From, FromInc, Seq, T0, T1, swarmscope_text:bounded(Content)}, S1));
		ignored ->
			S#state{ignored = S#state.ignored + 1}
	end;
handle({ss_ack, By, Inc, UpTo, T0, T1}, S = #state{inc = Inc}) when ?IS_ACK(By, UpTo, T0, T1) ->
	element(2, acked(By, UpTo, T0, S));
handle({ss_ack_msg, Id, By, Inc, Seq, T0, T1}, S = #state{inc = Inc}) when ?IS_ACK(By, Seq, T0, T1) ->
	case acked(By, Seq, T0, S) of
		{invalid, S1} -> S1;
		{T2, S1} -> due(T2, event({acked, Id, By, Seq, T0, T1, T2}, S1))
	end;
handle({ss_send, Id, To, Content}, S) when is_atom(To) ->
	send_one(Id, To, Content, S);
%% Seed protocol.
handle({send, From, Content}, S = #state{seed_seq = Seq0, node = Node}) ->
	T1 = now_us(),
	Seq = Seq0 + 1,
	Id = <<"seed-", (atom_to_binary(Node))/binary, "-", (integer_to_binary(Seq))/binary>>,
	S1 = keep({From, Content}, S#state{seed_seq = Seq, buf = swarmscope_report:seed(S#state.buf),
		seed_total = S#state.seed_total + 1}),
	Event = {seed, Id, swarmscope_text:bounded(From), T1, swarmscope_text:bounded(Content)},
	due(T1, event(Event, S1));
handle({get, Pid}, S) when is_pid(Pid) ->
	_ = send(Pid, {msgs, inbox(S)}),
	S;
%% Observers and the server's commits.
handle({ss_subscribe, Pid}, S) when is_pid(Pid) ->
	subscribe(Pid, S);
handle({ss_commit, Inc, UpTo}, S = #state{inc = Inc, outbox = Ob}) when is_integer(UpTo) ->
	release(S#state{outbox = swarmscope_outbox:commit(UpTo, Ob)});
handle({'DOWN', MRef, process, Pid, Reason}, S = #state{observers = Obs, generators = Gens, mesh = M}) ->
	case {swarmscope_observers:down(Pid, MRef, Obs), Gens} of
		{{ok, Obs1}, _} ->
			S#state{observers = Obs1};
		{not_found, #{Pid := Run}} ->
			_ = Reason =:= normal orelse logger:warning("traffic generator ~s died: ~0p", [Run, Reason]),
			S#state{generators = maps:remove(Pid, Gens)};
		_ ->
			case swarmscope_mesh:down(Pid, Reason, fun net_kernel:connect_node/1, M) of
				{ok, M1} -> S#state{mesh = M1};
				not_found -> S
			end
	end;
%% Mesh and links. The mesh's tick, set by the dashboard as the cluster grows (PROTOCOL.md,
%% "Tick"); a change still under way is left to end (set_net_ticktime says so, and does nothing).
handle({ss_ticktime, T}, S) when is_integer(T), T >= 1, T =< 3600 ->
	_ = net_kernel:set_net_ticktime(T, ?TICK_TRANSITION_S),
	S;
handle({ss_peers, Peers}, S = #state{mesh = M}) when is_list(Peers) ->
	Asked = [P || P <- first(Peers, ?MAX_PEERS_ASKED), node_name(P)],
	S#state{mesh = swarmscope_mesh:ask(Asked, fun net_kernel:connect_node/1, M)};
handle({ss_mesh_retry, Peer}, S = #state{mesh = M}) when is_atom(Peer) ->
	case node_name(Peer) of
		true -> S#state{mesh = swarmscope_mesh:retry(Peer, fun net_kernel:connect_node/1, M)};
		false -> S
	end;
handle({nodeup, _}, S) ->
	check_links(S);
handle({nodedown, _}, S) ->
	check_links(S);
handle({ss_tick, Ref}, S = #state{tick = Ref}) ->
	stats(check_links(flush(S#state{tick = tick()})));
%% Traffic generators.
handle({ss_traffic, Run, Tag, Targets, Opts}, S = #state{generators = Gens})
		when map_size(Gens) < ?MAX_GENERATORS ->
	case swarmscope_gen:new(self(), Run, Tag, Targets, Opts) of
		{ok, Gen} ->
			{Pid, _} = spawn_monitor(swarmscope_gen, run, [Run, Gen]),
			S#state{generators = Gens#{Pid => Run}};
		{error, _} ->
			S#state{ignored = S#state.ignored + 1}
	end;
handle({ss_traffic_stop, Which}, S = #state{generators = Gens}) ->
	_ = [Pid ! stop || {Pid, Run} <- maps:to_list(Gens), Which =:= all orelse Which =:= Run],
	S;
handle({ss_traffic_done, Run, Sent}, S) when is_binary(Run), is_integer(Sent) ->
	due(now_us(), event({traffic_done, Run, Sent}, S));
handle({'$gen_call', {Pid, _} = From, Request}, S) when is_pid(Pid) ->
	{Reply, S1} = call(Request, S),
	gen_server:reply(From, Reply),
	S1;
handle(_Msg, S) ->
	S#state{ignored = S#state.ignored + 1}.

call({ss_send_bulk, Run, Targets, Content}, S) when is_binary(Run), is_list(Targets) ->
	{Ok, S1} = send_bulk(Targets, Content, 0, S),
	{Ok, S1#state{buf = swarmscope_report:run_sent(Run, Ok, S1#state.buf)}};
call(info, S) ->
	{info_map(S), S};
call(_Request, S) ->
	{{error, unknown_call}, S}.

%% Sending.

send_one(Id, To, Content, S = #state{node = Node, inc = Inc, detail = Detail}) ->
	T0 = now_us(),
	case swarmscope_books:send_msg(Id, To, Content, T0, Node, Inc, Detail) of
		{ok, Seq} -> due(T0, event({sent, Id, To, Seq, T0, swarmscope_text:bounded(Content)}, S));
		failed -> due(T0, event({send_failed, Id, To, not_connected}, S));
		refused -> due(T0, event({send_failed, Id, To, too_many_peers}, S#state{ignored = S#state.ignored + 1}))
	end.

send_bulk([To | Rest], Content, Ok, S = #state{node = Node, inc = Inc, detail = Detail}) when is_atom(To) ->
	T0 = now_us(),
	case swarmscope_books:send_bulk(To, Content, T0, Node, Inc, Detail) of
		ok -> send_bulk(Rest, Content, Ok + 1, batch(T0, S));
		failed -> send_bulk(Rest, Content, Ok, batch(T0, S));
		refused -> send_bulk(Rest, Content, Ok, S#state{ignored = S#state.ignored + 1})
	end;
send_bulk(_, _, Ok, S) ->
	{Ok, S}.

%% A cumulative ack (an individual ack is one too): its arrival time T2, or invalid.
acked(By, UpTo, T0, S) ->
	T2 = now_us(),
	case swarmscope_books:acked(By, UpTo) of
		new -> {T2, batch(T2, S#state{buf = swarmscope_report:ack(By, UpTo, T2, T0, S#state.buf)})};
		stale -> {T2, S};
		invalid -> {invalid, S#state{ignored = S#state.ignored + 1}}
	end.

send(Dest, Msg) ->
	try erlang:send(Dest, Msg, [noconnect])
	catch error:badarg -> badarg
	end.

%% Inbox.

keep(Entry, S = #state{inbox = Inbox, inbox_len = Len}) when Len >= 2 * ?INBOX_MAX ->
	S#state{inbox = [Entry | lists:sublist(Inbox, ?INBOX_MAX - 1)], inbox_len = ?INBOX_MAX};
keep(Entry, S = #state{inbox = Inbox, inbox_len = Len}) ->
	S#state{inbox = [Entry | Inbox], inbox_len = Len + 1}.

inbox(#state{inbox = Inbox, inbox_len = Len}) when Len > ?INBOX_MAX ->
	lists:sublist(Inbox, ?INBOX_MAX);
inbox(#state{inbox = Inbox}) ->
	Inbox.

%% Events, reports and observers.

%% An individual event (left out, and counted, while the detail bound is reached); a flush
%% at ?FLUSH_EVENTS.
event(Event, S = #state{buf = Buf, detail = Detail}) ->
	Buf1 = swarmscope_report:event(Event, Detail, Buf),
	case swarmscope_report:events(Buf1) >= ?FLUSH_EVENTS of
		true -> flush(due(now_us(), S#state{buf = Buf1}));
		false -> S#state{buf = Buf1}
	end.

flush(S = #state{flush_by = undefined}) ->
	S;
flush(S = #state{node = Node, inc = Inc, outbox = Ob, observers = Obs}) ->
	S1 = S#state{flush_by = undefined, urgent = false, buf = swarmscope_report:new()},
	case swarmscope_report:build(swarmscope_books:flush(Node), S#state.buf) of
		empty ->
			S1;
		{Report, Dropped, DroppedEvents} ->
			Ob1 = swarmscope_outbox:add(Report, swarmscope_observers:pids(Obs), Node, Inc, Ob),
			S1#state{outbox = Ob1, detail = swarmscope_outbox:bytes(Ob1) < S#state.detail_max,
				dropped_total = S#state.dropped_total + Dropped,
				dropped_events_total = S#state.dropped_events_total + DroppedEvents}
	end.

%% The pending report goes out once a subscriber is there and the window has room.
release(S = #state{node = Node, inc = Inc, outbox = Ob, observers = Obs}) ->
	Ob1 = swarmscope_outbox:release(swarmscope_observers:pids(Obs), Node, Inc, Ob),
	S#state{outbox = Ob1, detail = swarmscope_outbox:bytes(Ob1) < S#state.detail_max}.

%% Every subscribe is answered with hello and links, then the kept reports again.
subscribe(Pid, S = #state{node = Node, observers = Obs}) ->
	case swarmscope_observers:add(Pid, Obs) of
		{ok, Obs1} ->
			_ = send(Pid, {ss_hello, Node, hello_info(S)}),
			_ = send(Pid, {ss_links, Node, swarmscope_observers:links(Obs1)}),
			ok = swarmscope_outbox:resend(Pid, Node, S#state.outbox),
			release(S#state{observers = Obs1});
		full ->
			S#state{ignored = S#state.ignored + 1}
	end.

check_links(S = #state{node = Node, observers = Obs}) ->
	S#state{observers = swarmscope_observers:check_links(Node, Obs)}.

%% Stats follow the flush on the same channel, so a subscriber has every report they count;
%% while a report is pending (not sent) they would count more than was reported: none then.
stats(S = #state{outbox = Ob, node = Node, observers = Obs}) ->
	_ = swarmscope_outbox:pending(Ob) orelse swarmscope_observers:notify({ss_stats, Node, stats_map(S)}, Obs),
	S.

stats_map(S = #state{outbox = Ob}) ->
	Stats = #{received := Received} = swarmscope_books:stats(),
	{message_queue_len, Queue} = process_info(self(), message_queue_len),
	Stats#{inc => S#state.inc, rseq => swarmscope_outbox:rseq(Ob), received => Received + S#state.seed_total,
		seed => S#state.seed_total, dropped => S#state.dropped_total,
		droppedEvents => S#state.dropped_events_total, ignored => S#state.ignored,
		inbox => min(S#state.inbox_len, ?INBOX_MAX), queue => Queue, memory => erlang:memory(total)}.

hello_info(#state{inc = Inc, outbox = Ob}) ->
	#{otp => list_to_binary(erlang:system_info(otp_release)),
	  started_at => Inc, inc => Inc, rseq => swarmscope_outbox:rseq(Ob),
	  os_pid => list_to_binary(os:getpid())}.

info_map(S = #state{observers = Obs, generators = Gens, outbox = Ob}) ->
	(stats_map(S))#{subscribers => swarmscope_observers:count(Obs), generators => map_size(Gens),
		links => swarmscope_observers:links(Obs),
		outbox => swarmscope_outbox:waiting(Ob), pending => swarmscope_outbox:pending(Ob),
		detailBytes => swarmscope_outbox:bytes(Ob), lastError => S#state.last_error}.

tick() ->
	Ref = make_ref(),
	_ = erlang:send_after(?STATS_MS, self(), {ss_tick, Ref}),
	Ref.

now_us() ->
	os:system_time(microsecond).

%% name@host (net_kernel logs an error for anything else).
node_name(A) when is_atom(A) ->
	case binary:split(atom_to_binary(A), <<"@">>, [global]) of
		[Name, Host] -> Name =/= <<>> andalso Host =/= <<>>;
		_ -> false
	end;
node_name(_) ->
	false.

%% At most N elements of a list that may be improper.
first([H | T], N) when N > 0 -> [H | first(T, N - 1)];
first(_, _) -> [].
