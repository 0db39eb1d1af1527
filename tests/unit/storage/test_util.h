// Helpers shared by the storage tests: a self-removing temporary directory
// and small tables and items.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "storage/storage.h"

namespace ddb::storage_test {

// Test names for suites run in each durability mode ("Durable", "Fast").
inline std::string DurabilityName(
    const ::testing::TestParamInfo<Durability>& info) {
  return info.param == Durability::kDurable ? "Durable" : "Fast";
}

class TempDir {
 public:
  TempDir() {
    std::string templ =
        (std::filesystem::temp_directory_path() / "ddb-test-XXXXXX");
    if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp");
    path_ = templ;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ec);
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A table keyed by pk (S) and sk (N).
inline TableDef SimpleTable(std::string name) {
  TableDef t;
  t.ns = "us-east-1";
  t.name = std::move(name);
  t.hash_key = {"pk", AttrType::kS};
  t.range_key = KeyAttribute{"sk", AttrType::kN};
  t.attribute_definitions = {{"pk", AttrType::kS}, {"sk", AttrType::kN}};
  t.table_uuid = "uuid-" + t.name;
  t.region = "us-east-1";
  return t;
}

inline Item SimpleItem(std::string pk, int sk, std::string payload = "v") {
  return {{"pk", AttributeValue::String(std::move(pk))},
          {"sk", AttributeValue::Number(std::to_string(sk))},
          {"data", AttributeValue::String(std::move(payload))}};
}

inline Item SimpleKey(std::string pk, int sk) {
  return {{"pk", AttributeValue::String(std::move(pk))},
          {"sk", AttributeValue::Number(std::to_string(sk))}};
}

}  // namespace ddb::storage_test
