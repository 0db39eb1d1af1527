// Pieces the multi-item operations (BatchGetItem, BatchWriteItem,
// TransactGetItems, TransactWriteItems) share: constraint messages for the
// members request shapes cannot describe (maps of lists), duplicate-key
// detection, per-table capacity lists and transaction cancellation.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/attribute_value.h"
#include "core/json_codec.h"
#include "server/ops/common.h"
#include "storage/table_def.h"

namespace ddb::ops {

// Collects "Value ... at '...' failed to satisfy constraint: ..." entries
// and throws them as one ValidationException, worded as shape.h does.
class ConstraintErrors {
 public:
  void Add(std::string error) { errors_.push_back(std::move(error)); }
  // `value` is already rendered ("'x'" or "null").
  void Add(const std::string& value, const std::string& path,
           const std::string& constraint);
  // An enum member of the request, when present and not one of `values`.
  void CheckEnum(const rapidjson::Value& request, const char* name,
                 const std::string& path,
                 const std::vector<const char*>& values);
  void ThrowIfAny() const;

 private:
  std::vector<std::string> errors_;
};

// The constraint DynamoDB reports (once, for the whole map) when a table
// name key of RequestItems is invalid.
extern const char kTableNameKeysConstraint[];
bool IsValidTableNameKey(std::string_view name);

// A compact rendering of a JSON value for constraint messages that echo the
// request (DynamoDB prints its Java objects there; the envelope matches).
std::string RenderValue(const rapidjson::Value& json);

// An identity for (table, key) where equal keys (1 and 1.0 included)
// compare equal.
std::string KeyIdentity(const std::string& table, const Item& key);

// The key attributes of a PutRequest/Put item, or ValidationException "The
// provided key element does not match the schema" when one is missing or
// has the wrong type; then the key's own limits (ValidateKey).
Item KeyOfItem(const TableDef& table, const Item& item);

// Capacity consumed per table, in the order tables were first met.
class TableCapacity {
 public:
  void Add(const std::string& table, double units);
  // Writes "ConsumedCapacity": [{...}, ...] (nothing for kNone).
  void Write(JsonWriter& writer, CapacityMode mode) const;

 private:
  std::vector<std::pair<std::string, double>> tables_;
};

// One action's outcome in a cancelled transaction: code "None" for actions
// that would have succeeded.
struct CancellationReason {
  std::string code = "None";
  std::string message;
  std::optional<Item> item;  // ReturnValuesOnConditionCheckFailure=ALL_OLD
};

// TransactionCanceledException, whose message lists the codes in action
// order and whose body carries CancellationReasons.
[[noreturn]] void ThrowTransactionCanceled(
    const std::vector<CancellationReason>& reasons);

}  // namespace ddb::ops
