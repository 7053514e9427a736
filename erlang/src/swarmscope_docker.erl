%% A small Docker Engine API client over the engine's unix socket: one HTTP/1.0 request per
%% connection (the engine then never answers chunked and closes when done), JSON bodies through
%% swarmscope_json. Used by swarmscope_agent, which runs beside each engine of the Swarm.
-module(swarmscope_docker).

%% API.
-export([request/4]).
-export([request/5]).
-export([json/4]).
-export([parse_response/1]).
-export([container_id/1]).

-define(TIMEOUT_MS, 10000).
-define(MAX_RESPONSE, 16777216).

-type method() :: get | post | delete.
-type reply() :: {ok, 100..599, binary()} | {error, term()}.
-export_type([reply/0]).

%% API.

-spec request(string(), method(), iodata(), iodata() | none) -> reply().
request(Socket, Method, Path, Body) ->
	request(Socket, Method, Path, Body, ?TIMEOUT_MS).

%% Sends one request to the engine at unix socket `Socket` and reads the whole answer.
-spec request(string(), method(), iodata(), iodata() | none, timeout()) -> reply().
request(Socket, Method, Path, Body, Timeout) ->
	Deadline = erlang:monotonic_time(millisecond) + Timeout,
	case gen_tcp:connect({local, Socket}, 0, [binary, {active, false}, {packet, raw}], Timeout) of
		{ok, S} ->
			try
				ok = gen_tcp:send(S, encode_request(Method, Path, Body)),
				case read_all(S, Deadline, []) of
					{ok, Raw} -> parse_response(Raw);
					Error -> Error
				end
			catch error:{badmatch, {error, Why}} ->
				{error, Why}
			after
				gen_tcp:close(S)
			end;
		{error, Why} ->
			{error, {docker_socket, Socket, Why}}
	end.

%% A request with a JSON body (or none) whose answer, when there is one, is JSON: decoded.
-spec json(string(), method(), iodata(), swarmscope_json:json() | none) ->
	{ok, 100..599, swarmscope_json:json() | binary()} | {error, term()}.
json(Socket, Method, Path, Body) ->
	Encoded = case Body of
		none -> none;
		_ -> swarmscope_json:encode(Body)
	end,
	case request(Socket, Method, Path, Encoded) of
		{ok, Status, <<>>} -> {ok, Status, <<>>};
		{ok, Status, Raw} ->
			case swarmscope_json:decode(Raw) of
				{ok, Json} -> {ok, Status, Json};
				{error, _} -> {ok, Status, Raw}
			end;
		Error -> Error
	end.

%% "HTTP/1.x 204 ...\r\nHeaders\r\n\r\nBody" → {ok, 204, Body}.
-spec parse_response(binary()) -> reply().
parse_response(Raw) ->
	case binary:split(Raw, <<"\r\n\r\n">>) of
		[Head, Body] ->
			case binary:split(Head, <<" ">>, [global]) of
				[<<"HTTP/1.", _>>, Code | _] ->
					try binary_to_integer(Code) of
						Status when Status >= 100, Status =< 599 -> {ok, Status, Body};
						_ -> {error, {bad_status, Code}}
					catch error:badarg ->
						{error, {bad_status, Code}}
					end;
				_ ->
					{error, bad_response}
			end;
		_ ->
			{error, incomplete_response}
	end.

%% A container id or name as the engine takes it in a path, or error: letters, digits, _.-
-spec container_id(term()) -> {ok, binary()} | error.
container_id(Id) when is_binary(Id), byte_size(Id) > 0, byte_size(Id) =< 128 ->
	case re:run(Id, <<"^[A-Za-z0-9][A-Za-z0-9_.-]*$">>, [{capture, none}]) of
		match -> {ok, Id};
		nomatch -> error
	end;
container_id(_) ->
	error.

%% Internal.

encode_request(Method, Path, Body) ->
	Verb = string:uppercase(atom_to_list(Method)),
	{Headers, Payload} = case Body of
		none -> {[<<"Content-Length: 0\r\n">>], <<>>};
		_ ->
			Bin = iolist_to_binary(Body),
			{[<<"Content-Type: application/json\r\n">>,
				<<"Content-Length: ">>, integer_to_binary(byte_size(Bin)), <<"\r\n">>], Bin}
	end,
	[Verb, $\s, Path, <<" HTTP/1.0\r\nHost: docker\r\n">>, Headers, <<"\r\n">>, Payload].

read_all(S, Deadline, Acc) ->
	Left = max(0, Deadline - erlang:monotonic_time(millisecond)),
	case gen_tcp:recv(S, 0, Left) of
		{ok, Data} ->
			Acc1 = [Data | Acc],
			case iolist_size(Acc1) > ?MAX_RESPONSE of
				true -> {error, response_too_large};
				false -> read_all(S, Deadline, Acc1)
			end;
		{error, closed} -> {ok, iolist_to_binary(lists:reverse(Acc))};
		{error, timeout} -> {error, timeout};
		{error, Why} -> {error, Why}
	end.
