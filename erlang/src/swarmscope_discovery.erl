%% Which nodes are replicas of this deployment (erlang/PROTOCOL.md, "Discovery"). The only
%% place the bridge makes atoms: for names that epmd or DNS give and that match the deployment.
-module(swarmscope_discovery).

%% API.
-export([candidates/1]).
-export([is_replica_name/2]).

%% epmd mode: the names registered on Host that are exactly n<1-4 digits>-<deployment>, as
%% Name@Host. dns mode: <name>@<ip> for every address of the query.
-spec candidates({epmd | dns, string(), binary()}) -> [node()].
candidates({epmd, Host, Deployment}) ->
	Address = case inet:parse_address(Host) of
		{ok, IP} -> IP;
		{error, _} -> Host
	end,
	case erl_epmd:names(Address) of
		{ok, Names} ->
			[list_to_atom(Name ++ "@" ++ Host) || {Name, _Port} <- Names,
				is_replica_name(list_to_binary(Name), Deployment)];
		{error, _} ->
			[]
	end;
candidates({dns, Query, Name}) ->
	case inet:getaddrs(Query, inet) of
		{ok, IPs} -> [list_to_atom(binary_to_list(Name) ++ "@" ++ inet:ntoa(IP)) || IP <- IPs];
		{error, _} -> []
	end.

%% Exactly n<1-4 digits>-<deployment>.
-spec is_replica_name(binary(), binary()) -> boolean().
is_replica_name(<<$n, Rest/binary>>, Deployment) ->
	Size = byte_size(Rest) - byte_size(Deployment) - 1,
	case Rest of
		<<Digits:Size/binary, $-, Deployment/binary>> when Size >= 1, Size =< 4 ->
			lists:all(fun(C) -> C >= $0 andalso C =< $9 end, binary_to_list(Digits));
		_ ->
			false
	end;
is_replica_name(_, _) ->
	false.
