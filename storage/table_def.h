// TableDef: what the catalog knows about one table; the unit every item
// operation is resolved against.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/attribute_value.h"

namespace ddb {

// Key attributes are scalars: S, N or B.
struct KeyAttribute {
  std::string name;
  AttrType type = AttrType::kS;
};

struct AttributeDefinition {
  std::string name;
  AttrType type = AttrType::kS;
};

struct TableDef {
  // Never reused, so a deleted table's leftovers can never be read as a new
  // table's items.
  uint64_t id = 0;
  std::string ns;    // catalog namespace (region, or access key + region)
  std::string name;  // TableName
  KeyAttribute hash_key;
  std::optional<KeyAttribute> range_key;
  std::vector<AttributeDefinition> attribute_definitions;  // request order
  bool pay_per_request = true;                             // BillingMode
  int64_t read_capacity = 0;  // ProvisionedThroughput (0 when on demand)
  int64_t write_capacity = 0;
  double creation_time = 0;  // seconds since the epoch, as DynamoDB sends it
  std::string table_uuid;    // TableId
  std::string region;        // for TableArn
};

// Item count and size, kept exact in the same transaction as every write.
struct TableStats {
  uint64_t item_count = 0;
  uint64_t size_bytes = 0;
};

}  // namespace ddb
