// Command-line parsing: every option, its default, and the errors.
#include "server/config.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace ddb {
namespace {

ParsedCommandLine Parse(std::vector<std::string> args) {
  return ParseCommandLine(args);
}

Config ParseOk(std::vector<std::string> args) {
  ParsedCommandLine parsed = Parse(args);
  EXPECT_EQ(parsed.action, ConfigAction::kRun) << parsed.error;
  return parsed.config;
}

std::string ParseError(std::vector<std::string> args) {
  ParsedCommandLine parsed = Parse(args);
  EXPECT_EQ(parsed.action, ConfigAction::kError);
  return parsed.error;
}

TEST(ConfigTest, Defaults) {
  Config c = ParseOk({});
  EXPECT_EQ(c.port, 8000);
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.data_dir, "./data");
  EXPECT_FALSE(c.in_memory);
  EXPECT_EQ(c.durability, kDefaultDurability);
  EXPECT_EQ(c.log_level, spdlog::level::info);
  EXPECT_EQ(c.namespace_mode, NamespaceMode::kPerRegion);
  EXPECT_EQ(c.default_region, "us-east-1");
  EXPECT_EQ(c.threads, 0);
  EXPECT_EQ(c.idle_timeout_seconds, 60);
}

TEST(ConfigTest, EveryOptionSeparateValue) {
  Config c = ParseOk({"--port", "9001", "--host", "0.0.0.0", "--data-dir",
                      "/tmp/x", "--in-memory", "--durability", "durable",
                      "--log-level", "debug", "--shared-db", "--default-region",
                      "eu-west-1", "--threads", "3", "--idle-timeout", "5"});
  EXPECT_EQ(c.port, 9001);
  EXPECT_EQ(c.host, "0.0.0.0");
  EXPECT_EQ(c.data_dir, "/tmp/x");
  EXPECT_TRUE(c.in_memory);
  EXPECT_EQ(c.durability, Durability::kDurable);
  EXPECT_EQ(c.log_level, spdlog::level::debug);
  EXPECT_EQ(c.namespace_mode, NamespaceMode::kShared);
  EXPECT_EQ(c.default_region, "eu-west-1");
  EXPECT_EQ(c.threads, 3);
  EXPECT_EQ(c.idle_timeout_seconds, 5);
}

TEST(ConfigTest, EveryOptionInlineValue) {
  Config c = ParseOk({"--port=0", "--host=::1", "--data-dir=d=e",
                      "--durability=fast", "--log-level=off",
                      "--per-access-key", "--default-region=ap-south-1",
                      "--threads=1", "--idle-timeout=0"});
  EXPECT_EQ(c.port, 0);
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.data_dir, "d=e");  // only the first '=' separates
  EXPECT_EQ(c.durability, Durability::kFast);
  EXPECT_EQ(c.log_level, spdlog::level::off);
  EXPECT_EQ(c.namespace_mode, NamespaceMode::kPerAccessKey);
  EXPECT_EQ(c.default_region, "ap-south-1");
  EXPECT_EQ(c.threads, 1);
  EXPECT_EQ(c.idle_timeout_seconds, 0);
}

TEST(ConfigTest, LogLevels) {
  const std::pair<const char*, spdlog::level::level_enum> cases[] = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
      {"error", spdlog::level::err},   {"off", spdlog::level::off}};
  for (auto [name, level] : cases) {
    EXPECT_EQ(ParseOk({"--log-level", name}).log_level, level) << name;
  }
}

TEST(ConfigTest, LaterOccurrenceWins) {
  EXPECT_EQ(ParseOk({"--port", "1", "--port=2"}).port, 2);
}

