// TableDef: what the catalog knows about one table; the unit every item
// operation is resolved against.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

// A secondary index's projection (Projection.ProjectionType).
enum class ProjectionType : uint8_t { kAll = 0, kKeysOnly = 1, kInclude = 2 };

// A global or local secondary index. A GSI's key may list up to four HASH
// and four RANGE attributes (multi-attribute keys); an LSI has exactly the
// table's hash key and one RANGE attribute.
struct IndexDef {
  // Unique within the table and never reused, so the entries of a dropped
  // index can never be read as those of a new one.
  uint32_t id = 0;
  std::string name;
  bool global = true;
  std::vector<KeyAttribute> hash_keys;   // in KeySchema order, at least one
  std::vector<KeyAttribute> range_keys;  // in KeySchema order, may be empty
  ProjectionType projection = ProjectionType::kAll;
  std::vector<std::string> non_key_attributes;  // kInclude only
  int64_t read_capacity = 0;  // GSI ProvisionedThroughput (0 when on demand)
  int64_t write_capacity = 0;
  // A GSI added by UpdateTable is CREATING, backfilling from the table,
  // until every existing item has been indexed.
  bool backfilling = false;
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
  std::vector<IndexDef> indexes;  // GSIs and LSIs, in creation order
  uint32_t next_index_id = 1;
  // Resource tags (TagResource, CreateTable's Tags): key -> value, kept in
  // key order because ListTagsOfResource lists them that way.
  std::map<std::string, std::string> tags;
  // TimeToLiveSpecification as last set by UpdateTimeToLive. Only the
  // setting is kept: expired items are not deleted yet (no sweeper).
  bool ttl_enabled = false;
  std::string ttl_attribute;  // set while ttl_enabled

  const IndexDef* FindIndex(std::string_view index_name) const {
    for (const IndexDef& index : indexes) {
      if (index.name == index_name) return &index;
    }
    return nullptr;
  }
};

// A table definition as the catalog hands it out: immutable and shared, so
// that the requests of one table reuse one decoding (storage/
// table_def_cache.h). Null when the table does not exist.
using TableRef = std::shared_ptr<const TableDef>;

// Item count and size, kept exact in the same transaction as every write.
struct TableStats {
  uint64_t item_count = 0;
  uint64_t size_bytes = 0;
};

}  // namespace ddb
