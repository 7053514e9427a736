-module(swarmscope_agent_tests).
-include("swarmscope_eunit.hrl").
-define(_assertEqual(Expect, Expr), ?_test(?assertEqual(Expect, Expr))).

%% The agent against a fake engine: containers "ours" (a task of stack st), "bridge" (the
%% dashboard's bridge of st) and "theirs" (another stack's).
engine(Exit) ->
	fun
		(<<"GET">>, <<"/info">>, _) ->
			{200, <<"{\"Name\":\"h2\",\"ServerVersion\":\"20.10.24\",\"Swarm\":{\"NodeID\":\"node2\"}}">>};
		(<<"GET">>, <<"/containers/ours/json">>, _) ->
			{200, <<"{\"Image\":\"sha256:img\",\"Config\":{\"Labels\":{\"com.docker.stack.namespace\":\"st\"}}}">>};
		(<<"GET">>, <<"/containers/bridge/json">>, _) ->
			{200, <<"{\"Config\":{\"Labels\":{\"swarmscope.stack\":\"st\"}}}">>};
		(<<"GET">>, <<"/containers/theirs/json">>, _) ->
			{200, <<"{\"Config\":{\"Labels\":{\"com.docker.stack.namespace\":\"other\"}}}">>};
		(<<"GET">>, <<"/containers/", _/binary>>, _) ->
			{404, <<"{\"message\":\"No such container\"}">>};
		(<<"POST">>, <<"/containers/create">>, _) -> {201, <<"{\"Id\":\"h1\"}">>};
		(<<"POST">>, <<"/containers/h1/wait">>, _) -> {200, Exit};
		(<<"DELETE">>, <<"/containers/h1?force=true">>, _) -> {204, <<>>};
		(<<"POST">>, <<"/containers/", _/binary>>, _) -> {204, <<>>};
		(_, _, _) -> {500, <<"{\"message\":\"unexpected\"}">>}
	end.

