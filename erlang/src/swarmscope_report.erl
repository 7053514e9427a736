%% What `msg` buffers for its next report besides the runs (those are in swarmscope_books):
%% individual events, seed receptions, the newest cumulative ack per receiver, and the events
%% it had to leave out while the detail bound was reached, and the bulk sends of each traffic run.
-module(swarmscope_report).

%% API.
-export([new/0]).
-export([event/3]).
-export([seed/1]).
-export([ack/5]).
-export([run_sent/3]).
-export([events/1]).
-export([build/2]).

-record(buf, {
	%% Newest first.
	events = [] :: [tuple()],
	n_events = 0 :: non_neg_integer(),
	seed = 0 :: non_neg_integer(),
	acks = #{} :: #{node() => {pos_integer(), integer(), integer()}},
	dropped_events = 0 :: non_neg_integer(),
	%% Bulk sends per traffic run in this flush.
	runs = #{} :: #{binary() => pos_integer()}
}).

-opaque buf() :: #buf{}.
-export_type([buf/0]).

-spec new() -> buf().
new() ->
	#buf{}.

%% An individual event; without detail it is left out and counted (traffic_done never is:
%% there is one per generator).
-spec event(tuple(), boolean(), buf()) -> buf().
event(Event, false, B = #buf{dropped_events = N}) when element(1, Event) =/= traffic_done ->
	B#buf{dropped_events = N + 1};
event(Event, _, B = #buf{events = Events, n_events = N}) ->
	B#buf{events = [Event | Events], n_events = N + 1}.

-spec seed(buf()) -> buf().
seed(B = #buf{seed = N}) ->
	B#buf{seed = N + 1}.

%% A cumulative ack that moved ackedBy forward: UpTo, its arrival T2 and the send time T0.
-spec ack(node(), pos_integer(), integer(), integer(), buf()) -> buf().
ack(To, UpTo, T2, T0, B = #buf{acks = Acks}) ->
	B#buf{acks = Acks#{To => {UpTo, T2, T0}}}.

%% N bulk sends of traffic run Run: one `traffic_sent` event per run and report, first among the
%% report's events, never left out (like traffic_done: the run's progress must stay exact).
-spec run_sent(binary(), non_neg_integer(), buf()) -> buf().
run_sent(_Run, 0, B) ->
	B;
run_sent(Run, N, B = #buf{runs = Runs}) ->
	B#buf{runs = Runs#{Run => maps:get(Run, Runs, 0) + N}}.

%% Events buffered.
-spec events(buf()) -> non_neg_integer().
events(#buf{n_events = N}) ->
	N.

%% The report of this flush (swarmscope_outbox:report()), or `empty` if it would say nothing.
-spec build({list(), list(), list()}, buf()) -> {map(), non_neg_integer(), non_neg_integer()} | empty.
build({[], [], []}, #buf{events = [], acks = Acks, seed = 0, dropped_events = 0, runs = Runs})
		when map_size(Acks) =:= 0, map_size(Runs) =:= 0 ->
	empty;
build({Sent, Recv, Failed}, #buf{events = Events, seed = Seed, acks = Acks, dropped_events = DroppedEvents, runs = Runs}) ->
	Dropped = lists:sum([N || {_, _, N, _, _, undefined} <- Sent])
		+ lists:sum([N || {_, _, _, N, _, _, undefined, _} <- Recv]),
	Report = #{sent => Sent, recv => Recv, failed => Failed,
		acked => [{To, UpTo, T2, T0} || {To, {UpTo, T2, T0}} <- maps:to_list(Acks)],
		events => [{traffic_sent, Run, N} || {Run, N} <- lists:sort(maps:to_list(Runs))] ++ lists:reverse(Events), seed => Seed, dropped => Dropped, droppedEvents => DroppedEvents},
	{Report, Dropped, DroppedEvents}.
