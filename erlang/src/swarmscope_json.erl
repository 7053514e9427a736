%% Minimal JSON for the bridge frames.
%%
%% encode/1 takes maps (binary or atom keys), lists, binaries (UTF-8 text), integers, floats,
%% true/false/null and other atoms (written as strings); it raises badarg on anything else,
%% which is a bug in the caller. decode/1 never raises: objects become maps with binary keys
%% (never atoms), strings binaries, numbers integers or floats; bad input gives {error, Reason}.
-module(swarmscope_json).

%% API.
-export([encode/1]).
-export([decode/1]).

-type json() :: #{binary() | atom() => json()} | [json()] | binary() | number()
              | boolean() | null | atom().
-export_type([json/0]).

-define(MAX_DEPTH, 512).
-define(MAX_DIGITS, 1000).

%% API.

-spec encode(json()) -> iodata().
encode(true) -> <<"true">>;
encode(false) -> <<"false">>;
encode(null) -> <<"null">>;
encode(B) when is_binary(B) -> string(B);
encode(I) when is_integer(I) -> integer_to_binary(I);
encode(F) when is_float(F) -> float_to_binary(F, [short]);
encode(A) when is_atom(A) -> string(atom_to_binary(A));
encode(M) when is_map(M) -> object(maps:to_list(M));
encode([]) -> <<"[]">>;
encode([H | T]) -> [$[, encode(H) | elements(T)];
encode(Other) -> erlang:error(badarg, [Other]).

-spec decode(iodata()) -> {ok, json()} | {error, term()}.
decode(Data) ->
	try iolist_to_binary(Data) of
		Bin -> decode_binary(Bin)
	catch error:badarg ->
		{error, not_iodata}
	end.

%% Encoding.

object([]) -> <<"{}">>;
object([{K, V} | T]) -> [${, key(K), $:, encode(V) | members(T)].

members([]) -> [$}];
members([{K, V} | T]) -> [$,, key(K), $:, encode(V) | members(T)].

key(K) when is_binary(K) -> string(K);
key(K) when is_atom(K) -> string(atom_to_binary(K));
key(K) -> erlang:error(badarg, [K]).

elements([]) -> [$]];
elements([H | T]) -> [$,, encode(H) | elements(T)];
elements(Tail) -> erlang:error(badarg, [Tail]).

