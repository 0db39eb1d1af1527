// Command-line parsing: every option, its default, and the errors.
#include "server/config.h"

#include <gtest/gtest.h>

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
  EXPECT_NE(ParseError({"--threads", "0"}).find("--threads"),
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
  EXPECT_EQ(ParseError({"-p"}), "unexpected argument '-p'");
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
        "(default: fast)", "(default: max(2, CPU threads))"}) {
    EXPECT_NE(help.find(text), std::string::npos) << text;
  }
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
