%% The replica's epmd module (`erl -epmd_module swarmscope_epmd`): everything is erl_epmd's,
%% except the look-up of a peer's address, which first consults the fault table that
%% swarmscope_fault owns. A blocked (partitioned) peer gets an error, so no connection to it
%% can be set up; with delay or loss on this node every peer is reached through a local
%% shaping proxy; a peer with a route (another node's delay proxy) is reached at the route.
%% See "Faults" in erlang/PROTOCOL.md.
-module(swarmscope_epmd).

%% API (erl_epmd's, as net_kernel and inet_tcp_dist call it).
-export([start/0]).
-export([start_link/0]).
-export([stop/0]).
-export([register_node/2]).
-export([register_node/3]).
-export([names/0]).
-export([names/1]).
-export([listen_port_please/2]).
-export([port_please/2]).
-export([port_please/3]).
-export([address_please/3]).

%% API (Swarmscope).
-export([listen_port/0]).
-export([node_key/2]).
-export([active/0]).

%% The distribution protocol version epmd reports for OTP 23 and later.
-define(DIST_VERSION, 6).
-define(TABLE, swarmscope_fault).

%% API (erl_epmd's).

-spec start() -> {ok, pid()} | ignore | {error, term()}.
start() ->
	erl_epmd:start().

-spec start_link() -> {ok, pid()} | ignore | {error, term()}.
start_link() ->
	erl_epmd:start_link().

-spec stop() -> ok.
stop() ->
	erl_epmd:stop().

-spec register_node(string(), inet:port_number()) -> {ok, integer()} | {error, term()}.
register_node(Name, Port) ->
	register_node(Name, Port, inet).

%% Remembers the port this node's distribution listens on: a delay proxy forwards to it.
-spec register_node(string(), inet:port_number(), atom()) -> {ok, integer()} | {error, term()}.
register_node(Name, Port, Family) ->
	persistent_term:put({?MODULE, listen_port}, Port),
	erl_epmd:register_node(Name, Port, Family).

-spec names() -> {ok, [{string(), inet:port_number()}]} | {error, term()}.
names() ->
	erl_epmd:names().

-spec names(atom() | string() | inet:ip_address()) -> {ok, [{string(), inet:port_number()}]} | {error, term()}.
names(Host) ->
	erl_epmd:names(Host).

-spec listen_port_please(string(), string()) -> {ok, inet:port_number()}.
listen_port_please(Name, Host) ->
	erl_epmd:listen_port_please(Name, Host).

-spec port_please(atom() | string(), term()) -> {port, inet:port_number(), pos_integer()} | noport | closed | {error, term()}.
port_please(Name, Host) ->
	port_please(Name, Host, infinity).

-spec port_please(atom() | string(), term(), timeout()) ->
	{port, inet:port_number(), pos_integer()} | noport | closed | {error, term()}.
port_please(Name, Host, Timeout) ->
	case fault(Name, Host) of
		direct -> erl_epmd:port_please(Name, Host, Timeout);
		{error, _} -> noport;
		{ok, _Ip, Port, Version} -> {port, Port, Version}
	end.

%% What inet_tcp_dist asks first when it sets up a connection to Name@Host.
-spec address_please(string(), string() | inet:ip_address(), inet | inet6) ->
	{ok, inet:ip_address()} | {ok, inet:ip_address(), inet:port_number(), pos_integer()} | {error, term()}.
address_please(Name, Host, Family) ->
	case fault(Name, Host) of
		direct -> erl_epmd:address_please(Name, Host, Family);
		Answer -> Answer
	end.

%% API (Swarmscope).

%% The port this node's distribution listens on (undefined before distribution started).
-spec listen_port() -> inet:port_number() | undefined.
listen_port() ->
	persistent_term:get({?MODULE, listen_port}, undefined).

%% The fault table's key for node Name@Host: the node name as a binary, made without atoms.
-spec node_key(atom() | string(), string() | inet:ip_address()) -> binary().
node_key(Name, Host) ->
	iolist_to_binary([to_chars(Name), $@, host_chars(Host)]).

%% True when this node runs with this module as its epmd module (faults need it).
-spec active() -> boolean().
active() ->
	net_kernel:epmd_module() =:= ?MODULE.

%% Internal.

fault(Name, Host) ->
	try
		fault(ets:whereis(?TABLE), Name, Host)
	catch
		%% The table went away with a crashed or stopped swarmscope_fault: no faults.
		error:badarg -> direct
	end.

fault(undefined, _Name, _Host) ->
	direct;
fault(Table, Name, Host) ->
	Key = node_key(Name, Host),
	case {ets:member(Table, {blocked, Key}), ets:member(Table, shaping), ets:lookup(Table, {route, Key})} of
		{true, _, _} -> {error, partitioned};
		{false, true, _} -> via_shaping_proxy(Name, Host);
		{false, false, [{_, {Ip, Port}}]} -> {ok, Ip, Port, ?DIST_VERSION};
		{false, false, []} -> direct
	end.

via_shaping_proxy(Name, Host) ->
	case swarmscope_fault:out_proxy(to_chars(Name), host_chars(Host)) of
		{ok, Ip, Port} -> {ok, Ip, Port, ?DIST_VERSION};
		{error, _} = Error -> Error
	end.

to_chars(Name) when is_atom(Name) -> atom_to_list(Name);
to_chars(Name) -> Name.

host_chars(Host) when is_tuple(Host) -> inet:ntoa(Host);
host_chars(Host) when is_atom(Host) -> atom_to_list(Host);
host_chars(Host) -> Host.
