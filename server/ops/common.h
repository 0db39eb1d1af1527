// Pieces every operation shares: the TableName member, table lookup, key
// validation with DynamoDB's messages, capacity accounting and response
// writing.
#pragma once

#include <rapidjson/document.h>

#include <initializer_list>
#include <optional>
#include <string>

#include "core/attribute_value.h"
#include "core/json_codec.h"
#include "expressions/attribute_names.h"
#include "expressions/attribute_values.h"
#include "expressions/condition.h"
#include "expressions/document_path.h"
#include "expressions/update.h"
#include "server/ops/ops.h"
#include "server/ops/shape.h"
#include "storage/storage.h"

namespace ddb::ops {

// TableName as the data-plane operations declare it (1-255 characters;
// checked before every other member).
shape::Member DataTableNameMember();
// TableName as CreateTable/DescribeTable/DeleteTable declare it (required,
// 3-255 characters).
shape::Member ControlTableNameMember();

extern const std::vector<const char*> kReturnConsumedCapacityValues;

// The table (never null) or ResourceNotFoundException("Requested resource
// not found").
TableRef RequireTable(const Txn& txn, const OpContext& ctx,
                      const std::string& name);

// Decodes an AttributeValue map (Key, Item) with the value rules; throws
// ValidationException with the first violation.
Item DecodeItemOrThrow(const rapidjson::Value& json);

// A Key parameter: exactly the table's key attributes with their types,
// non-empty, within the key size limits. Throws ValidationException.
void ValidateKey(const TableDef& table, const Item& key);
// An Item parameter: contains the key attributes with the right types.
void ValidateItemKey(const TableDef& table, const Item& item);
// The key attributes of `item`.
Item ExtractKey(const TableDef& table, const Item& item);

enum class CapacityMode { kNone, kTotal, kIndexes };
CapacityMode ParseCapacityMode(const rapidjson::Value& request);

// DynamoDB's capacity arithmetic: writes in 1 KB units, reads in 4 KB units
// (halved when eventually consistent), at least one unit.
double WriteUnits(size_t item_bytes);
double ReadUnits(size_t item_bytes, bool consistent);

// Writes "ConsumedCapacity": {...} into an open object (nothing for kNone).
void WriteConsumedCapacity(JsonWriter& writer, CapacityMode mode,
                           const std::string& table_name, double units);

// Writes a "ProvisionedThroughput" member (of a table or a GSI).
void WriteProvisionedThroughput(JsonWriter& writer, int64_t read_capacity,
                                int64_t write_capacity);

// Writes the TableDescription object (the value of "Table" or
// "TableDescription").
// `index_stats` runs parallel to table.indexes (index_common.h's
// ReadIndexStats); missing entries are reported as empty indexes.
void WriteTableDescription(JsonWriter& writer, const TableDef& table,
                           const TableStats& stats, const char* status,
                           const std::vector<TableStats>& index_stats = {});

// The item's secondary-index key attributes, before any write of `item`:
// an attribute that is present must have the index's type and, if S or B,
// be non-empty (an absent one just keeps the item out of the index).
// Throws ValidationException with DynamoDB's messages.
void ValidateIndexKeys(const TableDef& table, const Item& item);

std::string TableArn(const TableDef& table);

}  // namespace ddb::ops

namespace ddb::ops {

// DynamoDB's rules for mixing the expression parameters of an operation
// (`expressions`, e.g. {"ConditionExpression"}) with their legacy
// counterparts (`legacy`, e.g. {"Expected"}), and for
// ExpressionAttributeNames/Values without any expression. Throws
// ValidationException.
void CheckExpressionParams(const rapidjson::Value& request,
                           std::initializer_list<const char*> expressions,
                           std::initializer_list<const char*> legacy);

// Refuses, by name, parameters DynamoDB accepts but dynalocal does not
// implement yet, rather than ignoring them.
void RejectUnsupported(const rapidjson::Value& request,
                       const std::vector<const char*>& names);

// Serialises {"Attributes": item} style members.
void WriteItemMember(JsonWriter& writer, const char* name, const Item& item);

}  // namespace ddb::ops

