-module(swarmscope_mesh_tests).
-include("swarmscope_eunit.hrl").

peers(N) ->
	[list_to_atom("p" ++ integer_to_list(I) ++ "@127.0.0.9") || I <- lists:seq(1, N)].

%% A set-up that says it started and waits until told to end.
connect() ->
	Self = self(),
	fun(Peer) -> Self ! {connecting, Peer, self()}, receive done -> ok end end.

started() ->
	receive {connecting, Peer, Pid} -> [{Peer, Pid} | started()] after 200 -> [] end.

%% The next 'DOWN' of a set-up, handed to the mesh.
finish(Pid, Connect, M) ->
	Pid ! done,
	receive {'DOWN', _, process, Pid, _} -> {ok, M1} = swarmscope_mesh:down(Pid, Connect, M), M1 after 2000 -> error(no_down) end.

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
	?assertEqual(not_found, swarmscope_mesh:down(Pid, connect(), swarmscope_mesh:new())).
