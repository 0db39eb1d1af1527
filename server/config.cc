#include "server/config.h"

#include <array>
#include <charconv>
#include <fstream>

namespace ddb {
namespace {

std::string Quote(std::string_view value) {
  return "'" + std::string(value) + "'";
}

// Strict decimal: digits only (no sign, blanks or suffix), within range.
bool ParseInt(std::string_view text, int64_t min, int64_t max, int64_t& out) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= min &&
         out <= max;
}

std::string RangeError(std::string_view option, std::string_view value,
                       int64_t min, int64_t max) {
  return "invalid value " + Quote(value) + " for --" + std::string(option) +
         ": expected an integer from " + std::to_string(min) + " to " +
         std::to_string(max);
}

std::string NonEmpty(std::string_view option, std::string_view value) {
  if (!value.empty()) return "";
  return "--" + std::string(option) + " needs a non-empty value";
}

constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 6>
    kLogLevels = {{{"trace", spdlog::level::trace},
                   {"debug", spdlog::level::debug},
                   {"info", spdlog::level::info},
                   {"warn", spdlog::level::warn},
                   {"error", spdlog::level::err},
                   {"off", spdlog::level::off}}};

std::string_view LogLevelName(spdlog::level::level_enum level) {
  for (auto& [name, value] : kLogLevels) {
    if (value == level) return name;
  }
  return "info";
}

constexpr int kMaxThreads = 1024;
constexpr int kMaxIdleTimeout = 24 * 3600;

std::string NamespaceConflict() {
  return "--shared-db and --per-access-key cannot be used together";
}

// A flag's value as given by a source; the command line always says "true".
bool FlagValue(std::string_view value) { return value == "true"; }

// "AKID:SECRET,AKID2:SECRET2".
std::string ParseCredentials(Config& c, std::string_view v) {
  c.credentials.clear();
  while (!v.empty()) {
    size_t comma = v.find(',');
    std::string_view pair = v.substr(0, comma);
    size_t colon = pair.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        colon + 1 == pair.size()) {
      // The value is a secret: never echo it.
      return "invalid value for --credentials: expected "
             "ACCESS_KEY_ID:SECRET_ACCESS_KEY pairs separated by commas";
    }
    c.credentials[std::string(pair.substr(0, colon))] =
        std::string(pair.substr(colon + 1));
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  if (c.credentials.empty()) return "--credentials needs a non-empty value";
  return "";
}

std::string JoinOrigins(const std::vector<std::string>& origins) {
  if (origins.empty()) return "off";
  std::string out;
  for (const auto& origin : origins) {
    if (!out.empty()) out += ",";
    out += origin;
  }
  return out;
}

// The table of every option: the parser, --help and (later) the other
// configuration sources all read it.
const OptionSpec kOptions[] = {
    {"port", "N", "TCP port to listen on; 0 picks a free port",
     [](Config& c, std::string_view v) -> std::string {
       int64_t n;
       if (!ParseInt(v, 0, 65535, n)) return RangeError("port", v, 0, 65535);
       c.port = static_cast<uint16_t>(n);
       return "";
     },
     [](const Config& c) { return std::to_string(c.port); }},
    {"host", "ADDR",
     "address to listen on; 0.0.0.0 for every interface (containers)",
     [](Config& c, std::string_view v) -> std::string {
       if (auto error = NonEmpty("host", v); !error.empty()) return error;
       c.host = v;
       return "";
     },
     [](const Config& c) { return c.host; }},
    {"data-dir", "DIR", "directory holding the database files",
     [](Config& c, std::string_view v) -> std::string {
       if (auto error = NonEmpty("data-dir", v); !error.empty()) return error;
       c.data_dir = v;
       return "";
     },
     [](const Config& c) { return c.data_dir; }},
    {"in-memory", "", "keep everything in memory; nothing is written to disk",
     [](Config& c, std::string_view v) -> std::string {
       c.in_memory = FlagValue(v);
       return "";
     },
     [](const Config& c) { return std::string(c.in_memory ? "on" : "off"); }},
    {"durability", "durable|fast",
     "durable: fsync every commit; fast: fsync about once a second (a "
     "killed process loses nothing; a machine crash may lose the last "
     "second of writes)",
     [](Config& c, std::string_view v) -> std::string {
       if (v == "durable") {
         c.durability = Durability::kDurable;
       } else if (v == "fast") {
         c.durability = Durability::kFast;
       } else {
         return "invalid value " + Quote(v) +
                " for --durability: expected durable or fast";
       }
       return "";
     },
     [](const Config& c) {
       return std::string(c.durability == Durability::kDurable ? "durable"
                                                               : "fast");
     }},
    {"log-level", "trace|debug|info|warn|error|off", "log verbosity (stderr)",
     [](Config& c, std::string_view v) -> std::string {
       for (auto& [name, level] : kLogLevels) {
         if (v == name) {
           c.log_level = level;
           return "";
         }
       }
       return "invalid value " + Quote(v) +
              " for --log-level: expected trace, debug, info, warn, error or "
              "off";
     },
     [](const Config& c) { return std::string(LogLevelName(c.log_level)); }},
    {"shared-db", "",
     "one set of tables for every region and access key (without this or "
     "--per-access-key: one set per region)",
     [](Config& c, std::string_view v) -> std::string {
       c.shared_db = FlagValue(v);
       return "";
     },
     [](const Config& c) { return std::string(c.shared_db ? "on" : "off"); }},
    {"per-access-key", "", "separate tables per access key id and region",
     [](Config& c, std::string_view v) -> std::string {
       c.per_access_key = FlagValue(v);
       return "";
     },
     [](const Config& c) {
       return std::string(c.per_access_key ? "on" : "off");
     }},
    {"default-region", "R", "region of requests that do not name one",
     [](Config& c, std::string_view v) -> std::string {
       if (auto error = NonEmpty("default-region", v); !error.empty()) {
         return error;
       }
       c.default_region = v;
       return "";
     },
     [](const Config& c) { return c.default_region; }},
    {"threads", "N", "I/O threads; 0: one per usable CPU",
     [](Config& c, std::string_view v) -> std::string {
       int64_t n;
       if (!ParseInt(v, 0, kMaxThreads, n)) {
         return RangeError("threads", v, 0, kMaxThreads);
       }
       c.threads = static_cast<int>(n);
       return "";
     },
     [](const Config& c) {
       return c.threads == 0 ? std::string("one per usable CPU")
                             : std::to_string(c.threads);
     }},
    {"idle-timeout", "SECONDS",
     "close keep-alive connections idle this long; 0 never",
     [](Config& c, std::string_view v) -> std::string {
       int64_t n;
       if (!ParseInt(v, 0, kMaxIdleTimeout, n)) {
         return RangeError("idle-timeout", v, 0, kMaxIdleTimeout);
       }
       c.idle_timeout_seconds = static_cast<int>(n);
       return "";
     },
     [](const Config& c) { return std::to_string(c.idle_timeout_seconds); }},
    {"cors", "ORIGINS|*|off",
     "CORS for browser apps: '*' allows any origin, or a comma-separated "
     "list of origins (https://a.example,http://localhost:3000); off "
     "disables it",
     [](Config& c, std::string_view v) -> std::string {
       if (auto error = NonEmpty("cors", v); !error.empty()) return error;
       const std::string_view whole = v;
       c.cors_origins.clear();
       if (v == "off") return "";
       while (!v.empty()) {
         size_t comma = v.find(',');
         std::string_view origin = v.substr(0, comma);
         while (!origin.empty() && origin.front() == ' ') {
           origin.remove_prefix(1);
         }
         while (!origin.empty() && origin.back() == ' ') {
           origin.remove_suffix(1);
         }
         if (origin.empty()) {
           return "invalid value " + Quote(whole) +
                  " for --cors: empty origin in the list";
         }
         c.cors_origins.emplace_back(origin);
         if (comma == std::string_view::npos) break;
         v.remove_prefix(comma + 1);
       }
       return "";
     },
     [](const Config& c) { return JoinOrigins(c.cors_origins); }},
    {"request-log", "",
     "log one line per request: request id, operation, table, status, "
     "latency",
     [](Config& c, std::string_view v) -> std::string {
       c.request_log = FlagValue(v);
       return "";
     },
     [](const Config& c) { return std::string(c.request_log ? "on" : "off"); }},
    {"delay-transient-statuses", "",
     "keep a new global secondary index CREATING, and a deleted one "
     "DELETING, for a few seconds, as DynamoDB Local's "
     "-delayTransientStatuses does",
     [](Config& c, std::string_view v) -> std::string {
       c.delay_transient_statuses = FlagValue(v);
       return "";
     },
     [](const Config& c) {
       return std::string(c.delay_transient_statuses ? "on" : "off");
     }},
    {"require-auth", "",
     "verify SigV4 signatures against --credentials; each access key then "
     "sees only its own tables",
     [](Config& c, std::string_view v) -> std::string {
       c.require_auth = FlagValue(v);
       return "";
     },
     [](const Config& c) {
       return std::string(c.require_auth ? "on" : "off");
     }},
    {"credentials", "KEY:SECRET[,...]",
     "access key id / secret pairs accepted by --require-auth (prefer "
     "DYNALOCAL_CREDENTIALS or the config file: a command line is visible "
     "to other users)",
     [](Config& c, std::string_view v) -> std::string {
       return ParseCredentials(c, v);
     },
     [](const Config&) { return std::string("none"); }},
    {"max-db-size", "MiB",
     "largest size the database may grow to; writes beyond it fail with an "
     "error and change nothing",
     [](Config& c, std::string_view v) -> std::string {
       int64_t n;
       constexpr int64_t kMax = int64_t{1} << 30;  // 1 PiB in MiB
       if (!ParseInt(v, 1, kMax, n)) {
         return RangeError("max-db-size", v, 1, kMax);
       }
       c.max_db_size_mib = static_cast<uint64_t>(n);
       return "";
     },
     [](const Config& c) { return std::to_string(c.max_db_size_mib); }},
    {"config", "FILE",
     "read options from FILE (lines of name = value; see "
     "conf/dynalocal.conf); the environment and the command line override it",
     // Read before every other source by LoadConfig.
     [](Config&, std::string_view v) -> std::string {
       return NonEmpty("config", v);
     },
     [](const Config&) { return std::string("none"); }},
    {"health-check", "",
     "exit 0 if the server configured by the same options (or the one "
     "running as PID 1 in a container) answers, 1 if not",
     [](Config&, std::string_view) { return std::string(); }, nullptr,
     ConfigAction::kHealthCheck},
    {"version", "", "print the version and exit",
     [](Config&, std::string_view) { return std::string(); }, nullptr,
     ConfigAction::kVersion},
    {"help", "", "print this help and exit",
     [](Config&, std::string_view) { return std::string(); }, nullptr,
     ConfigAction::kHelp},
};

const OptionSpec* FindOption(std::string_view name) {
  for (const auto& option : kOptions) {
    if (option.name == name) return &option;
  }
  return nullptr;
}

// DynamoDB Local's flags (single dash, camelCase) and the options they
// mean here. An empty `option` is accepted and has no effect.
struct LocalFlag {
  std::string_view flag;
  std::string_view option;
  bool takes_value;
};

constexpr LocalFlag kLocalFlags[] = {
    {"port", "port", true},
    {"inMemory", "in-memory", false},
    {"dbPath", "data-dir", true},
    {"sharedDb", "shared-db", false},
    {"cors", "cors", true},
    {"delayTransientStatuses", "delay-transient-statuses", false},
    // LMDB needs no compaction before start-up, and nothing is sent anywhere.
    {"optimizeDbBeforeStartup", "", false},
    {"disableTelemetry", "", false},
    {"help", "help", false},
    {"h", "help", false},
};

// One option given by a source, in the order given.
struct Setting {
  const OptionSpec* option;  // nullptr: a DynamoDB Local flag with no effect
  std::string value;
};

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A flag's value in the environment or a config file.
bool ParseBool(std::string_view text, std::string& out) {
  std::string lower = ToLower(text);
  if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") {
    out = "true";
    return true;
  }
  if (lower == "false" || lower == "no" || lower == "off" || lower == "0") {
    out = "false";
    return true;
  }
  return false;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' ||
                           text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// Options that only the command line may give.
bool CommandLineOnly(const OptionSpec& option) {
  return option.action != ConfigAction::kRun || option.name == "config";
}

// Applies a value from the environment or a file, where flags carry a
// boolean. `where` prefixes errors ("DYNALOCAL_PORT", "app.conf:3").
std::string ApplyNamedValue(Config& config, const OptionSpec& option,
                            std::string_view value, const std::string& where) {
  std::string flag;
  if (option.value_name.empty()) {
    if (!ParseBool(value, flag)) {
      return where + ": invalid value " + Quote(value) +
             " for a flag: expected true or false";
    }
    value = flag;
  }
  if (std::string error = option.apply(config, value); !error.empty()) {
    return where + ": " + error;
  }
  return "";
}

std::string ApplyConfigFile(Config& config, const std::string& path,
                            const std::string& contents) {
  size_t line_number = 0;
  std::string_view rest = contents;
  while (!rest.empty()) {
    ++line_number;
    size_t newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    rest.remove_prefix(newline == std::string_view::npos ? rest.size()
                                                         : newline + 1);
    line = Trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    std::string where = path + ":" + std::to_string(line_number);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return where + ": expected 'name = value'";
    }
    std::string_view name = Trim(line.substr(0, eq));
    std::string_view value = Trim(line.substr(eq + 1));
    const OptionSpec* option = FindOption(name);
    if (option == nullptr || CommandLineOnly(*option)) {
      return where + ": unknown option " + Quote(name);
    }
    if (auto error = ApplyNamedValue(config, *option, value, where);
        !error.empty()) {
      return error;
    }
  }
  return "";
}

