#include "server/ops/read_common.h"

#include <regex>
#include <set>

#include "core/api_error.h"
#include "core/json_codec.h"
#include "expressions/legacy.h"
#include "server/ops/index_common.h"
#include "storage/index_codec.h"
#include "storage/item_codec.h"
#include "storage/key_codec.h"

namespace ddb::ops {

const std::vector<const char*> kSelectValues = {"SPECIFIC_ATTRIBUTES", "COUNT",
                                                "ALL_ATTRIBUTES",
                                                "ALL_PROJECTED_ATTRIBUTES"};

const shape::Shape* FilterConditionsShape() {
  using shape::Member;
  static const shape::Shape condition{
      shape::Kind::kStruct,
      "Condition",
      {
          Member{.name = "AttributeValueList", .shape = shape::AttributeList()},
          Member{.name = "ComparisonOperator",
                 .shape = shape::String(),
                 .not_null = true,
                 .enum_values = {"IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS",
                                 "EQ", "GT", "NOT_NULL", "NE", "LE",
                                 "BEGINS_WITH", "GE", "CONTAINS"}},
      }};
  static const shape::Shape conditions{
      shape::Kind::kMap, nullptr, {}, &condition};
  return &conditions;
}

std::optional<Condition> ReadLegacyFilter(const rapidjson::Value& request,
                                          const char* member) {
  const rapidjson::Value* filter = shape::Find(request, member);
  if (filter == nullptr) return std::nullopt;
  // A filter entry is an Expected entry without Value/Exists.
  return ParseExpected(*filter,
                       shape::GetString(request, "ConditionalOperator"));
}

Select ReadSelect(const rapidjson::Value& request) {
  const bool has_expression =
      shape::Find(request, "ProjectionExpression") != nullptr;
  const bool has_attributes =
      shape::Find(request, "AttributesToGet") != nullptr;
  std::optional<std::string> select = shape::GetString(request, "Select");
  if (!select) {
    if (has_expression || has_attributes) return Select::kSpecific;
    // DynamoDB reads an index's projection unless told otherwise.
    return shape::Find(request, "IndexName") != nullptr
               ? Select::kAllProjected
               : Select::kAllAttributes;
  }
  if (*select == "SPECIFIC_ATTRIBUTES") {
    if (!has_expression && !has_attributes) {
      throw ApiError::Validation(
          "Must specify the AttributesToGet or ProjectionExpression when "
          "choosing to get SPECIFIC_ATTRIBUTES");
    }
    return Select::kSpecific;
  }
  // DynamoDB names the rejected parameter and what was chosen; COUNT reads
  // "only the Count".
  const std::string chosen =
      *select == "COUNT" ? std::string("only the Count") : *select;
  if (has_expression) {
    throw ApiError::Validation(
        "Cannot specify the ProjectionExpression when choosing to get " +
        chosen);
  }
  if (has_attributes) {
    throw ApiError::Validation(
        "Cannot specify the AttributesToGet when choosing to get " + chosen);
  }
  if (*select == "ALL_PROJECTED_ATTRIBUTES") {
    // AWS says "Querying" on a Scan too.
    if (shape::Find(request, "IndexName") == nullptr) {
      throw ApiError::Validation(
          "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an "
          "IndexName");
    }
    return Select::kAllProjected;
  }
  return *select == "COUNT" ? Select::kCount : Select::kAllAttributes;
}

std::optional<std::vector<DocumentPath>> ReadAttributesToGet(
    const rapidjson::Value& request) {
  const rapidjson::Value* attributes = shape::Find(request, "AttributesToGet");
  if (attributes == nullptr) return std::nullopt;
  std::vector<DocumentPath> paths;
  std::set<std::string> seen;
  for (const auto& name : attributes->GetArray()) {
    std::string text(name.GetString(), name.GetStringLength());
    if (!seen.insert(text).second) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: Duplicate value in "
          "attribute name: " +
          text);
    }
    paths.push_back(DocumentPath{{PathElement::Name(std::move(text))}});
  }
  return paths;
}

std::optional<Item> ReadExclusiveStartKey(const rapidjson::Value& request) {
  const rapidjson::Value* json = shape::Find(request, "ExclusiveStartKey");
  if (json == nullptr) return std::nullopt;
  Item key;
  std::string error = DecodeItem(*json, &key);
  if (!error.empty()) {
    // DynamoDB leaves the prefix off its number and set messages.
    static const std::regex kBare(
        "contains duplicates|number set|numeric value|significant "
        "digits|number with magnitude");
    if (!std::regex_search(error, kBare)) {
      error = "The provided starting key is invalid: " + error;
    }
    throw ApiError::Validation(error);
  }
  return key;
}

