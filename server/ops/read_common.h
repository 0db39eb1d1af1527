// The pieces Query and Scan share: Select and projection rules,
// ExclusiveStartKey validation, the filter, and running one page through the
// range scanner into DynamoDB's response (Items, Count, ScannedCount,
// LastEvaluatedKey, ConsumedCapacity).
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/attribute_value.h"
#include "expressions/condition.h"
#include "expressions/projection.h"
#include "server/ops/common.h"
#include "storage/range_scan.h"

namespace ddb::ops {

enum class Select { kAllAttributes, kAllProjected, kSpecific, kCount };

extern const std::vector<const char*> kSelectValues;

// What a page returns and how it is accounted, read from the request.
struct ReadRequest {
  std::string table_name;
  Select select = Select::kAllAttributes;
  std::unique_ptr<ProjectionTree> projection;  // null: whole items
  std::optional<Condition> filter;
  int64_t limit = 0;  // 0: none
  bool consistent = false;
  CapacityMode capacity = CapacityMode::kNone;
  std::optional<Item> exclusive_start_key;  // decoded, checked on its own
  // A read of a secondary index: items are what the index projects (an LSI
  // read with ALL_ATTRIBUTES or specific attributes fetches from the table),
  // and LastEvaluatedKey adds the index keys to the table keys.
  const IndexDef* index = nullptr;
};

// Select against ProjectionExpression/AttributesToGet, with DynamoDB's
// messages ("Cannot specify the ProjectionExpression when choosing to get
// ALL_ATTRIBUTES", ...). ALL_PROJECTED_ATTRIBUTES needs an IndexName; with
// one and no Select or projection the default is ALL_PROJECTED_ATTRIBUTES.
// Throws ValidationException.
Select ReadSelect(const rapidjson::Value& request);

// AttributesToGet as top-level paths (nullopt when absent); duplicates are
// "One or more parameter values were invalid: Duplicate value in attribute
// name: a".
std::optional<std::vector<DocumentPath>> ReadAttributesToGet(
    const rapidjson::Value& request);

// ExclusiveStartKey's values (value rules only), with the "The provided
// starting key is invalid: " prefix DynamoDB puts on most of their messages.
std::optional<Item> ReadExclusiveStartKey(const rapidjson::Value& request);

// IndexName resolved against `table`: nullptr without one; "The table
// does not have the specified index: X" for an unknown name; a GSI still
// backfilling cannot be read yet. Then the index's read rules:
// ConsistentRead on a GSI, Select=ALL_ATTRIBUTES on a GSI that does not
// project everything. `select` is ReadSelect's answer. Throws
// ValidationException.
const IndexDef* ResolveIndex(const rapidjson::Value& request,
                             const TableDef& table, Select select);

// The start key of a read of `index`: the table's key attributes and the
// index's, with their types.
void ValidateIndexStartKey(const TableDef& table, const IndexDef& index,
                           const Item& key);

// The encoded position `key` (an ExclusiveStartKey) names in the table or,
// when `index` is set, in the index.
std::string EncodeStartKey(const TableDef& table, const IndexDef* index,
                           const Item& key);

// The start key against the table's key schema: "The provided starting key
// is invalid: The provided key element does not match the schema", ...
void ValidateStartKey(const TableDef& table, const Item& key);

// The top-level attribute names a condition reads (for "Filter Expression
// can only contain non-primary key attributes").
std::vector<std::string> ConditionAttributeNames(const Condition& condition);

// Map<String, Condition>: QueryFilter, ScanFilter and KeyConditions.
const shape::Shape* FilterConditionsShape();

// QueryFilter/ScanFilter (`member`) joined by ConditionalOperator, validated
// as the legacy Expected conditions are (expressions/legacy.h).
std::optional<Condition> ReadLegacyFilter(const rapidjson::Value& request,
                                          const char* member);

// Reads one page of `scan` and writes the whole response body.
std::string RunPage(const Txn& txn, const TableDef& table, RangeScan& scan,
                    const ReadRequest& request);

}  // namespace ddb::ops
