// UpdateTimeToLive and DescribeTimeToLive: the TimeToLiveSpecification is
// stored with the table in the catalog (TableDef::ttl_enabled and
// ttl_attribute).
//
// Only the setting is implemented: items whose TTL attribute lies in the
// past are NOT deleted yet (there is no background sweeper), so they stay
// readable until deleted by a request.
#include <memory>

#include "core/api_error.h"
#include "server/ops/common.h"

namespace ddb::ops {
namespace {

using shape::Member;
using shape::Shape;

const Shape& UpdateTimeToLiveShape() {
  static const Shape specification{
      shape::Kind::kStruct,
      "TimeToLiveSpecification",
      {Member{.name = "Enabled", .shape = shape::Boolean(), .not_null = true},
       Member{.name = "AttributeName",
              .shape = shape::String(),
              .not_null = true,
              .min_length = 1,
              .max_length = 255}}};
  static const Shape request{
      shape::Kind::kStruct,
      "UpdateTimeToLiveInput",
      {ControlTableNameMember(), Member{.name = "TimeToLiveSpecification",
                                        .shape = &specification,
                                        .not_null = true}}};
  return request;
}

const Shape& DescribeTimeToLiveShape() {
  static const Shape request{shape::Kind::kStruct,
                             "DescribeTimeToLiveInput",
                             {ControlTableNameMember()}};
  return request;
}

ApiError TableNotFound(const std::string& name) {
  return ApiError::ResourceNotFound(
      "Requested resource not found: Table: " + name + " not found");
}

struct TtlUpdate {
  std::string name;
  bool enabled = false;
  std::string attribute;
};

}  // namespace

void UpdateTimeToLive(const rapidjson::Value& request, const OpContext& ctx,
                      OpCompletion done) {
  shape::Check(request, UpdateTimeToLiveShape());
  auto update = std::make_shared<TtlUpdate>();
  update->name = *shape::GetString(request, "TableName");
  const rapidjson::Value& spec =
      *shape::Find(request, "TimeToLiveSpecification");
  update->enabled = *shape::GetBool(spec, "Enabled");
  update->attribute = *shape::GetString(spec, "AttributeName");

  ctx.storage->SubmitWrite(
      [update, ns = ctx.ns](Txn& txn) {
        TableRef table = txn.GetTable(ns, update->name);
        if (!table) throw TableNotFound(update->name);
        // DynamoDB refuses a request that would not change the state, and
        // an attribute change while enabled (it needs a disable first).
        if (update->enabled && table->ttl_enabled) {
          throw ApiError::Validation("TimeToLive is already enabled");
        }
        if (!update->enabled && !table->ttl_enabled) {
          throw ApiError::Validation("TimeToLive is already disabled");
        }
        TableDef updated = *table;
        updated.ttl_enabled = update->enabled;
        updated.ttl_attribute = update->enabled ? update->attribute : "";
        txn.UpdateTable(updated);
      },
      [update, done = std::move(done)](std::exception_ptr error) {
        if (error) return done(error, "");
        rapidjson::StringBuffer buffer;
        JsonWriter writer(buffer);
        writer.StartObject();
        writer.Key("TimeToLiveSpecification");
        writer.StartObject();
        writer.Key("Enabled");
        writer.Bool(update->enabled);
        writer.Key("AttributeName");
        writer.String(
            update->attribute.c_str(),
            static_cast<rapidjson::SizeType>(update->attribute.size()));
        writer.EndObject();
        writer.EndObject();
        done(nullptr, TakeJson(buffer));
      });
}

void DescribeTimeToLive(const rapidjson::Value& request, const OpContext& ctx,
                        OpCompletion done) {
  shape::Check(request, DescribeTimeToLiveShape());
  const std::string name = *shape::GetString(request, "TableName");
  Txn txn = ctx.storage->BeginRead();
  TableRef table = txn.GetTable(ctx.ns, name);
  if (!table) throw TableNotFound(name);

  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("TimeToLiveDescription");
  writer.StartObject();
  // The change is immediate here, so ENABLING/DISABLING are never reported.
  writer.Key("TimeToLiveStatus");
  writer.String(table->ttl_enabled ? "ENABLED" : "DISABLED");
  if (table->ttl_enabled) {
    writer.Key("AttributeName");
    writer.String(
        table->ttl_attribute.c_str(),
        static_cast<rapidjson::SizeType>(table->ttl_attribute.size()));
  }
  writer.EndObject();
  writer.EndObject();
  done(nullptr, TakeJson(buffer));
}

}  // namespace ddb::ops