const IndexDef* ResolveIndex(const rapidjson::Value& request,
                             const TableDef& table, Select select) {
  std::optional<std::string> name = shape::GetString(request, "IndexName");
  if (!name) return nullptr;
  const IndexDef* index = table.FindIndex(*name);
  if (index == nullptr) {
    throw ApiError::Validation("The table does not have the specified index: " +
                               *name);
  }
  if (index->backfilling || IndexHeldCreating(table.id, index->id)) {
    throw ApiError::Validation(
        "Cannot read from backfilling global secondary index: " + *name);
  }
  if (index->global) {
    if (shape::GetBool(request, "ConsistentRead").value_or(false)) {
      throw ApiError::Validation(
          "Consistent reads are not supported on global secondary indexes");
    }
    if (select == Select::kAllAttributes &&
        index->projection != ProjectionType::kAll) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: Select type "
          "ALL_ATTRIBUTES is not supported for global secondary index " +
          *name + " because its projection type is not ALL");
    }
  }
  return index;
}

namespace {

// The attributes a start key on `index` must hold: the table's keys, then
// the index's that are not among them.
std::vector<KeyAttribute> IndexStartKeyAttributes(const TableDef& table,
                                                  const IndexDef& index) {
  std::vector<KeyAttribute> keys = {table.hash_key};
  if (table.range_key) keys.push_back(*table.range_key);
  for (const auto* list : {&index.hash_keys, &index.range_keys}) {
    for (const KeyAttribute& key : *list) {
      bool seen = false;
      for (const KeyAttribute& k : keys) seen = seen || k.name == key.name;
      if (!seen) keys.push_back(key);
    }
  }
  return keys;
}

}  // namespace

void ValidateIndexStartKey(const TableDef& table, const IndexDef& index,
                           const Item& key) {
  const std::vector<KeyAttribute> keys = IndexStartKeyAttributes(table, index);
  auto mismatch = [] {
    return ApiError::Validation(
        "The provided starting key is invalid: The provided key element does "
        "not match the schema");
  };
  if (key.size() != keys.size()) throw mismatch();
  for (const KeyAttribute& attribute : keys) {
    auto it = key.find(attribute.name);
    if (it == key.end() || it->second.type != attribute.type) throw mismatch();
  }
}

std::string EncodeStartKey(const TableDef& table, const IndexDef* index,
                           const Item& key) {
  std::string item_key = EncodeItemKey(table, key);
  if (index == nullptr) return item_key;
  return EncodeIndexKey(*index, key, item_key);
}

void ValidateStartKey(const TableDef& table, const Item& key) {
  try {
    ValidateKey(table, key);
  } catch (const ApiError& error) {
    throw ApiError::Validation("The provided starting key is invalid: " +
                               error.message());
  }
}

namespace {

void CollectOperandNames(const Operand& operand,
                         std::vector<std::string>* out) {
  if (operand.kind == Operand::Kind::kPath && !operand.path.elements.empty() &&
      !operand.path.elements[0].is_index()) {
    out->push_back(operand.path.elements[0].name);
  }
  for (const Operand& arg : operand.args) CollectOperandNames(arg, out);
}

}  // namespace

std::vector<std::string> ConditionAttributeNames(const Condition& condition) {
  std::vector<std::string> names;
  for (const Operand& operand : condition.operands) {
    CollectOperandNames(operand, &names);
  }
  for (const Condition& child : condition.children) {
    for (std::string& name : ConditionAttributeNames(child)) {
      names.push_back(std::move(name));
    }
  }
  return names;
}