std::string ApplyEnvironment(
    Config& config, const std::map<std::string, std::string>& environment,
    std::vector<std::string>& warnings) {
  constexpr std::string_view kPrefix = "DYNALOCAL_";
  for (const auto& [name, value] : environment) {
    if (!std::string_view(name).starts_with(kPrefix)) continue;
    if (name == "DYNALOCAL_CONFIG") continue;  // read by LoadConfig
    // Kubernetes gives every pod DYNALOCAL_PORT=tcp://IP:PORT (and
    // DYNALOCAL_SERVICE_HOST, ...) when a Service is named dynalocal; that
    // is a link to the Service, not a setting of ours.
    if (name == "DYNALOCAL_PORT" &&
        (value.starts_with("tcp://") || value.starts_with("udp://"))) {
      warnings.push_back("ignoring DYNALOCAL_PORT=" + value +
                         " (a Kubernetes service link, not a port number)");
      continue;
    }
    const OptionSpec* match = nullptr;
    for (const auto& option : kOptions) {
      if (!CommandLineOnly(option) && EnvironmentName(option.name) == name) {
        match = &option;
      }
    }
    // A mistyped variable would otherwise be ignored without a word.
    if (match == nullptr) {
      warnings.push_back("ignoring unknown environment variable " + name +
                         " (not a dynalocal option)");
      continue;
    }
    if (auto error = ApplyNamedValue(config, *match, value, name);
        !error.empty()) {
      return error;
    }
  }
  return "";
}