%% Most strings need no escaping: check that first. Otherwise copy runs of plain bytes as
%% sub-binaries; only `"`, `\` and control characters are escaped.
string(B) ->
	case plain(B) of
		true -> [$", B, $"];
		false -> [$", escape(B, B, 0, 0, []), $"]
	end.

plain(<<C, _/binary>>) when C < 16#20; C =:= $"; C =:= $\\ -> false;
plain(<<_, Rest/binary>>) -> plain(Rest);
plain(<<>>) -> true.

escape(<<C, Rest/binary>>, Orig, Start, Len, Acc) when C < 16#20; C =:= $"; C =:= $\\ ->
	Acc1 = [escape_char(C), binary:part(Orig, Start, Len) | Acc],
	escape(Rest, Orig, Start + Len + 1, 0, Acc1);
escape(<<_, Rest/binary>>, Orig, Start, Len, Acc) ->
	escape(Rest, Orig, Start, Len + 1, Acc);
escape(<<>>, Orig, 0, _, []) ->
	Orig;
escape(<<>>, Orig, Start, Len, Acc) ->
	lists:reverse([binary:part(Orig, Start, Len) | Acc]).

escape_char($") -> <<"\\\"">>;
escape_char($\\) -> <<"\\\\">>;
escape_char($\n) -> <<"\\n">>;
escape_char($\r) -> <<"\\r">>;
escape_char($\t) -> <<"\\t">>;
escape_char($\b) -> <<"\\b">>;
escape_char($\f) -> <<"\\f">>;
escape_char(C) -> io_lib:format("\\u~4.16.0b", [C]).

%% Decoding. Parse errors are thrown as {json_error, Reason} and caught in decode_binary/1.

decode_binary(Bin) ->
	try
		{Value, Rest} = value(ws(Bin), 0),
		case ws(Rest) of
			<<>> -> {ok, Value};
			_ -> {error, trailing_data}
		end
	catch
		throw:{json_error, Reason} -> {error, Reason};
		error:Reason -> {error, {invalid_json, Reason}}
	end.

ws(<<C, Rest/binary>>) when C =:= $\s; C =:= $\t; C =:= $\n; C =:= $\r -> ws(Rest);
ws(Bin) -> Bin.

value(_, Depth) when Depth > ?MAX_DEPTH -> throw({json_error, too_deep});
value(<<${, Rest/binary>>, Depth) -> object_start(ws(Rest), Depth + 1);
value(<<$[, Rest/binary>>, Depth) -> array_start(ws(Rest), Depth + 1);
value(<<$", Rest/binary>>, _) -> string_value(Rest);
value(<<"true", Rest/binary>>, _) -> {true, Rest};
value(<<"false", Rest/binary>>, _) -> {false, Rest};
value(<<"null", Rest/binary>>, _) -> {null, Rest};
value(<<C, _/binary>> = Bin, _) when C =:= $-; C >= $0, C =< $9 -> number(Bin);
value(<<>>, _) -> throw({json_error, unexpected_end});
value(<<C, _/binary>>, _) -> throw({json_error, {unexpected_char, C}}).

object_start(<<$}, Rest/binary>>, _) -> {#{}, Rest};
object_start(Bin, Depth) -> object_member(Bin, Depth, #{}).

object_member(<<$", Rest/binary>>, Depth, Acc) ->
	{Key, Rest1} = string_value(Rest),
	Rest2 = case ws(Rest1) of
		<<$:, R/binary>> -> ws(R);
		_ -> throw({json_error, expected_colon})
	end,
	{Value, Rest3} = value(Rest2, Depth),
	Acc1 = Acc#{Key => Value},
	case ws(Rest3) of
		<<$,, Rest4/binary>> -> object_member(ws(Rest4), Depth, Acc1);
		<<$}, Rest4/binary>> -> {Acc1, Rest4};
		_ -> throw({json_error, expected_comma_or_brace})
	end;
object_member(_, _, _) ->
	throw({json_error, expected_key}).

array_start(<<$], Rest/binary>>, _) -> {[], Rest};
array_start(Bin, Depth) -> array_element(Bin, Depth, []).

array_element(Bin, Depth, Acc) ->
	{Value, Rest} = value(Bin, Depth),
	case ws(Rest) of
		<<$,, Rest1/binary>> -> array_element(ws(Rest1), Depth, [Value | Acc]);
		<<$], Rest1/binary>> -> {lists:reverse([Value | Acc]), Rest1};
		_ -> throw({json_error, expected_comma_or_bracket})
	end.

%% Strings: runs without escapes are kept as sub-binaries of the input.
string_value(Bin) ->
	string_run(Bin, Bin, 0, []).

string_run(<<$", Rest/binary>>, Orig, Len, Acc) ->
	Run = binary:part(Orig, 0, Len),
	case Acc of
		[] -> {Run, Rest};
		_ -> {iolist_to_binary(lists:reverse([Run | Acc])), Rest}
	end;
string_run(<<$\\, Rest/binary>>, Orig, Len, Acc) ->
	{Char, Rest1} = string_escape(Rest),
	string_run(Rest1, Rest1, 0, [Char, binary:part(Orig, 0, Len) | Acc]);
string_run(<<C, _/binary>>, _, _, _) when C < 16#20 ->
	throw({json_error, control_character_in_string});
string_run(<<C, Rest/binary>>, Orig, Len, Acc) when C < 16#80 ->
	string_run(Rest, Orig, Len + 1, Acc);
string_run(<<_/utf8, Rest/binary>> = Bin, Orig, Len, Acc) ->
	string_run(Rest, Orig, Len + byte_size(Bin) - byte_size(Rest), Acc);
string_run(<<>>, _, _, _) ->
	throw({json_error, unterminated_string});
string_run(_, _, _, _) ->
	throw({json_error, invalid_utf8}).

string_escape(<<$", Rest/binary>>) -> {<<$">>, Rest};
string_escape(<<$\\, Rest/binary>>) -> {<<$\\>>, Rest};
string_escape(<<$/, Rest/binary>>) -> {<<$/>>, Rest};
string_escape(<<$b, Rest/binary>>) -> {<<$\b>>, Rest};
string_escape(<<$f, Rest/binary>>) -> {<<$\f>>, Rest};
string_escape(<<$n, Rest/binary>>) -> {<<$\n>>, Rest};
string_escape(<<$r, Rest/binary>>) -> {<<$\r>>, Rest};
string_escape(<<$t, Rest/binary>>) -> {<<$\t>>, Rest};
string_escape(<<$u, Rest/binary>>) ->
	case hex4(Rest) of
		{High, <<"\\u", Rest1/binary>>} when High >= 16#D800, High =< 16#DBFF ->
			case hex4(Rest1) of
				{Low, Rest2} when Low >= 16#DC00, Low =< 16#DFFF ->
					Code = 16#10000 + ((High - 16#D800) bsl 10) + (Low - 16#DC00),
					{<<Code/utf8>>, Rest2};
				_ ->
					throw({json_error, invalid_surrogate_pair})
			end;
		{Code, _} when Code >= 16#D800, Code =< 16#DFFF ->
			throw({json_error, lone_surrogate});
		{Code, Rest1} ->
			{<<Code/utf8>>, Rest1}
	end;
string_escape(_) ->
	throw({json_error, invalid_escape}).

hex4(<<A, B, C, D, Rest/binary>>) ->
	{(hex(A) bsl 12) bor (hex(B) bsl 8) bor (hex(C) bsl 4) bor hex(D), Rest};
hex4(_) ->
	throw({json_error, invalid_unicode_escape}).

hex(C) when C >= $0, C =< $9 -> C - $0;
hex(C) when C >= $a, C =< $f -> C - $a + 10;
hex(C) when C >= $A, C =< $F -> C - $A + 10;
hex(_) -> throw({json_error, invalid_unicode_escape}).

%% Numbers: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
number(Bin) ->
	{Sign, R0} = case Bin of
		<<$-, AfterSign/binary>> -> {<<"-">>, AfterSign};
		_ -> {<<>>, Bin}
	end,
	{Int, R1} = case R0 of
		<<$0, AfterZero/binary>> -> {<<"0">>, AfterZero};
		<<C, _/binary>> when C >= $1, C =< $9 -> digits(R0);
		_ -> throw({json_error, invalid_number})
	end,
	{Frac, R2} = case R1 of
		<<$., AfterDot/binary>> -> nonempty_digits(AfterDot);
		_ -> {none, R1}
	end,
	{Exp, R3} = exponent(R2),
	{to_number(Sign, Int, Frac, Exp), R3}.

exponent(<<E, $+, Rest/binary>>) when E =:= $e; E =:= $E ->
	nonempty_digits(Rest);
exponent(<<E, $-, Rest/binary>>) when E =:= $e; E =:= $E ->
	{Digits, Rest1} = nonempty_digits(Rest),
	{<<$-, Digits/binary>>, Rest1};
exponent(<<E, Rest/binary>>) when E =:= $e; E =:= $E ->
	nonempty_digits(Rest);
exponent(Rest) ->
	{none, Rest}.

to_number(Sign, Int, none, none) ->
	binary_to_integer(<<Sign/binary, Int/binary>>);
to_number(Sign, Int, Frac, Exp) ->
	F = case Frac of none -> <<"0">>; _ -> Frac end,
	E = case Exp of none -> <<>>; _ -> <<$e, Exp/binary>> end,
	try binary_to_float(<<Sign/binary, Int/binary, $., F/binary, E/binary>>)
	catch error:badarg -> throw({json_error, number_out_of_range})
	end.

nonempty_digits(<<C, _/binary>> = Bin) when C >= $0, C =< $9 -> digits(Bin);
nonempty_digits(_) -> throw({json_error, invalid_number}).

digits(Bin) ->
	N = count_digits(Bin, 0),
	<<Digits:N/binary, Rest/binary>> = Bin,
	{Digits, Rest}.

count_digits(<<C, Rest/binary>>, N) when C >= $0, C =< $9 ->
	case N < ?MAX_DIGITS of
		true -> count_digits(Rest, N + 1);
		false -> throw({json_error, number_too_long})
	end;
count_digits(_, N) ->
	N.