namespace {

// Whether a page can be served straight from the stored encodings: whole
// table items (no index to join), nothing that must look inside an item
// (filter, projection) and no exact key re-check (which needs the decoded
// key attributes).
bool CanReadEncoded(const RangeScan& scan, const ReadRequest& request) {
  return scan.index == nullptr && request.index == nullptr && !request.filter &&
         !request.projection && !scan.exact_pk && !scan.exact_sk &&
         !scan.exact_match;
}

// ReadRange (storage/range_scan.cc) for scans CanReadEncoded accepts, with
// the same walk (SeekRangeStart, KeyInRange), page limit and 1 MB budget,
// but without decoding items: each item's JSON goes to `writer` (when set)
// from its encoding. `last` is left on the encoding of the last item read,
// which stays valid while `txn` is open.
RangeScanResult ReadEncodedRange(const Txn& txn, const RangeScan& scan,
                                 JsonWriter* writer, std::string_view* last) {
  RangeScanResult result;
  Cursor cursor(txn, txn.items_dbi());
  for (bool on = SeekRangeStart(cursor, scan); on;
       on = scan.forward ? cursor.Next() : cursor.Prev()) {
    if (!KeyInRange(scan, cursor.key())) break;
    const std::string_view encoded = cursor.value();
    // The size comes first, from its own walk: the item that would cross
    // the budget must not reach the page, and the walk (lengths and number
    // digits only) is cheap beside writing the JSON. (Writing to a scratch
    // buffer and adding it with Writer::RawValue was slower than decoding:
    // RawValue transcodes its input character by character.)
    const size_t size = StoredItemSize(encoded);
    if (result.scanned > 0 && result.bytes_read + size > scan.byte_budget) {
      result.stopped_early = true;
      break;
    }
    if (writer != nullptr) WriteStoredItemJson(encoded, *writer);
    *last = encoded;
    ++result.scanned;
    result.bytes_read += size;
    if (scan.limit != 0 && result.scanned >= scan.limit) {
      result.stopped_early = true;
      break;
    }
  }
  return result;
}

}  // namespace

std::string RunPage(const Txn& txn, const TableDef& table, RangeScan& scan,
                    const ReadRequest& request) {
  scan.limit = static_cast<size_t>(request.limit);
  if (request.exclusive_start_key) {
    scan.start_after =
        EncodeStartKey(table, request.index, *request.exclusive_start_key);
  }
  const IndexDef* index = request.index;
  // An LSI read that asks for attributes beyond the projection fetches them
  // from the table, as DynamoDB does; a GSI only has its projection.
  const bool whole_item =
      index == nullptr || index->projection == ProjectionType::kAll ||
      (!index->global && (request.select == Select::kAllAttributes ||
                          request.select == Select::kSpecific));

  // Pages run to 1 MB; start big enough that most never regrow.
  rapidjson::StringBuffer buffer(nullptr, 64 * 1024);
  JsonWriter writer(buffer);
  writer.StartObject();
  const bool write_items = request.select != Select::kCount;
  if (write_items) {
    writer.Key("Items");
    writer.StartArray();
  }
  size_t count = 0;
  // Only the last item read's key is kept: memory stays bounded by the page
  // being written, not by what was read.
  Item last_key;
  RangeScanResult result;
  if (CanReadEncoded(scan, request)) {
    // Without filter or projection every item read is returned as stored:
    // write its JSON from the encoding rather than decode it into an Item
    // and encode that (a quarter of Query/Scan CPU, bench/RESULTS.md).
    std::string_view last;
    result =
        ReadEncodedRange(txn, scan, write_items ? &writer : nullptr, &last);
    count = result.scanned;
    if (result.stopped_early) last_key = ExtractKey(table, DecodeItem(last));
  } else {
    result = ReadRange(txn, scan, [&](const Item& stored) {
      last_key = ExtractKey(table, stored);
      std::optional<Item> projected;
      if (index != nullptr) {
        for (const auto* keys : {&index->hash_keys, &index->range_keys}) {
          for (const KeyAttribute& key : *keys) {
            last_key.insert_or_assign(key.name, stored.at(key.name));
          }
        }
        if (!whole_item) projected = ProjectForIndex(table, *index, stored);
      }
      const Item& item = projected ? *projected : stored;
      if (request.filter && !EvaluateCondition(*request.filter, item)) return;
      ++count;
      if (!write_items) return;
      if (request.projection) {
        WriteItem(request.projection->Apply(item), writer);
      } else {
        WriteItem(item, writer);
      }
    });
  }
  if (write_items) writer.EndArray();
  writer.Key("Count");
  writer.Uint64(count);
  writer.Key("ScannedCount");
  writer.Uint64(result.scanned);
  if (result.stopped_early)
    WriteItemMember(writer, "LastEvaluatedKey", last_key);
  WriteConsumedCapacity(writer, request.capacity, request.table_name,
                        ReadUnits(result.bytes_read, request.consistent));
  writer.EndObject();
  return TakeJson(buffer);
}

}  // namespace ddb::ops