with_agent(Exec, Fun) ->
	Fake = {_, Socket} = swarmscope_fake_docker:start(engine(Exec)),
	{ok, Agent} = swarmscope_agent:start_link(#{socket => Socket, stack => <<"st">>}),
	try Fun(Agent)
	after
		unlink(Agent),
		gen_server:stop(Agent),
		swarmscope_fake_docker:stop(Fake)
	end.

ask(Agent, Op) ->
	Ref = make_ref(),
	Agent ! {ss_agent, self(), Ref, Op},
	receive {ss_agent_result, Ref, Result} -> Result after 5000 -> error(no_answer) end.

%% Requests the fake engine saw, in order.
seen() ->
	receive {fake_docker, M, P, B} -> [{M, P, B} | seen()] after 100 -> [] end.

info_test() ->
	with_agent(<<>>, fun(A) ->
		?assertEqual({ok, #{host_id => <<"node2">>, hostname => <<"h2">>, engine => <<"20.10.24">>, stack => <<"st">>}},
			ask(A, info))
	end).

kill_pause_unpause_ours_test() ->
	with_agent(<<>>, fun(A) ->
		?assertEqual(ok, ask(A, {kill, <<"ours">>})),
		?assertEqual(ok, ask(A, {pause, <<"bridge">>})),
		?assertEqual(ok, ask(A, {unpause, <<"ours">>})),
		Posts = [P || {<<"POST">>, P, _} <- seen()],
		?assertEqual([<<"/containers/ours/kill">>, <<"/containers/bridge/pause">>, <<"/containers/ours/unpause">>], Posts)
	end).

refuses_other_stacks_and_unknown_containers_test() ->
	with_agent(<<>>, fun(A) ->
		?assertEqual({error, not_this_stack}, ask(A, {kill, <<"theirs">>})),
		?assertEqual({error, not_found}, ask(A, {pause, <<"gone">>})),
		%% Only the label look-ups reached the engine: nothing was killed or paused.
		?assertEqual([], [P || {<<"POST">>, P, _} <- seen()])
	end).

bad_requests_test() ->
	with_agent(<<>>, fun(A) ->
		[?assertEqual({error, bad_request}, ask(A, Op)) || Op <- [
			stop, {kill, "ours"}, {kill, <<"../images">>}, {kill, <<>>}, {exec, <<"ours">>},
			{block, <<"ours">>, [<<"10.0.0.1; reboot">>]}, {block, <<"ours">>, <<"10.0.0.1">>},
			{block, <<"ours">>, [<<"10.0.0.256">>]}, {unblock, <<"ours">>, [1]}]],
		?assertEqual([], seen())
	end).

block_runs_ip_route_in_the_containers_netns_with_the_addresses_as_arguments_test() ->
	with_agent(<<"{\"StatusCode\":0}">>, fun(A) ->
		?assertEqual(ok, ask(A, {block, <<"ours">>, [<<"10.0.1.5">>, <<"10.0.1.6">>]})),
		Seen = seen(),
		[Body] = [B || {<<"POST">>, <<"/containers/create">>, B} <- Seen],
		{ok, #{<<"Cmd">> := Cmd, <<"Image">> := <<"sha256:img">>, <<"HostConfig">> := Host}} = swarmscope_json:decode(Body),
		?assertEqual(#{<<"NetworkMode">> => <<"container:ours">>, <<"CapAdd">> => [<<"NET_ADMIN">>]}, Host),
		?assertMatch([<<"sh">>, <<"-c">>, _, <<"sh">>, <<"10.0.1.5">>, <<"10.0.1.6">>], Cmd),
		?assertNotEqual(nomatch, binary:match(lists:nth(3, Cmd), <<"ip route replace blackhole">>)),
		%% started, waited for, and removed
		?assertEqual([<<"/containers/h1/start">>, <<"/containers/h1/wait">>, <<"/containers/h1?force=true">>],
			[P || {M, P, _} <- Seen, M =/= <<"GET">>, P =/= <<"/containers/create">>])
	end).

exec_failure_is_reported_test() ->
	with_agent(<<"{\"StatusCode\":2}">>, fun(A) ->
		?assertEqual({error, {exit_code, 2}}, ask(A, {unblock, <<"ours">>, [<<"10.0.1.5">>]})),
		?assertMatch([_], [x || {<<"DELETE">>, <<"/containers/h1?force=true">>, _} <- seen()])
	end).

docker_responses_test_() ->
	[?_assertEqual({ok, 204, <<>>}, swarmscope_docker:parse_response(<<"HTTP/1.0 204 No Content\r\nA: b\r\n\r\n">>)),
	 ?_assertEqual({ok, 200, <<"{}\r\n\r\nx">>}, swarmscope_docker:parse_response(<<"HTTP/1.1 200 OK\r\n\r\n{}\r\n\r\nx">>)),
	 ?_assertEqual({error, incomplete_response}, swarmscope_docker:parse_response(<<"HTTP/1.0 200 OK\r\n">>)),
	 ?_assertEqual({error, bad_response}, swarmscope_docker:parse_response(<<"SPDY 200\r\n\r\n">>)),
	 ?_assertEqual({error, {bad_status, <<"2x0">>}}, swarmscope_docker:parse_response(<<"HTTP/1.0 2x0 OK\r\n\r\n">>)),
	 ?_assertMatch({error, {docker_socket, _, enoent}}, swarmscope_docker:request("/nonexistent/docker.sock", get, "/info", none))].

%% The relay finds an agent by DNS (localhost), learns its Swarm node id, forwards a call to it,
%% and reports it gone when its node goes down.
relay_test() ->
	ok = swarmscope_test_util:ensure_distributed(),
	Fake = {_, Socket} = swarmscope_fake_docker:start(engine(<<>>)),
	Name = "agentt" ++ swarmscope_test_util:unique(),
	Ebin = filename:dirname(code:which(swarmscope_agent)),
	{ok, Peer, Node} = peer:start_link(#{name => Name, host => "127.0.0.1", longnames => true,
		args => ["-setcookie", atom_to_list(erlang:get_cookie()), "-pa", Ebin, "-hidden"]}),
	true = erpc:call(Node, code, add_patha, [filename:dirname(code:which(?MODULE))]),
	ok = erpc:call(Node, fun() ->
		{ok, P} = swarmscope_agent:start_link(#{socket => Socket, stack => <<"st">>}),
		unlink(P),
		ok
	end),
	{ok, Relay} = swarmscope_relay:start_link(#{out => self()}),
	try
		?assertMatch(#{<<"t">> := <<"hello">>}, relay_frame(Relay)),
		call(Relay, #{t => discover, query => <<"localhost">>, name => list_to_binary(Name)}),
		NodeName = atom_to_binary(Node),
		?assertMatch(#{<<"t">> := <<"agent">>, <<"node">> := NodeName, <<"host">> := <<"node2">>, <<"hostname">> := <<"h2">>},
			relay_frame(Relay)),
		call(Relay, #{t => call, ref => <<"r1">>, host => <<"node2">>, op => kill, container => <<"ours">>}),
		?assertEqual(#{<<"t">> => <<"reply">>, <<"ref">> => <<"r1">>, <<"ok">> => true, <<"result">> => null}, relay_frame(Relay)),
		call(Relay, #{t => call, ref => <<"r2">>, host => <<"node2">>, op => kill, container => <<"theirs">>}),
		?assertMatch(#{<<"ref">> := <<"r2">>, <<"ok">> := false, <<"error">> := <<"not_this_stack">>}, relay_frame(Relay)),
		call(Relay, #{t => call, ref => <<"r3">>, host => <<"node9">>, op => kill, container => <<"ours">>}),
		?assertMatch(#{<<"ref">> := <<"r3">>, <<"ok">> := false, <<"error">> := <<"no_agent_on_host">>}, relay_frame(Relay)),
		call(Relay, #{t => call, ref => <<"r4">>, host => <<"node2">>, op => reboot}),
		?assertMatch(#{<<"ref">> := <<"r4">>, <<"ok">> := false, <<"error">> := <<"bad_request">>}, relay_frame(Relay)),
		unlink(Peer),
		peer:stop(Peer),
		?assertMatch(#{<<"t">> := <<"agent_down">>, <<"node">> := NodeName, <<"host">> := <<"node2">>}, relay_frame(Relay))
	after
		unlink(Relay),
		gen_server:stop(Relay),
		catch peer:stop(Peer),
		swarmscope_fake_docker:stop(Fake)
	end.

call(Relay, Map) ->
	ok = gen_server:call(Relay, {input, iolist_to_binary(swarmscope_json:encode(Map))}).

relay_frame(Relay) ->
	receive {swarmscope_relay, Relay, Json} ->
		{ok, F} = swarmscope_json:decode(Json),
		F
	after 10000 -> error(no_frame)
	end.
