// The operations: one file each under server/ops/. Every handler validates
// the whole request first (touching no storage), then reads, or submits one
// closure to the storage writer.
#pragma once

#include <rapidjson/document.h>

#include <exception>
#include <functional>
#include <string>
#include <string_view>

#include "storage/storage.h"

namespace ddb {

// Who is asking, resolved by the router from the request's credentials.
struct OpContext {
  Storage* storage = nullptr;
  std::string ns;      // catalog namespace
  std::string region;  // for ARNs
  // DynamoDB Local's -delayTransientStatuses (index_common.h).
  bool delay_transient_statuses = false;
};

// Exactly one call per request: an error (ApiError or other) or the JSON
// body of a successful response. May run on the writer thread.
using OpCompletion = std::function<void(std::exception_ptr, std::string)>;

// A handler may throw ApiError synchronously instead of calling `done`.
using OpHandler = void (*)(const rapidjson::Value& request,
                           const OpContext& ctx, OpCompletion done);

// The handler for DynamoDB operation `name` ("PutItem"), or nullptr.
OpHandler FindOperation(std::string_view name);

// True for every operation name DynamoDB_20120810 defines (implemented or
// not), so an unimplemented one can be told apart from an unknown one.
bool IsDynamoDbOperation(std::string_view name);

namespace ops {
void BatchGetItem(const rapidjson::Value&, const OpContext&, OpCompletion);
void BatchWriteItem(const rapidjson::Value&, const OpContext&, OpCompletion);
void CreateTable(const rapidjson::Value&, const OpContext&, OpCompletion);
void DescribeTable(const rapidjson::Value&, const OpContext&, OpCompletion);
void ListTables(const rapidjson::Value&, const OpContext&, OpCompletion);
void DeleteTable(const rapidjson::Value&, const OpContext&, OpCompletion);
void PutItem(const rapidjson::Value&, const OpContext&, OpCompletion);
void GetItem(const rapidjson::Value&, const OpContext&, OpCompletion);
void DeleteItem(const rapidjson::Value&, const OpContext&, OpCompletion);
void UpdateItem(const rapidjson::Value&, const OpContext&, OpCompletion);
void UpdateTable(const rapidjson::Value&, const OpContext&, OpCompletion);
void Query(const rapidjson::Value&, const OpContext&, OpCompletion);
void Scan(const rapidjson::Value&, const OpContext&, OpCompletion);
void TransactGetItems(const rapidjson::Value&, const OpContext&, OpCompletion);
void TransactWriteItems(const rapidjson::Value&, const OpContext&,
                        OpCompletion);
void TagResource(const rapidjson::Value&, const OpContext&, OpCompletion);
void UntagResource(const rapidjson::Value&, const OpContext&, OpCompletion);
void ListTagsOfResource(const rapidjson::Value&, const OpContext&,
                        OpCompletion);
void UpdateTimeToLive(const rapidjson::Value&, const OpContext&, OpCompletion);
void DescribeTimeToLive(const rapidjson::Value&, const OpContext&,
                        OpCompletion);

// At start-up: restarts the backfill of every global secondary index left
// CREATING by a process that stopped mid-backfill (update_table.cc), so the
// index becomes readable instead of staying CREATING. Returns how many.
int ResumeIndexBackfills(Storage& storage);
}  // namespace ops

}  // namespace ddb
