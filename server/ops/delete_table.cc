// DeleteTable: removes the table, all its items and all its index entries
// in one write transaction, and answers with its last description, status
// DELETING, as DynamoDB does.
#include <memory>

#include "core/api_error.h"
#include "server/ops/common.h"
#include "server/ops/index_common.h"

namespace ddb::ops {
namespace {

const shape::Shape& DeleteTableShape() {
  static const shape::Shape request{
      shape::Kind::kStruct, "DeleteTableInput", {ControlTableNameMember()}};
  return request;
}

struct Deleted {
  TableDef table;
  TableStats stats;
  std::vector<TableStats> index_stats;
};

}  // namespace

void DeleteTable(const rapidjson::Value& request, const OpContext& ctx,
                 OpCompletion done) {
  shape::Check(request, DeleteTableShape());
  auto name =
      std::make_shared<std::string>(*shape::GetString(request, "TableName"));
  auto deleted = std::make_shared<Deleted>();
  std::string ns = ctx.ns;
  ctx.storage->SubmitWrite(
      [name, deleted, ns](Txn& txn) {
        TableRef table = txn.GetTable(ns, *name);
        if (!table) {
          throw ApiError::ResourceNotFound(
              "Requested resource not found: Table: " + *name + " not found");
        }
        deleted->stats = txn.GetStats(table->id);
        deleted->index_stats = ReadIndexStats(txn, *table);
        txn.DeleteTable(*table);
        deleted->table = std::move(*table);
      },
      [deleted, done = std::move(done)](std::exception_ptr error) {
        if (error) return done(error, "");
        rapidjson::StringBuffer buffer;
        JsonWriter writer(buffer);
        writer.StartObject();
        writer.Key("TableDescription");
        WriteTableDescription(writer, deleted->table, deleted->stats,
                              "DELETING", deleted->index_stats);
        writer.EndObject();
        done(nullptr, TakeJson(buffer));
      },
      // It deletes every item: a transaction of its own (storage.h).
      WriteScope::kOwn);
}

}  // namespace ddb::ops
