%% Frames from the server to the bridge (erlang/PROTOCOL.md, "Server -> bridge"): decoded and
%% checked into commands. Node names stay binaries here; the bridge looks them up among the
%% nodes it knows. Anything wrong gives {warn, Text} for a `log` frame.
-module(swarmscope_input).

%% API.
-export([parse/1]).

-define(MAX_PARAM, 255).
-define(MAX_COUNT, 100000000).
-define(MAX_RATE, 10000000).
-define(JS_MAX, 16#1FFFFFFFFFFFFF).
-define(DELAY_MAX_MS, 60000).

-type command() :: {send, binary(), binary(), binary(), binary()}
                 | {get, binary(), binary()}
                 | {ping, binary()}
                 | {discover, {epmd | dns, string(), binary()}}
                 | {traffic, binary() | undefined, binary(), binary(), binary(), [binary()], map()}
                 | {traffic_stop, binary() | all}
                 | {commit, binary(), non_neg_integer(), non_neg_integer()}
                 | {fault, binary(), binary(), fault_op()}
                 | {seed, binary(), binary(), binary(), binary()}
                 | {ticktime, 1..3600}
                 | peers.
%% A command for a replica's `ss_fault` (PROTOCOL.md, "Faults"); peers are names to look up.
-type fault_op() :: {partition, [binary()]} | heal | {heal, [binary()]}
                  | {delay, non_neg_integer(), non_neg_integer(), number()} | clear
                  | {route, binary(), {inet:ip4_address(), inet:port_number()}} | {unroute, binary()}.
-export_type([command/0, fault_op/0]).

-spec parse(iodata()) -> {ok, command()} | {warn, iodata()}.
parse(Frame) ->
	case swarmscope_json:decode(Frame) of
		{ok, #{<<"t">> := Type} = Fields} when is_binary(Type) ->
			try
				{ok, command(Type, Fields)}
			catch throw:{bad_frame, Why} ->
				{warn, Why}
			end;
		{ok, _} ->
			{warn, <<"frame without a string \"t\"">>};
		{error, Reason} ->
			{warn, ["invalid JSON frame: ", swarmscope_text:text(Reason)]}
	end.

command(<<"send">>, F) ->
	{send, str(F, <<"id">>), str(F, <<"from">>), str(F, <<"to">>), str(F, <<"content">>)};
command(<<"get">>, F) ->
	{get, str(F, <<"ref">>), str(F, <<"node">>)};
command(<<"ping">>, F) ->
	{ping, str(F, <<"ref">>)};
command(<<"discover">>, F) ->
	case str(F, <<"mode">>) of
		<<"epmd">> -> {discover, {epmd, host(str(F, <<"host">>)), word(F, <<"deployment">>)}};
		<<"dns">> -> {discover, {dns, host(str(F, <<"query">>)), word(F, <<"name">>)}};
		Other -> throw({bad_frame, ["discover: unknown mode \"", swarmscope_text:cut(Other), "\""]})
	end;
command(<<"traffic">>, F) ->
	Tag = case maps:get(<<"tag">>, F, <<"0">>) of
		T when is_binary(T) -> T;
		T when is_integer(T) -> integer_to_binary(T);
		_ -> throw({bad_frame, <<"traffic: \"tag\" must be a string">>})
	end,
	Targets = case maps:get(<<"targets">>, F, undefined) of
		L when is_list(L) -> [case is_binary(N) of true -> N; false -> throw({bad_frame,
			<<"traffic: \"targets\" must be a list of node names">>}) end || N <- L];
		_ -> throw({bad_frame, <<"traffic: \"targets\" must be a list of node names">>})
	end,
	Opts = #{
		rate => int(F, <<"rate">>, 0, ?MAX_RATE, 0),
		count => int(F, <<"count">>, 0, ?MAX_COUNT, 1),
		order => case opt(F, <<"order">>, fun is_binary/1, <<"cycle">>) of
			<<"cycle">> -> cycle;
			<<"random">> -> random;
			_ -> throw({bad_frame, <<"traffic: \"order\" must be \"cycle\" or \"random\"">>})
		end,
		content => opt(F, <<"content">>, fun is_binary/1, <<>>)
	},
	{traffic, opt(F, <<"ref">>, fun is_binary/1, undefined), str(F, <<"run">>), Tag, str(F, <<"node">>), Targets, Opts};
command(<<"traffic_stop">>, F) ->
	case maps:get(<<"run">>, F, null) of
		null -> {traffic_stop, all};
		<<"*">> -> {traffic_stop, all};
		Run when is_binary(Run) -> {traffic_stop, Run};
		_ -> throw({bad_frame, <<"traffic_stop: \"run\" must be a string">>})
	end;
command(<<"commit">>, F) ->
	{commit, str(F, <<"node">>), nat(F, <<"inc">>), nat(F, <<"upto">>)};
command(<<"fault">>, F) ->
	{fault, str(F, <<"ref">>), str(F, <<"node">>), fault_op(str(F, <<"op">>), F)};
command(<<"peers">>, _) ->
	peers;
command(<<"ticktime">>, F) ->
	case maps:get(<<"seconds">>, F, undefined) of
		T when is_integer(T), T >= 1, T =< 3600 -> {ticktime, T};
		_ -> throw({bad_frame, <<"ticktime: \"seconds\" must be an integer from 1 to 3600">>})
	end;
command(<<"seed">>, F) ->
	{seed, str(F, <<"ref">>), str(F, <<"from">>), str(F, <<"to">>), str(F, <<"content">>)};
command(Type, _) ->
	throw({bad_frame, ["unknown frame type \"", swarmscope_text:cut(Type), "\""]}).

fault_op(<<"partition">>, F) -> {partition, names(F, <<"peers">>)};
fault_op(<<"heal">>, F) ->
	case maps:get(<<"peers">>, F, null) of
		null -> heal;
		_ -> {heal, names(F, <<"peers">>)}
	end;
fault_op(<<"delay">>, F) ->
	{delay, int(F, <<"delayMs">>, 0, ?DELAY_MAX_MS, 0), int(F, <<"jitterMs">>, 0, ?DELAY_MAX_MS, 0),
	 opt(F, <<"lossPct">>, fun(V) -> is_number(V) andalso V >= 0 andalso V =< 100 end, 0)};
fault_op(<<"clear">>, _) -> clear;
fault_op(<<"route">>, F) ->
	Port = int(F, <<"port">>, 1, 65535, undefined),
	case {inet:parse_ipv4strict_address(binary_to_list(str(F, <<"ip">>))), Port} of
		{{ok, Ip}, P} when is_integer(P) -> {route, str(F, <<"peer">>), {Ip, P}};
		_ -> throw({bad_frame, <<"fault: route needs \"ip\" (dotted IPv4) and \"port\"">>})
	end;
fault_op(<<"unroute">>, F) -> {unroute, str(F, <<"peer">>)};
fault_op(Op, _) -> throw({bad_frame, ["fault: unknown op \"", swarmscope_text:cut(Op), "\""]}).

names(F, Key) ->
	case maps:get(Key, F, undefined) of
		L when is_list(L), length(L) =< 1024 ->
			[case is_binary(N) of true -> N; false -> throw({bad_frame, [<<"fault: \"">>, Key,
				<<"\" must be a list of node names">>]}) end || N <- L];
		_ -> throw({bad_frame, [<<"fault: \"">>, Key, <<"\" must be a list of node names">>]})
	end.

%% Fields.

str(F, Key) ->
	case maps:get(Key, F, undefined) of
		V when is_binary(V) -> V;
		_ -> throw({bad_frame, [maps:get(<<"t">>, F), <<": \"">>, Key, <<"\" must be a string">>]})
	end.

opt(F, Key, Valid, Default) ->
	case maps:get(Key, F, null) of
		null -> Default;
		V ->
			case Valid(V) of
				true -> V;
				false -> throw({bad_frame, [maps:get(<<"t">>, F), <<": bad \"">>, Key, <<"\"">>]})
			end
	end.

%% A required integer in 0 .. 2^53 - 1.
nat(F, Key) ->
	case maps:get(Key, F, undefined) of
		V when is_integer(V), V >= 0, V =< ?JS_MAX -> V;
		_ -> throw({bad_frame, [maps:get(<<"t">>, F), <<": \"">>, Key, <<"\" must be a non-negative integer">>]})
	end.

int(F, Key, Min, Max, Default) ->
	opt(F, Key, fun(V) -> is_integer(V) andalso V >= Min andalso V =< Max end, Default).

%% A host or DNS query: letters, digits, '.', '-', '_', ':'.
host(Bin) ->
	case Bin =/= <<>> andalso byte_size(Bin) =< ?MAX_PARAM andalso
			lists:all(fun(C) -> is_word_char(C) orelse C =:= $. orelse C =:= $: end, binary_to_list(Bin)) of
		true -> binary_to_list(Bin);
		false -> throw({bad_frame, ["discover: bad host or query \"", swarmscope_text:cut(Bin), "\""]})
	end.

%% A deployment id or node name part: letters, digits, '-', '_'.
word(F, Key) ->
	Bin = str(F, Key),
	case Bin =/= <<>> andalso byte_size(Bin) =< ?MAX_PARAM andalso
			lists:all(fun is_word_char/1, binary_to_list(Bin)) of
		true -> Bin;
		false -> throw({bad_frame, ["discover: bad \"", Key, "\""]})
	end.

is_word_char(C) ->
	(C >= $a andalso C =< $z) orelse (C >= $A andalso C =< $Z) orelse (C >= $0 andalso C =< $9)
		orelse C =:= $- orelse C =:= $_.
