-module(swarmscope_mesh_tests).
-include("swarmscope_eunit.hrl").

peers(N) ->
	[list_to_atom("p" ++ integer_to_list(I) ++ "@127.0.0.9") || I <- lists:seq(1, N)].

%% A set-up that says it started and waits until told to end, then succeeds (or fails: `fail`).
connect() ->
	Self = self(),
	fun(Peer) -> Self ! {connecting, Peer, self()}, receive done -> true; fail -> false end end.

started() ->
	receive {connecting, Peer, Pid} -> [{Peer, Pid} | started()] after 200 -> [] end.

%% The next 'DOWN' of a set-up, handed to the mesh.
finish(Pid, Connect, M) ->
	finish(Pid, done, Connect, M).

finish(Pid, How, Connect, M) ->
	Pid ! How,
	receive {'DOWN', _, process, Pid, Why} -> {ok, M1} = swarmscope_mesh:down(Pid, Why, Connect, M), M1 after 2000 -> error(no_down) end.

%% 20 peers asked for: 8 set-ups at once, the rest queued; asking again (the whole list, as
%% every nodeup did) queues nobody twice; this node itself and duplicates are not set up.
bounded_and_once_test() ->
	C = connect(),
	Peers = peers(20),
	M1 = swarmscope_mesh:ask([node() | Peers] ++ Peers, C, swarmscope_mesh:new()),
	First = started(),
	?assertEqual(8, length(First)),
	?assertEqual(20, swarmscope_mesh:pending(M1)),
	M2 = swarmscope_mesh:ask(Peers, C, M1),
	?assertEqual([], started()),
	?assertEqual(20, swarmscope_mesh:pending(M2)),
	%% One set-up ends: the next peer in the queue starts, the ended one is no longer pending.
	[{Peer1, Pid1} | _] = First,
	M3 = finish(Pid1, C, M2),
	[Next] = started(),
	?assertEqual(19, swarmscope_mesh:pending(M3)),
	%% It can be asked for again (a failed set-up is retried on the next ss_peers).
	M4 = swarmscope_mesh:ask([Peer1], C, M3),
	?assertEqual(20, swarmscope_mesh:pending(M4)),
	%% All end: the 11 still queued and the re-asked one were set up, each once; nothing pending
	%% (Later: the 12 set-ups that started while draining).
	{M5, Later} = drain(C, M4, [Next | First -- [{Peer1, Pid1}]], []),
	?assertEqual(12, length(Later)),
	?assertEqual(lists:usort(Later), lists:sort(Later)),
	?assert(lists:member(Peer1, Later)),
	?assertEqual(0, swarmscope_mesh:pending(M5)).

%% Ends the set-ups running, and those they let start, until none is left; the peers started.
drain(C, M, Running, Seen) ->
	New = started(),
	case Running ++ New of
		[] -> {M, Seen};
		[{_, Pid} | Rest] -> drain(C, finish(Pid, C, M), Rest, Seen ++ [P || {P, _} <- New])
	end.

%% A 'DOWN' of another process is not the mesh's.
other_down_test() ->
	{Pid, _} = spawn_monitor(fun() -> ok end),
	receive {'DOWN', _, process, Pid, _} -> ok end,
	?assertEqual(not_found, swarmscope_mesh:down(Pid, normal, connect(), swarmscope_mesh:new())).

%% A failed set-up is retried after a wait (1 s, then twice as long each time), not at once; one
%% that connects is not; being asked for again starts the count afresh.
retry_after_failure_test_() ->
	{timeout, 20, fun() ->
		C = connect(),
		[P1, P2] = peers(2),
		M1 = swarmscope_mesh:ask([P1, P2], C, swarmscope_mesh:new()),
		[{P1, Pid1}, {P2, Pid2}] = lists:sort(started()),
		M2 = finish(Pid2, C, finish(Pid1, fail, C, M1)),
		?assertEqual(0, swarmscope_mesh:pending(M2)),
		%% Only the failed peer's retry comes, after about a second.
		T0 = erlang:monotonic_time(millisecond),
		Retry = receive {ss_mesh_retry, _} = R -> R after 3000 -> error(no_retry) end,
		?assertEqual({ss_mesh_retry, P1}, Retry),
		?assert(erlang:monotonic_time(millisecond) - T0 >= 900),
		M3 = swarmscope_mesh:retry(P1, C, M2),
		[{P1, Pid3}] = started(),
		%% It fails again: the next wait is two seconds.
		T1 = erlang:monotonic_time(millisecond),
		M4 = finish(Pid3, fail, C, M3),
		receive {ss_mesh_retry, P1} -> ok after 4000 -> error(no_second_retry) end,
		?assert(erlang:monotonic_time(millisecond) - T1 >= 1900),
		%% Asked for again: set up at once; it connects, and no retry follows.
		M5 = swarmscope_mesh:ask([P1], C, M4),
		[{P1, Pid4}] = started(),
		M6 = finish(Pid4, C, M5),
		?assertEqual(0, swarmscope_mesh:pending(M6)),
		receive {ss_mesh_retry, _} -> error(unexpected_retry) after 1500 -> ok end
	end}.