TEST(ConfigTest, PortRange) {
  EXPECT_EQ(ParseOk({"--port", "65535"}).port, 65535);
  EXPECT_EQ(ParseError({"--port", "65536"}),
            "invalid value '65536' for --port: expected an integer from 0 to "
            "65535");
  for (const char* bad : {"", "-1", "+1", "8000x", " 80", "0x10", "1e3",
                          "99999999999999999999999"}) {
    EXPECT_NE(ParseError({"--port", bad}).find("--port"), std::string::npos)
        << bad;
  }
}

TEST(ConfigTest, NumericLimits) {
  EXPECT_NE(ParseError({"--threads", "-1"}).find("--threads"),
            std::string::npos);
  EXPECT_NE(ParseError({"--threads", "1025"}).find("--threads"),
            std::string::npos);
  EXPECT_NE(ParseError({"--idle-timeout", "-5"}).find("--idle-timeout"),
            std::string::npos);
  EXPECT_NE(ParseError({"--idle-timeout", "86401"}).find("--idle-timeout"),
            std::string::npos);
}

TEST(ConfigTest, BadEnumValues) {
  EXPECT_EQ(ParseError({"--durability", "sometimes"}),
            "invalid value 'sometimes' for --durability: expected durable or "
            "fast");
  EXPECT_EQ(ParseError({"--log-level=INFO"}),
            "invalid value 'INFO' for --log-level: expected trace, debug, "
            "info, warn, error or off");
}

TEST(ConfigTest, EmptyStrings) {
  EXPECT_EQ(ParseError({"--host="}), "--host needs a non-empty value");
  EXPECT_EQ(ParseError({"--data-dir", ""}),
            "--data-dir needs a non-empty value");
  EXPECT_EQ(ParseError({"--default-region="}),
            "--default-region needs a non-empty value");
}

TEST(ConfigTest, UnknownAndMalformed) {
  EXPECT_EQ(ParseError({"--prot", "8000"}), "unknown option '--prot'");
  EXPECT_EQ(ParseError({"--prot=8000"}), "unknown option '--prot'");
  EXPECT_EQ(ParseError({"-p"}), "unknown option '-p'");
  EXPECT_EQ(ParseError({"-"}), "unexpected argument '-'");
  EXPECT_EQ(ParseError({"8000"}), "unexpected argument '8000'");
  EXPECT_EQ(ParseError({"--"}), "unexpected argument '--'");
  EXPECT_EQ(ParseError({"--port"}), "option --port needs a value (N)");
  EXPECT_EQ(ParseError({"--in-memory=yes"}),
            "option --in-memory takes no value");
}

TEST(ConfigTest, NamespaceModesExclusive) {
  EXPECT_EQ(ParseError({"--shared-db", "--per-access-key"}),
            "--shared-db and --per-access-key cannot be used together");
  EXPECT_EQ(ParseError({"--per-access-key", "--shared-db"}),
            "--shared-db and --per-access-key cannot be used together");
}

TEST(ConfigTest, HelpAndVersion) {
  EXPECT_EQ(Parse({"--help"}).action, ConfigAction::kHelp);
  EXPECT_EQ(Parse({"-h"}).action, ConfigAction::kHelp);
  EXPECT_EQ(Parse({"--version"}).action, ConfigAction::kVersion);
  EXPECT_EQ(Parse({"--port", "1", "--help", "--bogus"}).action,
            ConfigAction::kHelp);
  EXPECT_EQ(Parse({"--bogus", "--help"}).action, ConfigAction::kError);
  EXPECT_EQ(Parse({"--help=1"}).action, ConfigAction::kError);
  EXPECT_EQ(VersionText(),
            "dynalocal " + std::string(kDynalocalVersion) + "\n");
}

TEST(ConfigTest, HelpListsEveryOptionWithItsDefault) {
  std::string help = HelpText();
  for (const auto& option : ConfigOptions()) {
    EXPECT_NE(help.find("--" + std::string(option.name)), std::string::npos)
        << option.name;
  }
  for (const char* text :
       {"(default: 8000)", "(default: 127.0.0.1)", "(default: ./data)",
        "(default: us-east-1)", "(default: info)", "(default: 60)",
        "(default: fast)", "(default: one per usable CPU)"}) {
    EXPECT_NE(help.find(text), std::string::npos) << text;
  }
}

