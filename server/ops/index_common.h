// Secondary-index definitions as CreateTable and UpdateTable accept them
// (shapes, parsing, DynamoDB's validation messages) and as DescribeTable
// reports them.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/json_codec.h"
#include "server/ops/shape.h"
#include "storage/storage.h"

namespace ddb::ops {

// GSIs may list up to four HASH and four RANGE attributes (multi-attribute
// keys); LSIs exactly two.
inline constexpr size_t kMaxGsiKeyAttributes = 4;
inline constexpr size_t kMaxGlobalIndexes = 20;
inline constexpr size_t kMaxLocalIndexes = 5;
// DynamoDB's limit on NonKeyAttributes summed over all of a table's indexes.
inline constexpr size_t kMaxProjectedAttributes = 100;

const shape::Shape* ProvisionedThroughputShape();
const shape::Shape* GlobalSecondaryIndexShape();
const shape::Shape* LocalSecondaryIndexShape();
const shape::Shape* KeySchemaShape();
const shape::Shape* AttributeDefinitionsShape();

// One index from its JSON (which passed the shape checks), validated against
// the table's AttributeDefinitions with DynamoDB's messages. `table` has its
// key schema and attribute definitions set; `pay_per_request` is the
// table's billing mode. Throws ValidationException.
// The KeySchema rules a table and every index share, with DynamoDB's
// messages: each key attribute is in AttributeDefinitions (`defined`); a
// schema of at most two elements has distinct names, HASH first, RANGE
// second.
void CheckKeysDefined(const std::vector<std::string>& names,
                      const std::vector<std::string>& defined);
void CheckTwoElementKeySchema(const std::vector<std::string>& names,
                              const std::vector<std::string>& types);

IndexDef ParseIndex(const rapidjson::Value& json, bool global,
                    const TableDef& table);

// Whole-table rules once every index is parsed: unique names, counts, the
// projected-attribute total. Throws ValidationException.
void CheckIndexSet(const TableDef& table);

// "Some AttributeDefinitions are not used" when a definition names no key
// attribute of the table or of an index.
void CheckDefinitionsUsed(const TableDef& table);

// Writes "GlobalSecondaryIndexes" and "LocalSecondaryIndexes" members (when
// the table has any). `index_stats` runs parallel to table.indexes (missing
// entries count as empty); `table_status` is the TableStatus being reported.
// DynamoDB Local's -delayTransientStatuses: a GSI created by UpdateTable is
// reported CREATING (and refuses reads) until `hold` has passed, however
// fast its backfill was. Kept in memory only: a restart ends the hold.
inline constexpr std::chrono::milliseconds kTransientStatusDelay{2000};
void HoldIndexCreating(uint64_t table_id, uint32_t index_id,
                       std::chrono::milliseconds hold);
bool IndexHeldCreating(uint64_t table_id, uint32_t index_id);
// And a GSI deleted by UpdateTable is still listed, DELETING, until `hold`
// has passed (it is gone from storage at once, so reads already refuse it).
void HoldIndexDeleting(uint64_t table_id, const IndexDef& index,
                       std::chrono::milliseconds hold);

void WriteGlobalIndexes(JsonWriter& writer, const TableDef& table,
                        const std::vector<TableStats>& index_stats,
                        const char* table_status);
void WriteLocalIndexes(JsonWriter& writer, const TableDef& table,
                       const std::vector<TableStats>& index_stats);

// Each index's stats from `txn`, parallel to table.indexes.
std::vector<TableStats> ReadIndexStats(const Txn& txn, const TableDef& table);

}  // namespace ddb::ops
