// Config: the server's settings and where they come from. Today that is the
// command line; every option is described once, in the table behind
// ConfigOptions(), so that environment variables (DYNALOCAL_<NAME>) and a
// config file can later be layered as CLI > env > file > defaults by
// applying the same table to each source in turn.
#pragma once

#include <spdlog/common.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_server.h"
#include "server/router.h"
#include "storage/storage.h"

namespace ddb {

// The version comes from CMake's project() so there is one place to bump it.
inline constexpr std::string_view kDynalocalVersion = DYNALOCAL_VERSION;

// The one place the default durability is chosen.
inline constexpr Durability kDefaultDurability = Durability::kFast;

struct Config {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;  // 0: any free port
  std::string data_dir = "./data";
  bool in_memory = false;
  Durability durability = kDefaultDurability;
  spdlog::level::level_enum log_level = spdlog::level::info;
  NamespaceMode namespace_mode = NamespaceMode::kPerRegion;
  std::string default_region = "us-east-1";
  int threads = 0;                // 0: max(2, hardware threads)
  int idle_timeout_seconds = 60;  // 0: never
};

// What the command line asks for.
enum class ConfigAction { kRun, kHelp, kVersion, kError };

struct ParsedCommandLine {
  ConfigAction action = ConfigAction::kRun;
  Config config;
  std::string error;  // for kError: names the option and the problem
};

// One command-line option. `apply` checks and stores a value (the empty
// string for a flag) and returns an error message, or "" on success.
struct OptionSpec {
  std::string_view name;        // without the leading "--"
  std::string_view value_name;  // e.g. "N"; empty for a flag
  std::string_view help;
  std::string (*apply)(Config& config, std::string_view value);
  // The value shown as the default in --help, read from a default Config.
  std::string (*show_default)(const Config& config);
  // Options such as --help end parsing with this action instead of kRun.
  ConfigAction action = ConfigAction::kRun;
};

std::span<const OptionSpec> ConfigOptions();

// `args` excludes the program name. Accepts "--opt value" and "--opt=value";
// a later occurrence of an option overrides an earlier one.
ParsedCommandLine ParseCommandLine(const std::vector<std::string>& args);
ParsedCommandLine ParseCommandLine(int argc, const char* const argv[]);

std::string HelpText();
std::string VersionText();

StorageOptions MakeStorageOptions(const Config& config);
RouterOptions MakeRouterOptions(const Config& config);
HttpServerOptions MakeHttpServerOptions(const Config& config);

}  // namespace ddb