// Turns the raw settings into derived ones and checks combinations.
std::string Finish(Config& config) {
  if (config.shared_db && config.per_access_key) return NamespaceConflict();
  if (config.shared_db) {
    config.namespace_mode = NamespaceMode::kShared;
  } else if (config.per_access_key || config.dynamodb_local_flags) {
    config.namespace_mode = NamespaceMode::kPerAccessKey;
  } else {
    config.namespace_mode = NamespaceMode::kPerRegion;
  }
  if (config.require_auth && config.credentials.empty()) {
    return "--require-auth needs --credentials (or DYNALOCAL_CREDENTIALS)";
  }
  return "";
}

}  // namespace

std::span<const OptionSpec> ConfigOptions() { return kOptions; }

std::string EnvironmentName(std::string_view option) {
  std::string name = "DYNALOCAL_";
  for (char c : option) {
    name.push_back(c == '-'                 ? '_'
                   : (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A')
                                            : c);
  }
  return name;
}

ParsedCommandLine LoadConfig(
    const std::vector<std::string>& args,
    const std::map<std::string, std::string>& environment,
    ReadFileFn read_file) {
  ParsedCommandLine result;
  auto fail = [&result](std::string message) {
    result.action = ConfigAction::kError;
    result.error = std::move(message);
    return result;
  };

  // 1. The command line, checked first but applied last.
  std::vector<Setting> settings;
  bool local_flags = false;
  ConfigAction action = ConfigAction::kRun;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h") arg = "--help";
    if (arg.starts_with("-") && !arg.starts_with("--") && arg.size() > 1) {
      // DynamoDB Local's command line is `java [jvm options] -jar
      // DynamoDBLocal.jar [flags]`; compose files override it whole, so the
      // java part reaches us too and is skipped.
      std::string_view flag = arg.substr(1);
      if (flag == "jar" || flag == "cp" || flag == "classpath") {
        ++i;
        continue;
      }
      if (flag.starts_with("D") || flag.starts_with("X")) continue;
      const LocalFlag* local = nullptr;
      for (const auto& candidate : kLocalFlags) {
        if (candidate.flag == flag) local = &candidate;
      }
      if (local == nullptr) return fail("unknown option " + Quote(arg));
      local_flags = true;
      std::string value = "true";
      if (local->takes_value) {
        if (i + 1 >= args.size()) {
          return fail("option " + std::string(arg) + " needs a value");
        }
        value = args[++i];
      }
      if (local->option.empty()) continue;
      const OptionSpec* option = FindOption(local->option);
      if (option->action == ConfigAction::kHelp) {
        result.action = ConfigAction::kHelp;
        return result;
      }
      settings.push_back({option, std::move(value)});
      continue;
    }
    if (!arg.starts_with("--") || arg == "--") {
      return fail("unexpected argument " + Quote(arg));
    }
    std::string_view name = arg.substr(2);
    std::string_view value;
    bool has_inline_value = false;
    if (size_t eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_inline_value = true;
    }
    const OptionSpec* option = FindOption(name);
    if (option == nullptr) {
      return fail("unknown option " + Quote("--" + std::string(name)));
    }
    if (option->value_name.empty()) {
      if (has_inline_value) {
        return fail("option --" + std::string(name) + " takes no value");
      }
      value = "true";
    } else if (!has_inline_value) {
      if (i + 1 >= args.size()) {
        return fail("option --" + std::string(name) + " needs a value (" +
                    std::string(option->value_name) + ")");
      }
      value = args[++i];
    }
    // --help and --version win over everything after them, as in most
    // tools; errors before them still count.
    if (option->action == ConfigAction::kHelp ||
        option->action == ConfigAction::kVersion) {
      result.action = option->action;
      return result;
    }
    if (option->action == ConfigAction::kHealthCheck) {
      action = ConfigAction::kHealthCheck;
      continue;
    }
    settings.push_back({option, std::string(value)});
  }

  // 2. The config file, named by the command line or the environment.
  std::string config_path;
  if (auto it = environment.find("DYNALOCAL_CONFIG"); it != environment.end()) {
    config_path = it->second;
  }
  for (const auto& setting : settings) {
    if (setting.option->name == "config") config_path = setting.value;
  }
  Config& config = result.config;
  if (!config_path.empty()) {
    std::string contents;
    if (read_file == nullptr || !read_file(config_path, contents)) {
      return fail("cannot read config file " + Quote(config_path));
    }
    if (auto error = ApplyConfigFile(config, config_path, contents);
        !error.empty()) {
      return fail(std::move(error));
    }
  }

  // 3. The environment, then 4. the command line.
  if (auto error = ApplyEnvironment(config, environment, result.warnings);
      !error.empty()) {
    return fail(std::move(error));
  }
  for (const auto& setting : settings) {
    if (auto error = setting.option->apply(config, setting.value);
        !error.empty()) {
      return fail(std::move(error));
    }
  }
  config.dynamodb_local_flags = config.dynamodb_local_flags || local_flags;
  if (auto error = Finish(config); !error.empty()) {
    return fail(std::move(error));
  }
  result.action = action;
  return result;
}

