// DescribeTable: the table's full description from one read snapshot.
#include "core/api_error.h"
#include "server/ops/common.h"
#include "server/ops/index_common.h"

namespace ddb::ops {
namespace {

const shape::Shape& DescribeTableShape() {
  static const shape::Shape request{
      shape::Kind::kStruct, "DescribeTableInput", {ControlTableNameMember()}};
  return request;
}

}  // namespace

void DescribeTable(const rapidjson::Value& request, const OpContext& ctx,
                   OpCompletion done) {
  shape::Check(request, DescribeTableShape());
  std::string name = *shape::GetString(request, "TableName");

  Txn txn = ctx.storage->BeginRead();
  TableRef table = txn.GetTable(ctx.ns, name);
  if (!table) {
    throw ApiError::ResourceNotFound(
        "Requested resource not found: Table: " + name + " not found");
  }
  TableStats stats = txn.GetStats(table->id);

  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("Table");
  WriteTableDescription(writer, *table, stats, "ACTIVE",
                        ReadIndexStats(txn, *table));
  writer.EndObject();
  done(nullptr, TakeJson(buffer));
}

}  // namespace ddb::ops