// --- Environment, config file and precedence -------------------------------

std::map<std::string, std::string> files;  // path -> contents, for LoadConfig

bool ReadFake(const std::string& path, std::string& contents) {
  auto it = files.find(path);
  if (it == files.end()) return false;
  contents = it->second;
  return true;
}

ParsedCommandLine Load(std::vector<std::string> args,
                       std::map<std::string, std::string> env) {
  return LoadConfig(args, env, &ReadFake);
}

TEST(ConfigTest, EnvironmentNames) {
  EXPECT_EQ(EnvironmentName("data-dir"), "DYNALOCAL_DATA_DIR");
  EXPECT_EQ(EnvironmentName("port"), "DYNALOCAL_PORT");
  EXPECT_EQ(EnvironmentName("delay-transient-statuses"),
            "DYNALOCAL_DELAY_TRANSIENT_STATUSES");
}

TEST(ConfigTest, EnvironmentSetsOptions) {
  ParsedCommandLine parsed =
      Load({}, {{"DYNALOCAL_PORT", "9100"},
                {"DYNALOCAL_IN_MEMORY", "yes"},
                {"DYNALOCAL_HOST", "0.0.0.0"},
                {"DYNALOCAL_REQUEST_LOG", "1"},
                {"DYNALOCAL_CORS", "http://a.test, http://b.test"},
                {"HOME", "/root"}});  // not ours: ignored
  ASSERT_EQ(parsed.action, ConfigAction::kRun) << parsed.error;
  EXPECT_EQ(parsed.config.port, 9100);
  EXPECT_TRUE(parsed.config.in_memory);
  EXPECT_EQ(parsed.config.host, "0.0.0.0");
  EXPECT_TRUE(parsed.config.request_log);
  EXPECT_EQ(parsed.config.cors_origins,
            (std::vector<std::string>{"http://a.test", "http://b.test"}));
}

TEST(ConfigTest, EnvironmentErrors) {
  // Unknown names are reported, not fatal: other tools (our own test
  // scripts among them) use the prefix too.
  ParsedCommandLine unknown = Load({}, {{"DYNALOCAL_PROT", "1"}});
  EXPECT_EQ(unknown.action, ConfigAction::kRun);
  EXPECT_EQ(unknown.warnings, std::vector<std::string>{
                                  "ignoring unknown environment variable "
                                  "DYNALOCAL_PROT (not a dynalocal option)"});
  EXPECT_EQ(Load({}, {{"DYNALOCAL_PORT", "x"}}).error,
            "DYNALOCAL_PORT: invalid value 'x' for --port: expected an "
            "integer from 0 to 65535");
  EXPECT_EQ(Load({}, {{"DYNALOCAL_IN_MEMORY", "maybe"}}).error,
            "DYNALOCAL_IN_MEMORY: invalid value 'maybe' for a flag: expected "
            "true or false");
  // Kubernetes' service links for a Service named "dynalocal".
  ParsedCommandLine k8s =
      Load({}, {{"DYNALOCAL_PORT", "tcp://10.96.0.12:8000"},
                {"DYNALOCAL_SERVICE_HOST", "10.96.0.12"},
                {"DYNALOCAL_PORT_8000_TCP", "tcp://10.96.0.12:8000"}});
  EXPECT_EQ(k8s.action, ConfigAction::kRun) << k8s.error;
  EXPECT_EQ(k8s.config.port, 8000);
  EXPECT_EQ(k8s.warnings.size(), 3u);
  // Actions are for the command line only.
  EXPECT_EQ(Load({}, {{"DYNALOCAL_HELP", "1"}}).action, ConfigAction::kRun);
}