ParsedCommandLine ParseCommandLine(const std::vector<std::string>& args) {
  return LoadConfig(args, {}, &ReadWholeFile);
}

ParsedCommandLine ParseCommandLine(int argc, const char* const argv[]) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return ParseCommandLine(args);
}

bool ReadWholeFile(const std::string& path, std::string& contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  // Config files are small; a limit keeps a mistaken path (a device, a huge
  // file) from eating memory.
  constexpr size_t kMaxConfigFile = 1 << 20;
  contents.clear();
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    contents.append(buffer, static_cast<size_t>(in.gcount()));
    if (contents.size() > kMaxConfigFile) return false;
  }
  return !in.bad();
}

std::string HelpText() {
  const Config defaults;
  std::string text =
      "Usage: dynalocal [options]\n"
      "\n"
      "A DynamoDB-compatible server for development and tests.\n"
      "Options take a value as --opt VALUE or --opt=VALUE. Each can also be\n"
      "set in the environment (shown as env:) or in a config file (--config\n"
      "FILE or DYNALOCAL_CONFIG; lines of 'name = value', flags as true or\n"
      "false). The command line wins over the environment, which wins over\n"
      "the file, which wins over the defaults.\n"
      "\n"
      "Options:\n";
  constexpr size_t kColumn = 30;
  const std::string indent(kColumn, ' ');
  for (const auto& option : kOptions) {
    std::string left = "  --" + std::string(option.name);
    if (!option.value_name.empty()) {
      left += " " + std::string(option.value_name);
    }
    text += left;
    if (left.size() + 2 > kColumn) {
      text += "\n" + indent;
    } else {
      text += std::string(kColumn - left.size(), ' ');
    }
    text += option.help;
    if (option.show_default != nullptr) {
      text += " (default: " + option.show_default(defaults) + ")";
    }
    text += "\n";
    if (!CommandLineOnly(option)) {
      text += indent + "env: " + EnvironmentName(option.name) + "\n";
    }
  }
  text +=
      "\n"
      "DynamoDB Local's flags are accepted with the same meanings, so its\n"
      "Docker and Testcontainers command lines work unchanged:\n";
  for (const auto& local : kLocalFlags) {
    if (local.flag == "h") continue;
    std::string left = "  -" + std::string(local.flag);
    if (local.takes_value) left += " VALUE";
    text += left +
            std::string(left.size() < kColumn ? kColumn - left.size() : 1, ' ');
    text += local.option.empty() ? std::string("accepted; has no effect")
                                 : "--" + std::string(local.option);
    text += "\n";
  }
  text +=
      "  -jar FILE, -D..., -X...     the java part of DynamoDB Local's "
      "command\n" +
      indent + "line; skipped\n" +
      "With any of these flags, tables are kept per access key and region\n"
      "(DynamoDB Local's default) unless -sharedDb is given.\n";
  return text;
}

std::string VersionText() {
  return "dynalocal " + std::string(kDynalocalVersion) + "\n";
}

StorageOptions MakeStorageOptions(const Config& config) {
  StorageOptions options;
  options.data_dir = config.data_dir;
  options.in_memory = config.in_memory;
  options.durability = config.durability;
  options.map_size = config.max_db_size_mib << 20;
  return options;
}

RouterOptions MakeRouterOptions(const Config& config) {
  RouterOptions options;
  options.namespace_mode = config.namespace_mode;
  options.default_region = config.default_region;
  options.auth.required = config.require_auth;
  options.auth.secrets = config.credentials;
  options.delay_transient_statuses = config.delay_transient_statuses;
  return options;
}

HttpServerOptions MakeHttpServerOptions(const Config& config) {
  HttpServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.threads = config.threads;
  options.idle_timeout = std::chrono::seconds(config.idle_timeout_seconds);
  options.capture_headers = config.require_auth;
  options.cors_origins = config.cors_origins;
  options.request_log = config.request_log;
  return options;
}

}  // namespace ddb