namespace ddb::ops {

// Map<String, ExpectedAttributeValue>: the legacy Expected parameter.
const shape::Shape* ExpectedShape();
extern const std::vector<const char*> kReturnValuesValues;
extern const std::vector<const char*> kConditionalOperatorValues;

}  // namespace ddb::ops

namespace ddb::ops {

// A request's ExpressionAttributeNames and ExpressionAttributeValues, and
// which entries its expressions used. Every expression of the request
// resolves through Context(); CheckAllUsed() runs after the last one.
struct ExpressionInputs {
  std::optional<ExpressionAttributeNames> names;
  std::optional<ExpressionAttributeValues> values;
  UsedNames used_names;
  UsedValues used_values;

  ResolveContext Context(std::string_view parameter) {
    return ResolveContext{parameter, names ? &*names : nullptr,
                          values ? &*values : nullptr, &used_names,
                          &used_values};
  }
  // Unused names are reported before unused values, as DynamoDB does.
  void CheckAllUsed() const;
};

// Reads and checks both maps, names first (their messages are in
// attribute_names.h and attribute_values.h). Throws ValidationException.
ExpressionInputs ReadExpressionInputs(const rapidjson::Value& request);

// The write condition of PutItem, DeleteItem and UpdateItem: the legacy
// Expected (+ ConditionalOperator), validated by ReadExpected before the
// expressions, or the ConditionExpression resolved through `inputs`.
std::optional<Condition> ReadExpected(const rapidjson::Value& request);
std::optional<Condition> ReadConditionExpression(
    const rapidjson::Value& request, ExpressionInputs& inputs);

// ReturnValuesOnConditionCheckFailure=ALL_OLD.
bool ReturnOldOnConditionFailure(const rapidjson::Value& request);

// Inside the write transaction: throws ConditionalCheckFailedException when
// `condition` is set and `old_item` (nullopt: no item) does not satisfy it,
// carrying the old item when `return_old` and there is one.
void CheckWriteCondition(const std::optional<Condition>& condition,
                         const std::optional<Item>& old_item, bool return_old);

}  // namespace ddb::ops

namespace ddb::ops {

// DynamoDB's item size limit (400 KB by its size rules).
inline constexpr size_t kItemSizeLimit = 400 * 1024;

// The read projection of GetItem and of each table of BatchGetItem or Get
// of TransactGetItems: AttributesToGet (duplicates refused) or
// ProjectionExpression with its ExpressionAttributeNames (unused names
// refused). nullopt: the whole item. `params` holds those members.
// Throws ValidationException.
std::optional<std::vector<DocumentPath>> ReadProjectionParams(
    const rapidjson::Value& params);

// UpdateItem and a transaction's Update refuse any action whose path starts
// at a key attribute, even a SET to the same value.
void CheckKeyNotUpdated(const TableDef& table, const Update& update);

}  // namespace ddb::ops

namespace ddb::ops {

// ItemCollectionMetrics: with ReturnItemCollectionMetrics=SIZE, DynamoDB
// reports the written item's collection (its partition) only for tables
// with a local secondary index.
struct ItemCollectionMetrics {
  std::string key_name;
  AttributeValue key_value;
  double size_gb = 0;  // the partition's items, summed by DynamoDB's rules
};

bool WantsItemCollectionMetrics(const rapidjson::Value& request);

// Measures the collection of `item` (any item or key of `table`) inside
// `txn`, after the write; nullopt when the table has no local index.
std::optional<ItemCollectionMetrics> MeasureItemCollection(
    const Txn& txn, const TableDef& table, const Item& item);

// "ItemCollectionMetrics": {"ItemCollectionKey": {...},
// "SizeEstimateRangeGB": [lower, upper]} (nothing for nullopt).
void WriteItemCollectionMetrics(
    JsonWriter& writer, const std::optional<ItemCollectionMetrics>& metrics);

}  // namespace ddb::ops