TEST(ConfigTest, FlagsCanBeTurnedOffByALaterSource) {
  files["/c.conf"] = "in-memory = true\nshared-db = on\n";
  ParsedCommandLine parsed =
      Load({"--config", "/c.conf"},
           {{"DYNALOCAL_IN_MEMORY", "false"}, {"DYNALOCAL_SHARED_DB", "no"}});
  ASSERT_EQ(parsed.action, ConfigAction::kRun) << parsed.error;
  EXPECT_FALSE(parsed.config.in_memory);
  EXPECT_EQ(parsed.config.namespace_mode, NamespaceMode::kPerRegion);
}

TEST(ConfigTest, PrecedenceCommandLineEnvironmentFileDefaults) {
  files["/p.conf"] =
      "# comment line\n"
      "port = 7001   # trailing comment\n"
      "host = 0.0.0.0\n"
      "\n"
      "data-dir = /from-file\n"
      "log-level = warn\n";
  ParsedCommandLine parsed =
      Load({"--port", "7003"}, {{"DYNALOCAL_CONFIG", "/p.conf"},
                                {"DYNALOCAL_PORT", "7002"},
                                {"DYNALOCAL_DATA_DIR", "/from-env"}});
  ASSERT_EQ(parsed.action, ConfigAction::kRun) << parsed.error;
  EXPECT_EQ(parsed.config.port, 7003);                      // command line
  EXPECT_EQ(parsed.config.data_dir, "/from-env");           // environment
  EXPECT_EQ(parsed.config.host, "0.0.0.0");                 // file
  EXPECT_EQ(parsed.config.log_level, spdlog::level::warn);  // file
  EXPECT_EQ(parsed.config.default_region, "us-east-1");     // default
  // --config on the command line wins over DYNALOCAL_CONFIG.
  files["/q.conf"] = "port = 7004\n";
  parsed = Load({"--config=/q.conf"}, {{"DYNALOCAL_CONFIG", "/p.conf"}});
  ASSERT_EQ(parsed.action, ConfigAction::kRun) << parsed.error;
  EXPECT_EQ(parsed.config.port, 7004);
  EXPECT_EQ(parsed.config.host, "127.0.0.1");
}

TEST(ConfigTest, ConfigFileErrorsNameTheLine) {
  files["/bad1.conf"] = "port = 1\nbogus = 2\n";
  EXPECT_EQ(Load({"--config", "/bad1.conf"}, {}).error,
            "/bad1.conf:2: unknown option 'bogus'");
  files["/bad2.conf"] = "\n\nport 8000\n";
  EXPECT_EQ(Load({"--config", "/bad2.conf"}, {}).error,
            "/bad2.conf:3: expected 'name = value'");
  files["/bad3.conf"] = "threads = -1\n";
  EXPECT_EQ(Load({"--config", "/bad3.conf"}, {}).error,
            "/bad3.conf:1: invalid value '-1' for --threads: expected an "
            "integer from 0 to 1024");
  files["/bad4.conf"] = "help = true\n";
  EXPECT_EQ(Load({"--config", "/bad4.conf"}, {}).error,
            "/bad4.conf:1: unknown option 'help'");
  EXPECT_EQ(Load({"--config", "/missing.conf"}, {}).error,
            "cannot read config file '/missing.conf'");
}

