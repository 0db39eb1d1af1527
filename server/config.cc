#include "server/config.h"

#include <array>
#include <charconv>

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
     [](Config& c, std::string_view) -> std::string {
       c.in_memory = true;
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
     [](Config& c, std::string_view) -> std::string {
       if (c.namespace_mode == NamespaceMode::kPerAccessKey) {
         return NamespaceConflict();
       }
       c.namespace_mode = NamespaceMode::kShared;
       return "";
     },
     [](const Config& c) {
       return std::string(c.namespace_mode == NamespaceMode::kShared ? "on"
                                                                     : "off");
     }},
    {"per-access-key", "", "separate tables per access key id and region",
     [](Config& c, std::string_view) -> std::string {
       if (c.namespace_mode == NamespaceMode::kShared) {
         return NamespaceConflict();
       }
       c.namespace_mode = NamespaceMode::kPerAccessKey;
       return "";
     },
     [](const Config& c) {
       return std::string(
           c.namespace_mode == NamespaceMode::kPerAccessKey ? "on" : "off");
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
    {"threads", "N", "I/O threads",
     [](Config& c, std::string_view v) -> std::string {
       int64_t n;
       if (!ParseInt(v, 1, kMaxThreads, n)) {
         return RangeError("threads", v, 1, kMaxThreads);
       }
       c.threads = static_cast<int>(n);
       return "";
     },
     [](const Config& c) {
       return c.threads == 0 ? std::string("max(2, CPU threads)")
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

}  // namespace

std::span<const OptionSpec> ConfigOptions() { return kOptions; }

ParsedCommandLine ParseCommandLine(const std::vector<std::string>& args) {
  ParsedCommandLine result;
  auto fail = [&result](std::string message) {
    result.action = ConfigAction::kError;
    result.error = std::move(message);
    return result;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h") arg = "--help";
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
    } else if (!has_inline_value) {
      if (i + 1 >= args.size()) {
        return fail("option --" + std::string(name) + " needs a value (" +
                    std::string(option->value_name) + ")");
      }
      value = args[++i];
    }
    if (std::string error = option->apply(result.config, value);
        !error.empty()) {
      return fail(std::move(error));
    }
    // --help and --version win over everything after them, as in most
    // tools; errors before them still count.
    if (option->action != ConfigAction::kRun) {
      result.action = option->action;
      return result;
    }
  }
  return result;
}

ParsedCommandLine ParseCommandLine(int argc, const char* const argv[]) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return ParseCommandLine(args);
}

std::string HelpText() {
  const Config defaults;
  std::string text =
      "Usage: dynalocal [options]\n"
      "\n"
      "A DynamoDB-compatible server for development and tests.\n"
      "Options take a value as --opt VALUE or --opt=VALUE.\n"
      "\n"
      "Options:\n";
  constexpr size_t kColumn = 30;
  for (const auto& option : kOptions) {
    std::string left = "  --" + std::string(option.name);
    if (!option.value_name.empty()) {
      left += " " + std::string(option.value_name);
    }
    text += left;
    if (left.size() + 2 > kColumn) {
      text += "\n" + std::string(kColumn, ' ');
    } else {
      text += std::string(kColumn - left.size(), ' ');
    }
    text += option.help;
    if (option.show_default != nullptr) {
      text += " (default: " + option.show_default(defaults) + ")";
    }
    text += "\n";
  }
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
  return options;
}

RouterOptions MakeRouterOptions(const Config& config) {
  RouterOptions options;
  options.namespace_mode = config.namespace_mode;
  options.default_region = config.default_region;
  return options;
}

HttpServerOptions MakeHttpServerOptions(const Config& config) {
  HttpServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.threads = config.threads;
  options.idle_timeout = std::chrono::seconds(config.idle_timeout_seconds);
  return options;
}

}  // namespace ddb
