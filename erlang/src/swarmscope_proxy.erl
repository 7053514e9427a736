%% A shaping TCP proxy in the distribution path (Toxiproxy's idea, inside the node): a listener
%% that forwards every accepted connection to a target and holds each chunk, in each direction,
%% for the delay and loss in the fault table (read per chunk, so a new delay applies at once).
%% Loss is what TCP makes of it: bytes are never dropped; a chunk with a lost segment waits a
%% retransmission timeout (200 ms, doubling while the retransmission is lost too, capped), and
%% everything behind it waits with it. See "Faults" in erlang/PROTOCOL.md.
-module(swarmscope_proxy).

%% API.
-export([start_link/3]).
-export([release/5]).
-export([hold_ms/3]).

%% Internal.
-export([init/4]).

-define(TABLE, swarmscope_fault).
%% One TCP segment's payload on Ethernet.
-define(MSS, 1460).
%% Linux's minimum retransmission timeout, the cap this proxy puts on its doubling, and
%% tcp_retries2: after that many lost retransmissions TCP gives the connection up.
-define(RTO_MS, 200).
-define(RTO_MAX_MS, 1600).
-define(RETRIES, 15).
-define(CONNECT_TIMEOUT, 5000).
-define(SOCKET_OPTS, [binary, {active, false}, {nodelay, true}]).

-type kind() :: in | out.
-type target() :: {addr, inet:ip_address(), inet:port_number()} | {node, string(), string()}.
-type shaping() :: none | {non_neg_integer(), non_neg_integer(), number()}.
-export_type([kind/0, target/0, shaping/0]).

-record(conn, {
	client :: gen_tcp:socket(),
	server :: gen_tcp:socket(),
	%% Writers: client -> server (up) and server -> client (down).
	up :: pid(),
	down :: pid(),
	%% Release time (monotonic µs) of the last chunk each way: chunks never overtake.
	up_at :: integer(),
	down_at :: integer(),
	%% This end's address as the node sees it, registered in the table while open (kind in).
	via :: undefined | {inet:ip_address(), inet:port_number()}
}).

%% API.

%% Starts a listener on Ip (a free port) linked to the caller. `in`: each connection goes to
%% {addr, Ip, Port}, this node's own distribution port. `out`: to {node, Name, Host}, looked up
%% when the connection comes (a route in the fault table, else epmd).
-spec start_link(kind(), inet:ip_address(), target()) -> {ok, pid(), inet:port_number()} | {error, term()}.
start_link(Kind, Ip, Target) ->
	proc_lib:start_link(?MODULE, init, [self(), Kind, Ip, Target]).

%% When a chunk of Size bytes arriving at Now (µs) leaves, given the last chunk's release Prev:
%% Now + delay ± jitter + any retransmission hold, never before Prev. A chunk that would leave
%% before Prev anyway waits behind a held one and leaves with it, with no loss of its own (TCP
%% sends what queued up during a retransmission wait together once it gets through). `reset`
%% when TCP would have given the connection up. Draw gives uniform numbers in [0, 1).
-spec release(integer(), integer(), shaping(), non_neg_integer(), fun(() -> float())) -> {send | reset, integer()}.
release(Now, Prev, none, _Size, _Draw) ->
	{send, max(Prev, Now)};
release(Now, Prev, {Delay, Jitter, Loss}, Size, Draw) ->
	At = Now + max(0, Delay + round((2 * Draw() - 1) * Jitter)) * 1000,
	case At < Prev orelse hold_ms(Size, Loss, Draw) of
		true -> {send, Prev};
		{give_up, Hold} -> {reset, At + Hold * 1000};
		Hold -> {send, max(Prev, At + Hold * 1000)}
	end.

%% How long TCP holds a chunk of Size bytes when LossPct % of segments are lost: 0 if none of
%% its segments is lost; else the sum of the retransmission timeouts until one gets through.
-spec hold_ms(non_neg_integer(), number(), fun(() -> float())) -> non_neg_integer() | {give_up, non_neg_integer()}.
hold_ms(_Size, Loss, _Draw) when Loss =< 0 ->
	0;
hold_ms(Size, Loss, Draw) ->
	P = min(1.0, Loss / 100),
	Segments = max(1, (Size + ?MSS - 1) div ?MSS),
	case Draw() < 1 - math:pow(1 - P, Segments) of
		true -> retransmit(P, Draw, ?RTO_MS, 1, ?RTO_MS);
		false -> 0
	end.

retransmit(_P, _Draw, _Rto, Tries, Held) when Tries > ?RETRIES ->
	{give_up, Held};
retransmit(P, Draw, Rto, Tries, Held) ->
	case Draw() < P of
		true ->
			Next = min(2 * Rto, ?RTO_MAX_MS),
			retransmit(P, Draw, Next, Tries + 1, Held + Next);
		false ->
			Held
	end.

%% Listener.

-spec init(pid(), kind(), inet:ip_address(), target()) -> ok.
init(Parent, Kind, Ip, Target) ->
	case gen_tcp:listen(0, [{ip, Ip}, {backlog, 128} | ?SOCKET_OPTS]) of
		{ok, Listen} ->
			{ok, Port} = inet:port(Listen),
			%% The node's end of a connection it makes through an `out` proxy has this peer.
			_ = Kind =:= out andalso ets:insert(?TABLE, {{via, {Ip, Port}}, out}),
			proc_lib:init_ack(Parent, {ok, self(), Port}),
			accept(Listen, Kind, Target);
		{error, _} = Error ->
			proc_lib:init_ack(Parent, Error)
	end.

%% A connection is not linked to its listener (one failing connection leaves the others be);
%% it follows the listener down through a monitor.
accept(Listen, Kind, Target) ->
	{ok, Client} = gen_tcp:accept(Listen),
	Listener = self(),
	Pid = spawn(fun() -> connection(Listener, Kind, Target) end),
	ok = gen_tcp:controlling_process(Client, Pid),
	Pid ! {accepted, Client},
	accept(Listen, Kind, Target).

%% Connection: one process owns both sockets and timestamps chunks; a writer per direction
%% sleeps until each chunk's release and sends it.

connection(Listener, Kind, Target) ->
	_ = monitor(process, Listener),
	Client = receive {accepted, Socket} -> Socket end,
	case connect(Target) of
		{ok, Server} ->
			Via = register_via(Kind, Server),
			ok = inet:setopts(Client, [{active, true}]),
			ok = inet:setopts(Server, [{active, true}]),
			Self = self(),
			Now = erlang:monotonic_time(microsecond),
			pump(#conn{client = Client, server = Server, via = Via, up_at = Now, down_at = Now,
				up = spawn_link(fun() -> write(Server, Self) end),
				down = spawn_link(fun() -> write(Client, Self) end)});
		{error, Why} ->
			logger:notice("swarmscope_proxy: cannot reach ~0p: ~0p", [Target, Why]),
			gen_tcp:close(Client)
	end.

