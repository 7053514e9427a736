%% What the suites need from eunit.hrl. Debian's erlang-eunit package ships EUnit without
%% its include/ directory (that is in erlang-dev), so the suites use stdlib's assert.hrl and
%% these few macros instead, and export their test functions themselves.
-include_lib("stdlib/include/assert.hrl").
-compile([export_all, nowarn_export_all]).

-define(_test(Expr), {?LINE, fun() -> (Expr) end}).
-define(_assertMatch(Guard, Expr), ?_test(?assertMatch(Guard, Expr))).
