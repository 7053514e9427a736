-module(swarmscope_json_tests).
-include("swarmscope_eunit.hrl").

roundtrip(Term) ->
	{ok, Decoded} = swarmscope_json:decode(swarmscope_json:encode(Term)),
	Decoded.

scalars_test() ->
	?assertEqual(true, roundtrip(true)),
	?assertEqual(false, roundtrip(false)),
	?assertEqual(null, roundtrip(null)),
	?assertEqual(0, roundtrip(0)),
	?assertEqual(-42, roundtrip(-42)),
	?assertEqual(1700000000000000, roundtrip(1700000000000000)),
	?assertEqual(123456789012345678901234567890, roundtrip(123456789012345678901234567890)),
	?assertEqual(2.5, roundtrip(2.5)),
	?assertEqual(-0.001, roundtrip(-0.001)),
	?assertEqual(1.0e300, roundtrip(1.0e300)),
	?assertEqual(<<>>, roundtrip(<<>>)),
	?assertEqual(<<"hello">>, roundtrip(<<"hello">>)).

atoms_encode_as_strings_test() ->
	?assertEqual(<<"\"warning\"">>, iolist_to_binary(swarmscope_json:encode(warning))),
	?assertEqual(<<"n1-ab@127.0.0.1">>, roundtrip('n1-ab@127.0.0.1')).

strings_test() ->
	Tricky = <<"quote \" backslash \\ slash / nl \n cr \r tab \t bs \b ff \f nul ", 0, " ctl ", 31>>,
	?assertEqual(Tricky, roundtrip(Tricky)),
	Unicode = <<"é ü 日本 😀"/utf8>>,
	?assertEqual(Unicode, roundtrip(Unicode)),
	?assertEqual(<<"\"a\\\"b\\\\c\\n\\u0001\"">>, iolist_to_binary(swarmscope_json:encode(<<"a\"b\\c\n", 1>>))).

containers_test() ->
	Term = #{<<"t">> => <<"events">>, node => <<"n1">>, <<"empty">> => #{}, <<"list">> => [],
		<<"events">> => [#{e => sent, t => 1}, [1, [2, [3]]], null]},
	?assertEqual(#{<<"t">> => <<"events">>, <<"node">> => <<"n1">>, <<"empty">> => #{}, <<"list">> => [],
		<<"events">> => [#{<<"e">> => <<"sent">>, <<"t">> => 1}, [1, [2, [3]]], null]}, roundtrip(Term)).

decode_test() ->
	D = fun(B) -> swarmscope_json:decode(B) end,
	?assertEqual({ok, #{<<"a">> => [1, 2.5, 0, 1.0e3, -0.015, true, false, null]}},
		D(<<" {\"a\" : [1, 2.5, -0, 1e3, -1.5E-2, true, false, null]} \n">>)),
	?assertEqual({ok, <<"é😀/"/utf8>>}, D(<<"\"\\u00e9\\ud83d\\ude00\\/\"">>)),
	?assertEqual({ok, <<"é"/utf8>>}, D(<<"\"é\""/utf8>>)),
	?assertEqual({ok, #{<<"k">> => 2}}, D(<<"{\"k\":1,\"k\":2}">>)),
	?assertEqual({ok, [<<"a">>]}, D([<<"[\"">>, "a", <<"\"]">>])).

keys_are_never_atoms_test() ->
	Key = <<"swarmscope_json_tests_never_an_atom_", (integer_to_binary(erlang:unique_integer([positive])))/binary>>,
	{ok, Map} = swarmscope_json:decode(<<"{\"", Key/binary, "\":1}">>),
	?assertEqual([Key], maps:keys(Map)),
	?assertError(badarg, binary_to_existing_atom(Key)).

bad_input_test_() ->
	Bad = [<<>>, <<"   ">>, <<"{">>, <<"}">>, <<"[1,]">>, <<"[1 2]">>, <<"{\"a\" 1}">>, <<"{\"a\":}">>,
		<<"{a:1}">>, <<"{\"a\":1,}">>, <<"01">>, <<"1.">>, <<".5">>, <<"-">>, <<"1e">>, <<"+1">>,
		<<"1e400">>, <<"nul">>, <<"tru">>, <<"\"abc">>, <<"\"a\nb\"">>, <<"\"\\x\"">>, <<"\"\\u12\"">>,
		<<"\"\\u00zz\"">>, <<"\"\\ud800\"">>, <<"\"\\udc00\"">>, <<"\"\\ud800\\u0041\"">>,
		<<"\"", 255, "\"">>, <<"\"", 16#c3, "\"">>, <<255>>, <<"[1] x">>, <<"{} {}">>,
		binary:copy(<<"[">>, 600), binary:copy(<<"9">>, 5000), foo, [256], <<"NaN">>, <<"Infinity">>],
	[{iolist_to_binary(io_lib:format("~0P", [B, 6])),
		?_assertMatch({error, _}, swarmscope_json:decode(B))} || B <- Bad].

deep_but_allowed_test() ->
	Deep = iolist_to_binary([binary:copy(<<"[">>, 200), binary:copy(<<"]">>, 200)]),
	?assertMatch({ok, [[_]]}, swarmscope_json:decode(Deep)).

encode_rejects_non_json_test() ->
	?assertError(badarg, swarmscope_json:encode({a, b})),
	?assertError(badarg, swarmscope_json:encode(#{{k} => 1})),
	?assertError(badarg, swarmscope_json:encode(self())).