TEST(ConfigTest, ShippedConfigFileParsesToTheDefaults) {
  // conf/dynalocal.conf documents every option with its default; loading it
  // must change nothing.
  std::string contents;
  ASSERT_TRUE(ReadWholeFile(
      std::string(DYNALOCAL_SOURCE_DIR) + "/conf/dynalocal.conf", contents));
  files["/shipped.conf"] = contents;
  // Uncommented, each "# name = value" line must be accepted.
  std::string uncommented;
  for (size_t start = 0; start < contents.size();) {
    size_t end = contents.find('\n', start);
    if (end == std::string::npos) end = contents.size();
    std::string line = contents.substr(start, end - start);
    start = end + 1;
    if (line.starts_with("# ") && line.find(" = ") != std::string::npos &&
        line.find(' ', 2) == line.find(" = ")) {
      uncommented += line.substr(2) + "\n";
    }
  }
  files["/uncommented.conf"] = uncommented;
  ParsedCommandLine parsed = Load({"--config", "/uncommented.conf"}, {});
  ASSERT_EQ(parsed.action, ConfigAction::kRun) << parsed.error;
  // Every option a file may set is documented there.
  for (const auto& option : ConfigOptions()) {
    if (option.action == ConfigAction::kRun && option.name != "config") {
      EXPECT_NE(contents.find("# " + std::string(option.name) + " ="),
                std::string::npos)
          << option.name;
    }
  }
  // And setting them all to their documented defaults changes nothing.
  const Config defaults;
  const Config& loaded = parsed.config;
  EXPECT_EQ(loaded.port, defaults.port);
  EXPECT_EQ(loaded.host, defaults.host);
  EXPECT_EQ(loaded.data_dir, defaults.data_dir);
  EXPECT_EQ(loaded.in_memory, defaults.in_memory);
  EXPECT_EQ(loaded.durability, defaults.durability);
  EXPECT_EQ(loaded.log_level, defaults.log_level);
  EXPECT_EQ(loaded.namespace_mode, defaults.namespace_mode);
  EXPECT_EQ(loaded.threads, defaults.threads);
  EXPECT_EQ(loaded.idle_timeout_seconds, defaults.idle_timeout_seconds);
  EXPECT_EQ(loaded.cors_origins, defaults.cors_origins);
  EXPECT_EQ(loaded.request_log, defaults.request_log);
  EXPECT_EQ(loaded.max_db_size_mib, defaults.max_db_size_mib);
}

// --- DynamoDB Local's command line ------------------------------------------

TEST(ConfigTest, DynamoDbLocalFlags) {
  Config c =
      ParseOk({"-jar", "DynamoDBLocal.jar", "-sharedDb", "-dbPath", "./data",
               "-port", "8001", "-cors", "*", "-delayTransientStatuses",
               "-optimizeDbBeforeStartup", "-disableTelemetry"});
  EXPECT_EQ(c.port, 8001);
  EXPECT_EQ(c.data_dir, "./data");
  EXPECT_EQ(c.namespace_mode, NamespaceMode::kShared);
  EXPECT_EQ(c.cors_origins, std::vector<std::string>{"*"});
  EXPECT_TRUE(c.delay_transient_statuses);
  EXPECT_FALSE(c.in_memory);
  // The JVM's part of the command line is skipped.
  c = ParseOk({"-Djava.library.path=./DynamoDBLocal_lib", "-Xmx512m", "-jar",
               "DynamoDBLocal.jar", "-inMemory"});
  EXPECT_TRUE(c.in_memory);
  // Without -sharedDb, DynamoDB Local keeps tables per access key and
  // region, and so do we when its flags are used.
  EXPECT_EQ(c.namespace_mode, NamespaceMode::kPerAccessKey);
  EXPECT_EQ(ParseOk({}).namespace_mode, NamespaceMode::kPerRegion);
  EXPECT_EQ(Parse({"-help"}).action, ConfigAction::kHelp);
  EXPECT_EQ(ParseError({"-inmemory"}), "unknown option '-inmemory'");
  EXPECT_EQ(ParseError({"-port"}), "option -port needs a value");
  EXPECT_EQ(ParseError({"-port", "99999"}),
            "invalid value '99999' for --port: expected an integer from 0 to "
            "65535");
}

TEST(ConfigTest, CorsValues) {
  EXPECT_EQ(ParseOk({}).cors_origins, std::vector<std::string>{"*"});
  EXPECT_TRUE(ParseOk({"--cors", "off"}).cors_origins.empty());
  EXPECT_EQ(ParseOk({"--cors", "http://a,https://b"}).cors_origins,
            (std::vector<std::string>{"http://a", "https://b"}));
  EXPECT_EQ(ParseError({"--cors", "http://a,,b"}),
            "invalid value 'http://a,,b' for --cors: empty origin in the "
            "list");
}

