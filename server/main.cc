// dynalocal's entry point: configuration, logging, storage, router and the
// HTTP server, started in that order so that the port only accepts
// connections once requests can be served ("ready means ready"), and
// stopped in reverse on SIGINT or SIGTERM.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/config.h"
#include "server/health_check.h"
#include "server/http_server.h"
#include "server/ops/ops.h"
#include "server/router.h"
#include "storage/storage.h"

namespace {

constexpr int kExitUsage = 2;  // as getopt-style tools do for bad usage

std::string UrlHost(const std::string& host) {
  // An IPv6 literal needs brackets in a URL.
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

void SetUpLogging(spdlog::level::level_enum level) {
  // Logs go to stderr: stdout carries only the "listening" line, which
  // scripts and tests wait for.
  auto logger = spdlog::stderr_color_mt("dynalocal");
  logger->set_level(level);
  spdlog::set_default_logger(std::move(logger));
}

std::map<std::string, std::string> DynalocalEnvironment() {
  std::map<std::string, std::string> out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text = *entry;
    if (!text.starts_with("DYNALOCAL_")) continue;
    size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(text.substr(0, eq), text.substr(eq + 1));
  }
  return out;
}

// Each connection is a file descriptor, and the usual soft limit (1024) is
// far below what a parallel test suite can open; the hard limit is ours to
// take.
void RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur >= limit.rlim_max) return;
  rlim_t wanted = limit.rlim_max;
  limit.rlim_cur = wanted;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    spdlog::debug("cannot raise the open file limit to {}", wanted);
  }
}

int HealthCheck(const ddb::Config& own) {
  ddb::Config config = own;
  // Inside a container, the server is PID 1 and its command line (a compose
  // `command:` with -port, say) is what counts.
  if (auto args = ddb::ServerArgumentsOfPid1(); args.has_value()) {
    ddb::ParsedCommandLine server =
        ddb::LoadConfig(*args, DynalocalEnvironment(), &ddb::ReadWholeFile);
    if (server.action == ddb::ConfigAction::kRun) config = server.config;
  }
  bool healthy = ddb::ProbeHealth(config.host, config.port,
                                  std::chrono::milliseconds(3000));
  std::cout << (healthy ? "healthy" : "unhealthy") << "\n";
  return healthy ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  ddb::ParsedCommandLine parsed =
      ddb::LoadConfig(args, DynalocalEnvironment(), &ddb::ReadWholeFile);
  switch (parsed.action) {
    case ddb::ConfigAction::kHelp:
      std::cout << ddb::HelpText();
      return 0;
    case ddb::ConfigAction::kVersion:
      std::cout << ddb::VersionText();
      return 0;
    case ddb::ConfigAction::kHealthCheck:
      return HealthCheck(parsed.config);
    case ddb::ConfigAction::kError:
      std::cerr << "dynalocal: " << parsed.error
                << "\nTry 'dynalocal --help' for the list of options.\n";
      return kExitUsage;
    case ddb::ConfigAction::kRun:
      break;
  }
  const ddb::Config& config = parsed.config;
  SetUpLogging(config.log_level);
  for (const auto& warning : parsed.warnings) spdlog::warn("{}", warning);
  // A client that disconnects must not kill us; Asio already sends with
  // MSG_NOSIGNAL, this covers everything else (a closed stdout included).
  std::signal(SIGPIPE, SIG_IGN);
  RaiseFileLimit();

  // Installed before anything slow, so a signal during start-up is not lost
  // to the default action half-way through opening the database.
  boost::asio::io_context signal_context;
  boost::asio::signal_set signals(signal_context, SIGINT, SIGTERM);

  spdlog::info(
      "dynalocal {} starting: {}:{}, {}, durability {}, tables {}{}{}",
      ddb::kDynalocalVersion, config.host, config.port,
      config.in_memory ? std::string("in memory")
                       : "data dir " + config.data_dir,
      config.durability == ddb::Durability::kDurable ? "durable" : "fast",
      config.namespace_mode == ddb::NamespaceMode::kShared ? "shared"
      : config.namespace_mode == ddb::NamespaceMode::kPerAccessKey
          ? "per access key and region"
          : "per region",
      config.require_auth ? ", SigV4 required" : "",
      config.request_log ? ", request log on" : "");

  std::unique_ptr<ddb::Storage> storage;
  try {
    storage = ddb::Storage::Open(ddb::MakeStorageOptions(config));
  } catch (const std::exception& e) {
    std::cerr << "dynalocal: cannot open storage: " << e.what() << "\n";
    return 1;
  }

  // An index left CREATING by a process that stopped mid-backfill would
  // never become readable otherwise.
  try {
    ddb::ops::ResumeIndexBackfills(*storage);
  } catch (const std::exception& e) {
    spdlog::error("cannot resume index backfills: {}", e.what());
  }

  int exit_code = 0;
  {
    ddb::Router router(*storage, ddb::MakeRouterOptions(config));
    ddb::HttpServer server(ddb::MakeHttpServerOptions(config), router);
    try {
      server.Start();
    } catch (const std::exception& e) {
      std::cerr << "dynalocal: " << e.what() << "\n";
      exit_code = 1;
    }
    if (exit_code == 0) {
      std::printf("dynalocal listening on http://%s:%u\n",
                  UrlHost(config.host).c_str(), unsigned{server.port()});
      std::fflush(stdout);
      auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - start);
      spdlog::info("listening on {}:{}, ready in {:.1f} ms", config.host,
                   server.port(), micros.count() / 1000.0);

      signals.async_wait(
          [&signals](const boost::system::error_code& ec, int signal_number) {
            if (ec) return;
            spdlog::info("received signal {}, stopping", signal_number);
            // Gives back the default action, so that a second Ctrl-C ends a
            // shutdown that hangs.
            boost::system::error_code ignored;
            signals.clear(ignored);
          });
      signal_context.run();
      server.Stop();
    }
    // Drains the writer before the server and router are destroyed: a write
    // finishing now still delivers its result to a live server.
    storage->Shutdown();
  }
  storage.reset();
  if (exit_code == 0) spdlog::info("stopped");
  return exit_code;
}
