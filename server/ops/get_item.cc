// GetItem: one item by key from a read snapshot, with an optional
// projection (ProjectionExpression or the legacy AttributesToGet).
#include <set>

#include "core/api_error.h"
#include "expressions/attribute_names.h"
#include "expressions/projection.h"
#include "server/ops/common.h"

namespace ddb::ops {
namespace {

using shape::Member;

const shape::Shape& GetItemShape() {
  static const shape::Shape request{
      shape::Kind::kStruct,
      "GetItemInput",
      {
          Member{.name = "ReturnConsumedCapacity",
                 .shape = shape::String(),
                 .enum_values = kReturnConsumedCapacityValues},
          Member{.name = "AttributesToGet",
                 .shape = shape::StringList(),
                 .min_length = 1,
                 .max_length = 255},
          DataTableNameMember(),
          Member{
              .name = "Key", .shape = shape::AttributeMap(), .not_null = true},
          Member{.name = "ConsistentRead", .shape = shape::Boolean()},
          Member{.name = "ProjectionExpression", .shape = shape::String()},
          Member{.name = "ExpressionAttributeNames",
                 .shape = shape::StringMap()},
      }};
  return request;
}

ExpressionAttributeNames ReadNames(const rapidjson::Value& request) {
  ExpressionAttributeNames names;
  if (const rapidjson::Value* json =
          shape::Find(request, "ExpressionAttributeNames")) {
    for (const auto& member : json->GetObject()) {
      names.emplace(
          std::string(member.name.GetString(), member.name.GetStringLength()),
          std::string(member.value.GetString(),
                      member.value.GetStringLength()));
    }
  }
  return names;
}

}  // namespace

void GetItem(const rapidjson::Value& request, const OpContext& ctx,
             OpCompletion done) {
  shape::Check(request, GetItemShape());
  CheckExpressionParams(request, {"ProjectionExpression"}, {"AttributesToGet"});
  Item key = DecodeItemOrThrow(*shape::Find(request, "Key"));

  std::optional<std::vector<DocumentPath>> projection;
  if (const rapidjson::Value* attributes =
          shape::Find(request, "AttributesToGet")) {
    std::set<std::string> seen;
    projection.emplace();
    for (const auto& name : attributes->GetArray()) {
      std::string text(name.GetString(), name.GetStringLength());
      if (!seen.insert(text).second) {
        throw ApiError::Validation(
            "One or more parameter values were invalid: Duplicate value in "
            "attribute name: " +
            text);
      }
      projection->push_back(DocumentPath{{PathElement::Name(text)}});
    }
  }
  if (shape::Find(request, "ExpressionAttributeNames") != nullptr ||
      shape::Find(request, "ProjectionExpression") != nullptr) {
    ExpressionAttributeNames names = ReadNames(request);
    bool has_names = shape::Find(request, "ExpressionAttributeNames");
    if (has_names) {
      std::string problem = CheckExpressionAttributeNames(names);
      if (!problem.empty()) throw ApiError::Validation(problem);
    }
    UsedNames used;
    if (auto expression = shape::GetString(request, "ProjectionExpression")) {
      projection =
          ParseProjection(*expression, has_names ? &names : nullptr, &used);
    }
    std::string unused = UnusedNamesMessage(names, used);
    if (!unused.empty()) throw ApiError::Validation(unused);
  }

  std::string table_name = *shape::GetString(request, "TableName");
  bool consistent = shape::GetBool(request, "ConsistentRead").value_or(false);
  CapacityMode capacity = ParseCapacityMode(request);

  Txn txn = ctx.storage->BeginRead();
  TableDef table = RequireTable(txn, ctx, table_name);
  ValidateKey(table, key);
  std::optional<Item> item = txn.GetItem(table, key);

  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  if (item) {
    // Capacity is charged on the whole item, whatever the projection keeps.
    size_t bytes = ItemSize(*item);
    if (projection) {
      WriteItemMember(writer, "Item", ApplyProjection(*item, *projection));
    } else {
      WriteItemMember(writer, "Item", *item);
    }
    WriteConsumedCapacity(writer, capacity, table_name,
                          ReadUnits(bytes, consistent));
  } else {
    WriteConsumedCapacity(writer, capacity, table_name,
                          ReadUnits(0, consistent));
  }
  writer.EndObject();
  done(nullptr, buffer.GetString());
}

}  // namespace ddb::ops
