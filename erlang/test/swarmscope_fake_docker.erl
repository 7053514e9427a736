%% A fake Docker engine on a unix socket for the agent's tests: every request is answered by
%% Handler(Method, Path, Body) -> {Status, Body} and reported to the owner as
%% {fake_docker, Method, Path, Body}.
-module(swarmscope_fake_docker).

-export([start/1]).
-export([stop/1]).

-spec start(fun((binary(), binary(), binary()) -> {integer(), iodata()})) -> {pid(), string()}.
start(Handler) ->
	Path = "/tmp/swarmscope-fake-docker-" ++ swarmscope_test_util:unique() ++ ".sock",
	Owner = self(),
	Pid = spawn(fun() ->
		{ok, L} = gen_tcp:listen(0, [{ifaddr, {local, Path}}, binary, {active, false}, {packet, raw}]),
		Owner ! {fake_docker_ready, self()},
		accept(L, Owner, Handler)
	end),
	receive {fake_docker_ready, Pid} -> {Pid, Path} after 2000 -> error(fake_docker_not_ready) end.

-spec stop({pid(), string()}) -> ok.
stop({Pid, Path}) ->
	exit(Pid, kill),
	_ = file:delete(Path),
	ok.

accept(L, Owner, Handler) ->
	{ok, S} = gen_tcp:accept(L),
	_ = spawn(fun() -> serve(S, Owner, Handler) end),
	accept(L, Owner, Handler).

serve(S, Owner, Handler) ->
	{Method, Path, Body} = read_request(S, <<>>),
	Owner ! {fake_docker, Method, Path, Body},
	{Status, Reply} = Handler(Method, Path, Body),
	ok = gen_tcp:send(S, [<<"HTTP/1.0 ">>, integer_to_binary(Status), <<" X\r\nContent-Type: application/json\r\n\r\n">>, Reply]),
	gen_tcp:close(S).

read_request(S, Acc) ->
	case binary:split(Acc, <<"\r\n\r\n">>) of
		[Head, Body] ->
			[Line | Headers] = binary:split(Head, <<"\r\n">>, [global]),
			[Method, Path, _] = binary:split(Line, <<" ">>, [global]),
			Len = lists:foldl(fun(H, N) ->
				case string:lowercase(H) of
					<<"content-length: ", V/binary>> -> binary_to_integer(V);
					_ -> N
				end
			end, 0, Headers),
			{Method, Path, read_body(S, Body, Len)};
		[_] ->
			{ok, More} = gen_tcp:recv(S, 0, 2000),
			read_request(S, <<Acc/binary, More/binary>>)
	end.

read_body(_, Body, Len) when byte_size(Body) >= Len -> Body;
read_body(S, Body, Len) ->
	{ok, More} = gen_tcp:recv(S, 0, 2000),
	read_body(S, <<Body/binary, More/binary>>, Len).
