#include <algorithm>
#include <array>
#include <utility>

#include "server/ops/ops.h"

namespace ddb {
namespace {

constexpr std::pair<std::string_view, OpHandler> kImplemented[] = {
    {"BatchGetItem", ops::BatchGetItem},
    {"BatchWriteItem", ops::BatchWriteItem},
    {"CreateTable", ops::CreateTable},
    {"DeleteItem", ops::DeleteItem},
    {"DeleteTable", ops::DeleteTable},
    {"DescribeTable", ops::DescribeTable},
    {"DescribeTimeToLive", ops::DescribeTimeToLive},
    {"GetItem", ops::GetItem},
    {"ListTables", ops::ListTables},
    {"ListTagsOfResource", ops::ListTagsOfResource},
    {"PutItem", ops::PutItem},
    {"Query", ops::Query},
    {"Scan", ops::Scan},
    {"TagResource", ops::TagResource},
    {"TransactGetItems", ops::TransactGetItems},
    {"TransactWriteItems", ops::TransactWriteItems},
    {"UntagResource", ops::UntagResource},
    {"UpdateItem", ops::UpdateItem},
    {"UpdateTable", ops::UpdateTable},
    {"UpdateTimeToLive", ops::UpdateTimeToLive},
};

// Every operation of the DynamoDB_20120810 API (API Reference, "Actions").
constexpr std::string_view kAllOperations[] = {
    "BatchExecuteStatement",
    "BatchGetItem",
    "BatchWriteItem",
    "CreateBackup",
    "CreateGlobalTable",
    "CreateTable",
    "DeleteBackup",
    "DeleteItem",
    "DeleteResourcePolicy",
    "DeleteTable",
    "DescribeBackup",
    "DescribeContinuousBackups",
    "DescribeContributorInsights",
    "DescribeEndpoints",
    "DescribeExport",
    "DescribeGlobalTable",
    "DescribeGlobalTableSettings",
    "DescribeImport",
    "DescribeKinesisStreamingDestination",
    "DescribeLimits",
    "DescribeTable",
    "DescribeTableReplicaAutoScaling",
    "DescribeTimeToLive",
    "DisableKinesisStreamingDestination",
    "EnableKinesisStreamingDestination",
    "ExecuteStatement",
    "ExecuteTransaction",
    "ExportTableToPointInTime",
    "GetItem",
    "GetResourcePolicy",
    "ImportTable",
    "ListBackups",
    "ListContributorInsights",
    "ListExports",
    "ListGlobalTables",
    "ListImports",
    "ListTables",
    "ListTagsOfResource",
    "PutItem",
    "PutResourcePolicy",
    "Query",
    "RestoreTableFromBackup",
    "RestoreTableToPointInTime",
    "Scan",
    "TagResource",
    "TransactGetItems",
    "TransactWriteItems",
    "UntagResource",
    "UpdateContinuousBackups",
    "UpdateContributorInsights",
    "UpdateGlobalTable",
    "UpdateGlobalTableSettings",
    "UpdateItem",
    "UpdateKinesisStreamingDestination",
    "UpdateTable",
    "UpdateTableReplicaAutoScaling",
    "UpdateTimeToLive",
};

}  // namespace

OpHandler FindOperation(std::string_view name) {
  for (const auto& [op_name, handler] : kImplemented) {
    if (op_name == name) return handler;
  }
  return nullptr;
}

bool IsDynamoDbOperation(std::string_view name) {
  return std::find(std::begin(kAllOperations), std::end(kAllOperations),
                   name) != std::end(kAllOperations);
}

}  // namespace ddb
