%% Terms as bounded text (erlang/PROTOCOL.md): message contents and seed senders travel as
%% at most 1024 (names: 255) characters of UTF-8, whatever their size or depth. Used by the
%% bridge for every frame and by `msg` to keep what it buffers small.
-module(swarmscope_text).

%% API.
-export([text/1]).
-export([name/1]).
-export([cut/1]).
-export([bounded/1]).

-define(TEXT_MAX, 1024).
-define(NAME_MAX, 255).
%% Longest UTF-8 prefix looked at: 4 bytes per character at most.
-define(PREFIX_MAX, 4 * ?TEXT_MAX).
%% Printing depth: a deep term is cut long before its own depth.
-define(DEPTH, 64).

%% A binary whose first 1024 characters are valid UTF-8 as those characters, anything else
%% as ~0P (depth 64), cut to 1024 characters.
-spec text(term()) -> binary().
text(Bin) when is_binary(Bin) ->
	Prefix = case byte_size(Bin) > ?PREFIX_MAX of
		true -> binary:part(Bin, 0, ?PREFIX_MAX);
		false -> Bin
	end,
	case unicode:characters_to_binary(Prefix) of
		Text when is_binary(Text) -> cut(Text);
		{incomplete, Text, _} when Prefix =/= Bin -> cut(Text);
		_ -> format(Bin)
	end;
text(Term) ->
	format(Term).

%% A node name (or a seed message's From): an atom as its name, anything else as text/1 cut
%% to 255 characters.
-spec name(term()) -> binary().
name(A) when is_atom(A) -> atom_to_binary(A);
name(Term) -> cut(text(Term), ?NAME_MAX).

-spec cut(binary()) -> binary().
cut(Text) ->
	cut(Text, ?TEXT_MAX).

%% What `msg` keeps of a term for an event: the term itself when it is small (text/1 of it is
%% then computed by whoever prints it), else text/1 of it already, so that a huge or deep
%% content costs a buffer at most 1 KiB. text/1 of the result equals text/1 of the term.
-spec bounded(term()) -> term().
bounded(Bin) when is_binary(Bin), byte_size(Bin) =< ?TEXT_MAX -> Bin;
bounded(Bin) when is_binary(Bin) -> binary:copy(text(Bin));
bounded(Term) when is_atom(Term); is_number(Term); is_pid(Term) -> Term;
bounded(Term) ->
	case erlang:external_size(Term) =< ?TEXT_MAX of
		true -> Term;
		false -> text(Term)
	end.

%% Internals.

format(Term) ->
	Text = io_lib:format("~0P", [Term, ?DEPTH], [{chars_limit, 2 * ?TEXT_MAX}]),
	case unicode:characters_to_binary(Text) of
		Bin when is_binary(Bin) -> cut(Bin);
		_ -> <<"(unprintable term)">>
	end.

cut(Text, Max) when byte_size(Text) =< Max ->
	Text;
cut(Text, Max) ->
	binary:part(Text, 0, prefix_size(Text, Max, 0)).

prefix_size(_, 0, Size) -> Size;
prefix_size(<<C/utf8, Rest/binary>>, N, Size) -> prefix_size(Rest, N - 1, Size + byte_size(<<C/utf8>>));
prefix_size(_, _, Size) -> Size.
