%% A small seeded generator of random terms and bridge frames for the fuzz suites (OTP 25 here
%% has no PropEr): rand:seed(exsss, Seed), then every value comes from rand. The seed is
%% SWARMSCOPE_FUZZ_SEED or a fixed default, and is printed, so a failure can be replayed.
%%
%% Atoms come only from a given pool (atoms the receiving node already has): an atom sent over
%% distribution is created by the VM while decoding, before any of our code sees it.
-module(swarmscope_fuzz).

-export([seed/0]).
-export([term/2]).
-export([message/2]).
-export([frame/1]).
-export([pool/1]).

-define(DEFAULT_SEED, 20261201).

-spec seed() -> integer().
seed() ->
	Seed = case os:getenv("SWARMSCOPE_FUZZ_SEED") of
		false -> ?DEFAULT_SEED;
		S -> list_to_integer(S)
	end,
	_ = rand:seed(exsss, Seed),
	Seed.

%% The protocol's own atoms, and the given node names.
-spec pool([atom()]) -> tuple().
pool(Nodes) ->
	list_to_tuple(Nodes ++ [ss_msg, ss_bulk, ss_ack, ss_ack_msg, ss_send, ss_subscribe, ss_commit, ss_peers,
		ss_tick, ss_traffic, ss_traffic_stop, ss_traffic_done, ss_report, ss_stats, ss_links, ss_hello, send, get,
		msgs, info, true, false, undefined, all, cycle, random, rate, count, order, content, sent, recv, acked,
		failed, events, seed, dropped, droppedEvents, inc, rseq, nodeup, nodedown, timeout, ok, error, x]).

%% A random term at most Depth deep (with now and then a much deeper list, a huge binary).
-spec term(tuple(), non_neg_integer()) -> term().
term(Pool, Depth) ->
	case rand:uniform(case Depth of 0 -> 8; _ -> 14 end) of
		1 -> pick(Pool);
		2 -> rand:uniform(2001) - 1001;
		3 -> pick({0, -1, 1 bsl 53, (1 bsl 53) - 1, 1 bsl 64, -(1 bsl 70), 1 bsl 300, 16#7FFFFFFFFFFFFFFF});
		4 -> (rand:uniform() - 0.5) * 1.0e12;
		5 -> rand:bytes(rand:uniform(64) - 1);
		6 -> unicode:characters_to_binary([rand:uniform(16#D7FF) || _ <- lists:seq(1, rand:uniform(20))]);
		7 -> pick({self(), dead_pid(), make_ref()});
		8 -> [$a + rand:uniform(25) || _ <- lists:seq(1, rand:uniform(30))];
		9 -> [term(Pool, Depth - 1) || _ <- lists:seq(1, rand:uniform(5) - 1)];
		10 -> [term(Pool, Depth - 1) | term(Pool, 0)];
		11 -> list_to_tuple([term(Pool, Depth - 1) || _ <- lists:seq(1, rand:uniform(9) - 1)]);
		12 -> maps:from_list([{term(Pool, 0), term(Pool, Depth - 1)} || _ <- lists:seq(1, rand:uniform(4) - 1)]);
		13 -> rare();
		14 -> pick(Pool)
	end.

rare() ->
	case rand:uniform(100) of
		1 -> binary:copy(<<"x">>, 1 bsl 20);
		2 -> lists:foldl(fun(_, A) -> [A] end, [], lists:seq(1, 10000));
		3 -> lists:seq(1, 100000);
		_ -> erlang:make_tuple(rand:uniform(300), 0)
	end.

%% A message: a random term, or a protocol tuple of the right arity with random or plausible
%% arguments (wrong types in every position). System messages only ever have a malformed
%% From, so that none is a valid request to terminate.
-spec message(tuple(), [{atom(), pos_integer()}]) -> term().
message(Pool, Shapes) ->
	case rand:uniform(5) of
		1 ->
			term(Pool, 3);
		2 ->
			{system, term(Pool, 1), term(Pool, 2)};
		_ ->
			{Tag, Arity} = lists:nth(rand:uniform(length(Shapes)), Shapes),
			list_to_tuple([Tag | [arg(Pool) || _ <- lists:seq(2, Arity)]])
	end.

arg(Pool) ->
	case rand:uniform(8) of
		1 -> pick(Pool);
		2 -> rand:uniform(100);
		3 -> os:system_time(microsecond) - rand:uniform(1000000);
		4 -> dead_pid();
		5 -> [pick(Pool) || _ <- lists:seq(1, rand:uniform(3))];
		6 -> maps:from_list([{pick(Pool), arg(Pool)} || _ <- lists:seq(1, rand:uniform(4))]);
		_ -> term(Pool, 2)
	end.

%% A bridge input frame: mostly a JSON object with a known "t" and random fields, sometimes
%% any JSON value, sometimes not JSON at all. Never "discover" (it creates atoms for the
%% names it resolves, by design).
-spec frame([binary()]) -> binary().
frame(Names) ->
	case rand:uniform(10) of
		1 -> rand:bytes(rand:uniform(100));
		2 -> iolist_to_binary(swarmscope_json:encode(json(Names, 2)));
		3 -> Json = object(Names), binary:part(Json, 0, rand:uniform(byte_size(Json)));
		_ -> object(Names)
	end.

object(Names) ->
	T = pick({<<"send">>, <<"get">>, <<"ping">>, <<"traffic">>, <<"traffic_stop">>, <<"commit">>, <<"nope">>, 5}),
	Keys = [<<"id">>, <<"from">>, <<"to">>, <<"content">>, <<"ref">>, <<"node">>, <<"run">>, <<"tag">>, <<"targets">>,
		<<"rate">>, <<"count">>, <<"order">>, <<"inc">>, <<"upto">>],
	Fields = maps:from_list([{K, json(Names, 2)} || K <- Keys, rand:uniform(2) =:= 1]),
	iolist_to_binary(swarmscope_json:encode(Fields#{<<"t">> => T})).

json(Names, Depth) ->
	case rand:uniform(case Depth of 0 -> 7; _ -> 9 end) of
		1 -> lists:nth(rand:uniform(length(Names)), Names);
		2 -> rand:uniform(1 bsl 60) - (1 bsl 59);
		3 -> rand:uniform(1000);
		4 -> rand:uniform() * 1000;
		5 -> pick({null, true, false});
		6 -> unicode:characters_to_binary([rand:uniform(16#D7FF) || _ <- lists:seq(1, rand:uniform(40))]);
		7 -> binary:copy(<<"y">>, rand:uniform(3) * 2000);
		8 -> [json(Names, Depth - 1) || _ <- lists:seq(1, rand:uniform(4) - 1)];
		9 -> #{<<"k">> => json(Names, Depth - 1)}
	end.

pick(Tuple) ->
	element(rand:uniform(tuple_size(Tuple)), Tuple).

dead_pid() ->
	case get(fuzz_dead_pid) of
		undefined ->
			{Pid, MRef} = spawn_monitor(fun() -> ok end),
			receive {'DOWN', MRef, process, Pid, _} -> ok end,
			put(fuzz_dead_pid, Pid),
			Pid;
		Pid ->
			Pid
	end.