TEST(ConfigTest, AuthOptions) {
  Config c = ParseOk({"--require-auth", "--credentials", "AK1:s1,AK2:s:2"});
  EXPECT_TRUE(c.require_auth);
  EXPECT_EQ(c.credentials, (std::map<std::string, std::string>{
                               {"AK1", "s1"}, {"AK2", "s:2"}}));
  RouterOptions router = MakeRouterOptions(c);
  EXPECT_TRUE(router.auth.required);
  EXPECT_EQ(router.auth.secrets.at("AK2"), "s:2");
  EXPECT_TRUE(MakeHttpServerOptions(c).capture_headers);
  EXPECT_FALSE(MakeHttpServerOptions(ParseOk({})).capture_headers);
  EXPECT_EQ(ParseError({"--require-auth"}),
            "--require-auth needs --credentials (or DYNALOCAL_CREDENTIALS)");
  // The message never repeats the value: it is a secret.
  EXPECT_EQ(ParseError({"--credentials", "AK1secret"}),
            "invalid value for --credentials: expected "
            "ACCESS_KEY_ID:SECRET_ACCESS_KEY pairs separated by commas");
}

TEST(ConfigTest, HealthCheckLoadsTheSameOptions) {
  ParsedCommandLine parsed = Load({"--health-check", "--port", "8123"},
                                  {{"DYNALOCAL_HOST", "0.0.0.0"}});
  EXPECT_EQ(parsed.action, ConfigAction::kHealthCheck);
  EXPECT_EQ(parsed.config.port, 8123);
  EXPECT_EQ(parsed.config.host, "0.0.0.0");
}

TEST(ConfigTest, MaxDbSize) {
  EXPECT_EQ(MakeStorageOptions(ParseOk({})).map_size, uint64_t{64} << 30);
  EXPECT_EQ(MakeStorageOptions(ParseOk({"--max-db-size", "10"})).map_size,
            uint64_t{10} << 20);
  EXPECT_EQ(ParseError({"--max-db-size", "0"}),
            "invalid value '0' for --max-db-size: expected an integer from 1 "
            "to 1073741824");
}

TEST(ConfigTest, ArgvOverload) {
  const char* argv[] = {"dynalocal", "--port", "7", "--in-memory"};
  ParsedCommandLine parsed = ParseCommandLine(4, argv);
  ASSERT_EQ(parsed.action, ConfigAction::kRun);
  EXPECT_EQ(parsed.config.port, 7);
  EXPECT_TRUE(parsed.config.in_memory);
}

TEST(ConfigTest, ConvertsToComponentOptions) {
  Config c = ParseOk({"--port=0", "--host=0.0.0.0", "--in-memory",
                      "--durability=durable", "--data-dir=/d", "--shared-db",
                      "--default-region=eu-north-1", "--threads=4",
                      "--idle-timeout=7"});
  StorageOptions storage = MakeStorageOptions(c);
  EXPECT_EQ(storage.data_dir, "/d");
  EXPECT_TRUE(storage.in_memory);
  EXPECT_EQ(storage.durability, Durability::kDurable);
  RouterOptions router = MakeRouterOptions(c);
  EXPECT_EQ(router.namespace_mode, NamespaceMode::kShared);
  EXPECT_EQ(router.default_region, "eu-north-1");
  HttpServerOptions http = MakeHttpServerOptions(c);
  EXPECT_EQ(http.host, "0.0.0.0");
  EXPECT_EQ(http.port, 0);
  EXPECT_EQ(http.threads, 4);
  EXPECT_EQ(http.idle_timeout, std::chrono::seconds(7));
}

}  // namespace
}  // namespace ddb
