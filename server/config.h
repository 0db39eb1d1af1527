// Config: the server's settings and where they come from. Every option is
// described once, in the table behind ConfigOptions(), and that one table is
// applied to each source in turn: defaults, then a config file (--config or
// DYNALOCAL_CONFIG), then environment variables (DYNALOCAL_<NAME>), then the
// command line, so that a later source overrides an earlier one. The command
// line also takes DynamoDB Local's flags (-port, -inMemory, -dbPath, ...), so
// that its Docker and Testcontainers set-ups work unchanged.
#pragma once

#include <spdlog/common.h>

#include <cstdint>
#include <map>
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
  // Origins allowed by CORS: {"*"} (any, as DynamoDB and DynamoDB Local),
  // a list, or empty (CORS off).
  std::vector<std::string> cors_origins = {"*"};
  bool request_log = false;
  // DynamoDB Local's -delayTransientStatuses: a new GSI stays CREATING for a
  // while even when its backfill is instant.
  bool delay_transient_statuses = false;
  bool require_auth = false;
  std::map<std::string, std::string> credentials;  // access key -> secret
  uint64_t max_db_size_mib = 64 * 1024;

  // Raw namespace flags; Finish() turns them into namespace_mode.
  bool shared_db = false;
  bool per_access_key = false;
  // Set when a DynamoDB Local flag was given: then, as in DynamoDB Local,
  // tables are per access key and region unless -sharedDb is given.
  bool dynamodb_local_flags = false;
};

// What the command line asks for.
enum class ConfigAction { kRun, kHelp, kVersion, kHealthCheck, kError };

struct ParsedCommandLine {
  ConfigAction action = ConfigAction::kRun;
  Config config;
  std::string error;  // for kError: names the option and the problem
  // Problems that do not stop the server, such as an unknown DYNALOCAL_*
  // environment variable (scripts use that prefix for their own settings
  // too, so it is reported rather than refused).
  std::vector<std::string> warnings;
};

// One option. `apply` checks and stores a value and returns an error message,
// or "" on success. A flag's value is "true" or "false" (the command line
// gives "true"; the environment and the config file may give either, as
// true/false, yes/no, on/off or 1/0).
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

// The environment variable that sets `option`: DYNALOCAL_ + its name in
// upper case with '-' as '_' (--data-dir: DYNALOCAL_DATA_DIR).
std::string EnvironmentName(std::string_view option);

// Every source: `args` (the command line without the program name),
// `environment` (only DYNALOCAL_* entries matter) and the config file they
// name (--config FILE or DYNALOCAL_CONFIG), read with `read_file`, which
// returns false when the file cannot be read.
using ReadFileFn = bool (*)(const std::string& path, std::string& contents);
ParsedCommandLine LoadConfig(
    const std::vector<std::string>& args,
    const std::map<std::string, std::string>& environment,
    ReadFileFn read_file);

// The command line alone (no environment, no file): for tests. Accepts
// "--opt value" and "--opt=value"; a later occurrence of an option overrides
// an earlier one.
ParsedCommandLine ParseCommandLine(const std::vector<std::string>& args);
ParsedCommandLine ParseCommandLine(int argc, const char* const argv[]);

// Reads a whole file; false when it cannot.
bool ReadWholeFile(const std::string& path, std::string& contents);

std::string HelpText();
std::string VersionText();

StorageOptions MakeStorageOptions(const Config& config);
RouterOptions MakeRouterOptions(const Config& config);
HttpServerOptions MakeHttpServerOptions(const Config& config);

}  // namespace ddb
