%% What `msg` and the bridge share as processes. Neither is a gen_server: a gen_server dies on
%% a malformed '$gen_call' or system message (`{'$gen_call', foo, x}` fails in its reply), and
%% any connected node can send one. So both run their own receive loop, started through
%% proc_lib, and answer only the well-formed calls and system messages below:
%% gen_server:call/2,3 (calls), proc_lib:stop/1 and gen_server:stop/1 (terminate) and
%% sys:get_state/1.
-module(swarmscope_proc).

%% API.
-export([start/4]).
-export([system/3]).
-export([halt_when_down/2]).
-export([halt_on_stdin_eof/0]).
-export([init_it/4]).

-callback init(Parent :: pid(), Arg :: term()) -> {ok, State :: term()} | {error, term()}.
-callback loop(State :: term()) -> no_return().

%% Starts Mod's process, registered as Name unless Name is undefined: Mod:init(Parent, Arg)
%% runs in it, then Mod:loop(State).
-spec start(atom() | undefined, module(), term(), start | start_link) -> {ok, pid()} | {error, term()}.
start(Name, Mod, Arg, How) when How =:= start; How =:= start_link ->
	proc_lib:How(?MODULE, init_it, [self(), Name, Mod, Arg]).

%% A message that may be a system message: `continue` if it is not one (or is malformed and
%% ignored), `{stop, Reason}` after answering a terminate request, or `handled`.
-spec system(term(), term(), fun((term()) -> term())) -> continue | handled | {stop, term()}.
system({system, {Pid, _} = From, {terminate, Reason}}, _State, Terminate) when is_pid(Pid) ->
	_ = Terminate(Reason),
	gen_server:reply(From, ok),
	{stop, Reason};
system({system, {Pid, _} = From, get_state}, State, _) when is_pid(Pid) ->
	gen_server:reply(From, {ok, State}),
	handled;
system({system, {Pid, _} = From, _Other}, _State, _) when is_pid(Pid) ->
	gen_server:reply(From, {error, unsupported}),
	handled;
system(_, _, _) ->
	continue.

%% Halts the node when Pid dies (the runtime restarts the node).
-spec halt_when_down(pid(), string()) -> ok.
halt_when_down(Pid, What) ->
	_ = spawn(fun() ->
		MRef = monitor(process, Pid),
		receive
			{'DOWN', MRef, process, Pid, Reason} ->
				logger:error("~s died (~0p); halting", [What, Reason]),
				timer:sleep(100),
				erlang:halt(1)
		end
	end),
	ok.

%% Halts the node when its stdin reaches end of file (its parent went away).
-spec halt_on_stdin_eof() -> ok.
halt_on_stdin_eof() ->
	_ = spawn(fun() -> stdin_loop(open_port({fd, 0, 2}, [in, eof, binary])) end),
	ok.

stdin_loop(Port) ->
	receive
		{Port, {data, _}} -> stdin_loop(Port);
		{Port, eof} -> erlang:halt(0)
	end.

%% Internals.

-spec init_it(pid(), atom() | undefined, module(), term()) -> ok.
init_it(Parent, Name, Mod, Arg) ->
	case register_as(Name) of
		ok ->
			case Mod:init(Parent, Arg) of
				{ok, State} ->
					proc_lib:init_ack(Parent, {ok, self()}),
					Mod:loop(State);
				{error, Why} ->
					proc_lib:init_ack(Parent, {error, Why})
			end;
		{error, Why} ->
			proc_lib:init_ack(Parent, {error, Why})
	end.

register_as(undefined) ->
	ok;
register_as(Name) ->
	try register(Name, self()) of
		true -> ok
	catch error:badarg ->
		{error, {already_started, whereis(Name)}}
	end.
