%% Baseline for `npm run bench`: raw Erlang distribution between two nodes, with no Swarmscope
%% in the path. One-way throughput of small messages, and round trip percentiles.
-module(swarmscope_bench).

%% API.
-export([sink/0]).
-export([run/2]).

-spec sink() -> no_return().
sink() ->
    register(bench_sink, self()),
    sink_loop(0).

sink_loop(Count) ->
    receive
        {bench_msg, _Seq, _Payload} -> sink_loop(Count + 1);
        {bench_count, From} -> From ! {bench_count, Count}, sink_loop(0);
        {bench_ping, From, T} -> From ! {bench_pong, T}, sink_loop(Count)
    end.

%% Sends N one-way messages to the sink on Node, then 10000 sequential round trips; prints one
%% JSON line: {"rawMsgsPerSec":..,"rttP50Us":..,"rttP99Us":..}.
-spec run(node(), pos_integer()) -> ok.
run(Node, N) ->
    Sink = wait_sink(Node, 100),
    T0 = erlang:monotonic_time(microsecond),
    send_n(Sink, N, <<"bench">>),
    Sink ! {bench_count, self()},
    Count = receive {bench_count, C} -> C after 60000 -> 0 end,
    T1 = erlang:monotonic_time(microsecond),
    Rtts = lists:sort([rtt(Sink) || _ <- lists:seq(1, 10000)]),
    io:format("{\"rawMsgs\":~b,\"rawReceived\":~b,\"rawSeconds\":~.6f,\"rawMsgsPerSec\":~b,\"rttP50Us\":~b,\"rttP99Us\":~b}~n",
              [N, Count, (T1 - T0) / 1.0e6, round(Count / ((T1 - T0) / 1.0e6)), pct(Rtts, 50), pct(Rtts, 99)]).

wait_sink(Node, 0) -> error({no_sink_on, Node});
wait_sink(Node, Tries) ->
    %% The sink node may still be starting: retry the connection too.
    case net_kernel:connect_node(Node) andalso rpc:call(Node, erlang, whereis, [bench_sink]) of
        Pid when is_pid(Pid) -> Pid;
        _ -> timer:sleep(100), wait_sink(Node, Tries - 1)
    end.

send_n(_Sink, 0, _P) -> ok;
send_n(Sink, N, P) -> Sink ! {bench_msg, N, P}, send_n(Sink, N - 1, P).

rtt(Sink) ->
    T = erlang:monotonic_time(microsecond),
    Sink ! {bench_ping, self(), T},
    receive {bench_pong, T} -> erlang:monotonic_time(microsecond) - T end.

pct(Sorted, P) -> lists:nth(max(1, min(length(Sorted), ceil(P / 100 * length(Sorted)))), Sorted).
