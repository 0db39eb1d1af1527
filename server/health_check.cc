#include "server/health_check.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <fstream>
#include <iterator>

namespace ddb {

bool ProbeHealth(const std::string& host, uint16_t port,
                 std::chrono::milliseconds timeout) {
  namespace asio = boost::asio;
  using tcp = asio::ip::tcp;
  std::string target = host;
  if (target.empty() || target == "0.0.0.0") target = "127.0.0.1";
  if (target == "::" || target == "[::]") target = "::1";
  asio::io_context ioc;
  tcp::socket socket(ioc);
  tcp::resolver resolver(ioc);
  bool ok = false;
  std::string response;
  const std::string request =
      "GET / HTTP/1.1\r\nHost: " + target + "\r\nConnection: close\r\n\r\n";
  resolver.async_resolve(
      target, std::to_string(port),
      [&](boost::system::error_code ec, tcp::resolver::results_type results) {
        if (ec) return;
        asio::async_connect(
            socket, results, [&](boost::system::error_code ec, auto) {
              if (ec) return;
              asio::async_write(
                  socket, asio::buffer(request),
                  [&](boost::system::error_code ec, size_t) {
                    if (ec) return;
                    // The status line is all we need; the server closes.
                    response.resize(64);
                    asio::async_read(
                        socket, asio::buffer(response),
                        [&](boost::system::error_code, size_t n) {
                          response.resize(n);
                          ok = response.starts_with("HTTP/1.1 200 ") ||
                               response.starts_with("HTTP/1.0 200 ");
                        });
                  });
            });
      });
  ioc.run_for(timeout);
  return ok;
}

std::optional<std::vector<std::string>> ServerArgumentsOfPid1() {
  std::ifstream in("/proc/1/cmdline", std::ios::binary);
  if (!in) return std::nullopt;
  std::string raw((std::istreambuf_iterator<char>(in)),
                  std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  size_t start = 0;
  while (start < raw.size()) {
    size_t end = raw.find('\0', start);
    if (end == std::string::npos) end = raw.size();
    args.push_back(raw.substr(start, end - start));
    start = end + 1;
  }
  if (args.empty()) return std::nullopt;
  std::string program = args.front();
  program = program.substr(program.rfind('/') + 1);
  if (program != "dynalocal") return std::nullopt;
  args.erase(args.begin());
  return args;
}

}  // namespace ddb
