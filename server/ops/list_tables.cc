// ListTables: the caller's tables in ascending name order, paged by
// Limit/ExclusiveStartTableName.
#include "server/ops/common.h"

namespace ddb::ops {
namespace {

using shape::Member;

const shape::Shape& ListTablesShape() {
  static const shape::Shape request{
      shape::Kind::kStruct,
      "ListTablesInput",
      {
          Member{.name = "Limit",
                 .shape = shape::Integer(),
                 .min_value = 1,
                 .max_value = 100},
          Member{.name = "ExclusiveStartTableName",
                 .shape = shape::String(),
                 .table_name_pattern = true,
                 .min_length = 3,
                 .max_length = 255},
      }};
  return request;
}

}  // namespace

void ListTables(const rapidjson::Value& request, const OpContext& ctx,
                OpCompletion done) {
  shape::Check(request, ListTablesShape());
  size_t limit =
      static_cast<size_t>(shape::GetInt(request, "Limit").value_or(100));
  std::string start =
      shape::GetString(request, "ExclusiveStartTableName").value_or("");

  // One more than asked tells whether another page exists.
  std::vector<std::string> names =
      ctx.storage->BeginRead().ListTables(ctx.ns, start, limit + 1);
  bool more = names.size() > limit;
  if (more) names.resize(limit);

  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  if (more) {
    writer.Key("LastEvaluatedTableName");
    writer.String(names.back());
  }
  writer.Key("TableNames");
  writer.StartArray();
  for (const std::string& name : names) writer.String(name);
  writer.EndArray();
  writer.EndObject();
  done(nullptr, TakeJson(buffer));
}

}  // namespace ddb::ops
