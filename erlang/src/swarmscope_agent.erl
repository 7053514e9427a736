%% The Swarm host agent: a hidden Erlang node beside each Docker engine of the Swarm (the stack's
%% `agent` service, mode global, with the engine's socket mounted), registered as `ss_agent`. It
%% acts on the containers of its own stack on its own host, for whoever reaches it over Erlang
%% distribution (only a node holding the cookie can): kill, pause/unpause (freeze/thaw), and
%% blackhole routes inside a container's network namespace (a host partition). See
%% "Host agent" in erlang/PROTOCOL.md.
-module(swarmscope_agent).
-behaviour(gen_server).

%% API.
-export([main/0]).
-export([start_link/1]).
-export([op/1]).

%% gen_server.
-export([init/1]).
-export([handle_call/3]).
-export([handle_cast/2]).
-export([handle_info/2]).
-export([terminate/2]).
-export([code_change/3]).

-define(MAX_IPS, 1024).

-type op() :: info | {kill | pause | unpause, binary()} | {block | unblock, binary(), [binary()]}.
-export_type([op/0]).

-record(state, {
	socket :: string(),
	stack :: binary()
}).

%% API.

%% Entry point of `erl -hidden -run swarmscope_agent main` (stack/entrypoint.sh agent):
%% SWARMSCOPE_STACK names the stack it serves, SWARMSCOPE_DOCKER_SOCKET the engine's socket
%% (default /var/run/docker.sock). The node halts if `ss_agent` dies (Swarm restarts the task).
-spec main() -> ok.
main() ->
	Stack = case os:getenv("SWARMSCOPE_STACK") of
		S when is_list(S), S =/= "" -> list_to_binary(S);
		_ -> erlang:error(no_stack, [])
	end,
	Socket = os:getenv("SWARMSCOPE_DOCKER_SOCKET", "/var/run/docker.sock"),
	{ok, Pid} = gen_server:start({local, ss_agent}, ?MODULE, #{socket => Socket, stack => Stack}, []),
	_ = spawn(fun() -> halt_when_down(Pid) end),
	ok.

%% Registers `ss_agent`, linked to the caller (tests; main/0 starts it unlinked).
-spec start_link(#{socket := string(), stack := binary()}) -> {ok, pid()} | {error, term()}.
start_link(Opts) ->
	gen_server:start_link({local, ss_agent}, ?MODULE, Opts, []).

%% Checks a request's operation: the only terms the agent acts on (anything else is refused).
-spec op(term()) -> {ok, op()} | error.
op(info) -> {ok, info};
op({Verb, Id}) when Verb =:= kill; Verb =:= pause; Verb =:= unpause ->
	case swarmscope_docker:container_id(Id) of
		{ok, C} -> {ok, {Verb, C}};
		error -> error
	end;
op({Verb, Id, Ips}) when (Verb =:= block orelse Verb =:= unblock), is_list(Ips), length(Ips) =< ?MAX_IPS ->
	case {swarmscope_docker:container_id(Id), lists:all(fun is_ipv4/1, Ips)} of
		{{ok, C}, true} -> {ok, {Verb, C, Ips}};
		_ -> error
	end;
op(_) -> error.

%% gen_server.

-spec init(#{socket := string(), stack := binary()}) -> {ok, #state{}}.
init(#{socket := Socket, stack := Stack}) ->
	{ok, #state{socket = Socket, stack = Stack}}.

-spec handle_call(term(), {pid(), term()}, #state{}) -> {reply, term(), #state{}}.
handle_call(_Request, _From, State) ->
	{reply, {error, unknown_call}, State}.

-spec handle_cast(term(), #state{}) -> {noreply, #state{}}.
handle_cast(_Msg, State) ->
	{noreply, State}.

%% `{ss_agent, From, Ref, Op}` → `From ! {ss_agent_result, Ref, Result}`, each request in a
%% process of its own, so that a slow engine call holds up no other.
-spec handle_info(term(), #state{}) -> {noreply, #state{}}.
handle_info({ss_agent, From, Ref, Op0}, State) when is_pid(From) ->
	_ = spawn(fun() ->
		Result = case op(Op0) of
			{ok, Op} -> run(Op, State);
			error -> {error, bad_request}
		end,
		erlang:send(From, {ss_agent_result, Ref, Result}, [noconnect])
	end),
	{noreply, State};
handle_info(Msg, State) ->
	logger:warning("ss_agent: ignored ~0p", [Msg]),
	{noreply, State}.

-spec terminate(term(), #state{}) -> ok.
terminate(_Reason, _State) ->
	ok.

-spec code_change(term(), #state{}, term()) -> {ok, #state{}}.
code_change(_OldVsn, State, _Extra) ->
	{ok, State}.

%% Internal.

run(info, #state{socket = S, stack = Stack}) ->
	case swarmscope_docker:json(S, get, "/info", none) of
		{ok, 200, #{<<"Swarm">> := Swarm} = Info} when is_map(Swarm) ->
			{ok, #{host_id => maps:get(<<"NodeID">>, Swarm, <<>>), hostname => maps:get(<<"Name">>, Info, <<>>),
				engine => maps:get(<<"ServerVersion">>, Info, <<>>), stack => Stack}};
		Other ->
			docker_error(Other)
	end;
run({Verb, C}, State) when Verb =:= kill; Verb =:= pause; Verb =:= unpause ->
	with_container(C, State, fun(_) ->
		case swarmscope_docker:json(State#state.socket, post, ["/containers/", C, $/, atom_to_binary(Verb)], none) of
			{ok, 204, _} -> ok;
			Other -> docker_error(Other)
		end
	end);
run({block, C, Ips}, State) ->
	with_container(C, State, fun(Info) ->
		in_netns(C, Info, "for a; do ip route replace blackhole \"$a/32\" || exit 1; done", Ips, State)
	end);
run({unblock, C, Ips}, State) ->
	with_container(C, State, fun(Info) ->
		in_netns(C, Info, "for a; do ip route del blackhole \"$a/32\" 2>/dev/null; done; exit 0", Ips, State)
	end).

%% Runs Fun(Inspect) only for a container of this stack: a replica (the label docker stack deploy
%% and the dashboard give tasks) or the dashboard's bridge container.
with_container(C, #state{socket = S, stack = Stack}, Fun) ->
	case swarmscope_docker:json(S, get, ["/containers/", C, "/json"], none) of
		{ok, 200, #{<<"Config">> := #{<<"Labels">> := Labels}} = Info} when is_map(Labels) ->
			case ours(Labels, Stack) of
				true -> Fun(Info);
				false -> {error, not_this_stack}
			end;
		{ok, 200, _} -> {error, not_this_stack};
		Other -> docker_error(Other)
	end.

ours(#{<<"com.docker.stack.namespace">> := Stack}, Stack) -> true;
ours(#{<<"swarmscope.stack">> := Stack}, Stack) -> true;
ours(_, _) -> false.

%% `sh -c Script sh Args...` in C's network namespace: a short-lived helper container from C's own
%% image (the node image has `ip`), sharing C's network (`container:C`) with NET_ADMIN, the only
%% capability it needs (a privileged exec is refused where the engine cannot grant every
%% capability). The addresses are arguments, never part of the script.
in_netns(C, #{<<"Image">> := Image}, Script, Args, #state{socket = S, stack = Stack}) when is_binary(Image) ->
	Body = #{<<"Image">> => Image,
		<<"Cmd">> => [<<"sh">>, <<"-c">>, list_to_binary(Script), <<"sh">> | Args],
		<<"Labels">> => #{<<"swarmscope.role">> => <<"netns-helper">>, <<"swarmscope.stack">> => Stack},
		<<"HostConfig">> => #{<<"NetworkMode">> => <<"container:", C/binary>>, <<"CapAdd">> => [<<"NET_ADMIN">>]}},
	case swarmscope_docker:json(S, post, "/containers/create", Body) of
		{ok, 201, #{<<"Id">> := H}} when is_binary(H) ->
			try run_helper(S, H)
			after swarmscope_docker:request(S, delete, ["/containers/", H, "?force=true"], none)
			end;
		Other ->
			docker_error(Other)
	end;
in_netns(_, _, _, _, _) ->
	{error, no_image}.

run_helper(S, H) ->
	case swarmscope_docker:json(S, post, ["/containers/", H, "/start"], none) of
		{ok, 204, _} ->
			case swarmscope_docker:json(S, post, ["/containers/", H, "/wait"], none) of
				{ok, 200, #{<<"StatusCode">> := 0}} -> ok;
				{ok, 200, #{<<"StatusCode">> := Code}} -> {error, {exit_code, Code}};
				Other -> docker_error(Other)
			end;
		Other ->
			docker_error(Other)
	end.

docker_error({ok, 404, _}) -> {error, not_found};
docker_error({ok, 409, Body}) -> {error, {conflict, message(Body)}};
docker_error({ok, Status, Body}) -> {error, {docker, Status, message(Body)}};
docker_error({error, Why}) -> {error, Why}.

message(#{<<"message">> := M}) when is_binary(M) -> M;
message(B) when is_binary(B) -> B;
message(_) -> <<>>.

is_ipv4(Ip) when is_binary(Ip), byte_size(Ip) =< 15 ->
	case inet:parse_ipv4strict_address(binary_to_list(Ip)) of
		{ok, _} -> true;
		{error, _} -> false
	end;
is_ipv4(_) ->
	false.

halt_when_down(Pid) ->
	Ref = erlang:monitor(process, Pid),
	receive
		{'DOWN', Ref, process, Pid, Reason} ->
			logger:error("ss_agent ended: ~0p", [Reason]),
			erlang:halt(1)
	end.
