%% Traffic generators of a replica: a process per {ss_traffic, ...} that hands `msg` batches of
%% bulk sends (no id: they are accounted in runs) through a call, so that a fast generator
%% cannot flood `msg`, paced to hold the rate. Each batch names its run: `msg` counts the run's
%% sends per report (a `traffic_sent` event), so the server follows a run exactly without ids.
-module(swarmscope_gen).

%% API.
-export([new/5]).
-export([run/2]).

%% Largest batch a generator hands to `msg` in one call.
-define(BATCH, 200).
-define(MAX_COUNT, 1000000000).
-define(MAX_RATE, 100000000).

-record(gen, {
	msg :: pid(),
	run :: binary(),
	targets :: tuple(),
	rate :: non_neg_integer(),
	count :: non_neg_integer(),
	order :: cycle | random,
	content :: term(),
	start = 0 :: integer()
}).

-opaque gen() :: #gen{}.
-export_type([gen/0]).

%% Checks an ss_traffic request (PROTOCOL.md) made to Msg.
-spec new(pid(), binary(), binary(), term(), term()) -> {ok, gen()} | {error, term()}.
new(Msg, Run, Tag, Targets, Opts) when is_binary(Run), is_binary(Tag), is_list(Targets), is_map(Opts) ->
	Rate = maps:get(rate, Opts, 0),
	Count = maps:get(count, Opts, 1),
	Order = maps:get(order, Opts, cycle),
	Valid = is_integer(Rate) andalso Rate >= 0 andalso Rate =< ?MAX_RATE
		andalso is_integer(Count) andalso Count >= 0 andalso Count =< ?MAX_COUNT
		andalso (Order =:= cycle orelse Order =:= random) andalso atoms(Targets),
	case Valid of
		true ->
			{ok, #gen{msg = Msg, run = Run, targets = list_to_tuple(Targets), rate = Rate,
				count = case Targets of [] -> 0; _ -> Count end, order = Order,
				content = maps:get(content, Opts, <<>>)}};
		false ->
			{error, bad_options}
	end;
new(_, _, _, _, _) ->
	{error, bad_request}.

%% A proper list of atoms (at most 4096 targets).
atoms(L) -> atoms(L, 4096).

atoms([], _) -> true;
atoms([A | T], N) when is_atom(A), N > 0 -> atoms(T, N - 1);
atoms(_, _) -> false.

%% The generator's body: sends, then tells `msg` {ss_traffic_done, Run, SentCount}.
-spec run(binary(), gen()) -> ok.
run(Run, Gen) ->
	Sent = generate(Gen#gen{start = erlang:monotonic_time(millisecond)}, 0, 0),
	Gen#gen.msg ! {ss_traffic_done, Run, Sent},
	ok.

generate(#gen{count = Count}, Done, Sent) when Done >= Count ->
	Sent;
generate(Gen = #gen{rate = 0, count = Count}, Done, Sent) ->
	batch(Gen, Done, Sent, Count);
generate(Gen = #gen{rate = Rate, count = Count, start = Start}, Done, Sent) ->
	Elapsed = erlang:monotonic_time(millisecond) - Start,
	%% Message k (from 0) is due at k * 1000 / Rate ms.
	Due = min(Count, Elapsed * Rate div 1000 + 1),
	if
		Due > Done ->
			batch(Gen, Done, Sent, Due);
		true ->
			Wait = max(1, (Done * 1000 + Rate - 1) div Rate - Elapsed),
			receive
				stop -> Sent
			after Wait ->
				generate(Gen, Done, Sent)
			end
	end.

%% The next batch towards Due messages, unless told to stop.
batch(Gen, Done, Sent, Due) ->
	receive
		stop -> Sent
	after 0 ->
		N = min(?BATCH, Due - Done),
		generate(Gen, Done + N, Sent + send(Gen, Done, N))
	end.

send(Gen = #gen{msg = Msg, run = Run, content = Content}, Done, N) ->
	Targets = [target(Gen, Seq) || Seq <- lists:seq(Done + 1, Done + N)],
	gen_server:call(Msg, {ss_send_bulk, Run, Targets, Content}, infinity).

target(#gen{targets = Targets, order = cycle}, Seq) -> element((Seq - 1) rem tuple_size(Targets) + 1, Targets);
target(#gen{targets = Targets, order = random}, _) -> element(rand:uniform(tuple_size(Targets)), Targets).
