// `dynalocal --health-check`: the Docker HEALTHCHECK. It needs no curl or
// shell in the image: the binary itself asks the server for GET /.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ddb {

// True when http://host:port/ answers 200 within `timeout`. A wildcard host
// (0.0.0.0, ::, empty) is reached through the loopback address.
bool ProbeHealth(const std::string& host, uint16_t port,
                 std::chrono::milliseconds timeout);

// In a container the server is PID 1, possibly started with other options
// than the health check (a compose `command:`). Returns PID 1's arguments
// (without its program name) when PID 1 is a dynalocal, else nullopt.
std::optional<std::vector<std::string>> ServerArgumentsOfPid1();

}  // namespace ddb
