%% Who watches a replica's `msg` (its subscribers, at most 16, monitored) and what they were
%% last told of its distribution links.
-module(swarmscope_observers).

%% API.
-export([new/0]).
-export([add/2]).
-export([down/3]).
-export([pids/1]).
-export([count/1]).
-export([links/1]).
-export([notify/2]).
-export([check_links/2]).

-define(MAX_SUBSCRIBERS, 16).

-record(obs, {
	subscribers = #{} :: #{pid() => reference()},
	links = lists:sort(nodes()) :: [node()]
}).

-opaque obs() :: #obs{}.
-export_type([obs/0]).

-spec new() -> obs().
new() ->
	#obs{}.

%% A subscriber (again, or new): `full` if there are too many already.
-spec add(pid(), obs()) -> {ok, obs()} | full.
add(Pid, O = #obs{subscribers = Subs}) ->
	case Subs of
		#{Pid := _} -> {ok, O};
		_ when map_size(Subs) >= ?MAX_SUBSCRIBERS -> full;
		_ -> {ok, O#obs{subscribers = Subs#{Pid => monitor(process, Pid)}}}
	end.

%% A 'DOWN': the subscriber removed if it was one.
-spec down(pid(), reference(), obs()) -> {ok, obs()} | not_found.
down(Pid, MRef, O = #obs{subscribers = Subs}) ->
	case Subs of
		#{Pid := MRef} -> {ok, O#obs{subscribers = maps:remove(Pid, Subs)}};
		_ -> not_found
	end.

-spec pids(obs()) -> [pid()].
pids(#obs{subscribers = Subs}) -> maps:keys(Subs).

-spec count(obs()) -> non_neg_integer().
count(#obs{subscribers = Subs}) -> map_size(Subs).

-spec links(obs()) -> [node()].
links(#obs{links = Links}) -> Links.

-spec notify(term(), obs()) -> ok.
notify(Msg, #obs{subscribers = Subs}) ->
	_ = [catch erlang:send(Pid, Msg, [noconnect]) || Pid <- maps:keys(Subs)],
	ok.

%% Tells the subscribers {ss_links, Node, Links} if nodes() changed.
-spec check_links(node(), obs()) -> obs().
check_links(Node, O = #obs{links = Links}) ->
	case lists:sort(nodes()) of
		Links ->
			O;
		New ->
			notify({ss_links, Node, New}, O),
			O#obs{links = New}
	end.