connect({addr, Ip, Port}) ->
	gen_tcp:connect(Ip, Port, ?SOCKET_OPTS, ?CONNECT_TIMEOUT);
connect({node, Name, Host}) ->
	case ets:lookup(?TABLE, {route, swarmscope_epmd:node_key(Name, Host)}) of
		[{_, {Ip, Port}}] -> connect({addr, Ip, Port});
		[] -> connect_epmd(Name, Host)
	end.

connect_epmd(Name, Host) ->
	case erl_epmd:address_please(Name, Host, inet) of
		{ok, Ip, Port, _} -> connect({addr, Ip, Port});
		{ok, Ip} ->
			case erl_epmd:port_please(Name, Ip) of
				{port, Port, _} -> connect({addr, Ip, Port});
				Other -> {error, {port_please, Other}}
			end;
		Error -> Error
	end.

register_via(in, Server) ->
	{ok, Address} = inet:sockname(Server),
	true = ets:insert(?TABLE, {{via, Address}, in}),
	Address;
register_via(out, _Server) ->
	undefined.

pump(C = #conn{client = Client, server = Server}) ->
	receive
		{tcp, Client, Data} -> pump(forward(up, Data, C));
		{tcp, Server, Data} -> pump(forward(down, Data, C));
		{tcp_closed, _} -> close(C);
		{tcp_error, _, _} -> close(C);
		reset -> close(C);
		{'DOWN', _, process, _, _} -> close(C)
	end.

forward(up, Data, C = #conn{up = Writer, up_at = Prev}) ->
	C#conn{up_at = send_later(Writer, Prev, Data)};
forward(down, Data, C = #conn{down = Writer, down_at = Prev}) ->
	C#conn{down_at = send_later(Writer, Prev, Data)}.

send_later(Writer, Prev, Data) ->
	Now = erlang:monotonic_time(microsecond),
	{Action, At} = release(Now, Prev, shaping(), byte_size(Data), fun rand:uniform_real/0),
	Writer ! {Action, At, Data},
	At.

shaping() ->
	case ets:lookup(?TABLE, shaping) of
		[{shaping, Delay, Jitter, Loss}] -> {Delay, Jitter, Loss};
		[] -> none
	end.

%% Pending chunks die with the connection: once either end closes, the distribution
%% connection is gone anyway.
close(#conn{client = Client, server = Server, up = Up, down = Down, via = Via}) ->
	_ = Via =:= undefined orelse catch ets:delete(?TABLE, {via, Via}),
	exit(Up, kill),
	exit(Down, kill),
	_ = gen_tcp:close(Client),
	_ = gen_tcp:close(Server),
	ok.

write(Socket, Conn) ->
	receive
		{Action, At, Data} ->
			Wait = (At - erlang:monotonic_time(microsecond) + 999) div 1000,
			_ = Wait > 0 andalso receive after Wait -> true end,
			deliver(Action, Socket, Data, Conn)
	end.

deliver(send, Socket, Data, Conn) ->
	case gen_tcp:send(Socket, Data) of
		ok -> write(Socket, Conn);
		{error, _} -> ok
	end;
deliver(reset, _Socket, _Data, Conn) ->
	%% TCP gave up retransmitting: the connection process closes both ends.
	Conn ! reset,
	ok.
