// Scan: one page of the whole table (or of one parallel-scan segment) in
// item-key order, filtered and projected after the page is read.
#include "core/api_error.h"
#include "server/ops/common.h"
#include "server/ops/read_common.h"
#include "storage/index_scan.h"
#include "storage/key_codec.h"

namespace ddb::ops {
namespace {

using shape::Member;

const shape::Shape& ScanShape() {
  // Declared in the order DynamoDB lists constraint violations.
  static const shape::Shape request{
      shape::Kind::kStruct,
      "ScanInput",
      {
          Member{.name = "Select",
                 .shape = shape::String(),
                 .enum_values = kSelectValues},
          Member{.name = "IndexName",
                 .shape = shape::String(),
                 .table_name_pattern = true,
                 .min_length = 3,
                 .max_length = 255},
          Member{.name = "TotalSegments",
                 .shape = shape::Integer(),
                 .min_value = 1,
                 .max_value = 1000000},
          Member{.name = "ReturnConsumedCapacity",
                 .shape = shape::String(),
                 .enum_values = kReturnConsumedCapacityValues},
          DataTableNameMember(),
          Member{.name = "ConditionalOperator",
                 .shape = shape::String(),
                 .enum_values = kConditionalOperatorValues},
          Member{.name = "ScanFilter", .shape = FilterConditionsShape()},
          Member{.name = "Segment",
                 .shape = shape::Integer(),
                 .min_value = 0,
                 .max_value = 999999},
          Member{.name = "Limit", .shape = shape::Integer(), .min_value = 1},
          Member{.name = "AttributesToGet",
                 .shape = shape::StringList(),
                 .min_length = 1},
          Member{.name = "ExclusiveStartKey", .shape = shape::AttributeMap()},
          Member{.name = "ConsistentRead", .shape = shape::Boolean()},
          Member{.name = "ProjectionExpression", .shape = shape::String()},
          Member{.name = "FilterExpression", .shape = shape::String()},
          Member{.name = "ExpressionAttributeNames",
                 .shape = shape::StringMap()},
          Member{.name = "ExpressionAttributeValues",
                 .shape = shape::AttributeMap()},
      }};
  return request;
}

// Segment and TotalSegments come together, Segment below TotalSegments.
void CheckSegments(const rapidjson::Value& request) {
  std::optional<int64_t> segment = shape::GetInt(request, "Segment");
  std::optional<int64_t> total = shape::GetInt(request, "TotalSegments");
  if (segment && !total) {
    throw ApiError::Validation(
        "The TotalSegments parameter is required but was not present in the "
        "request when Segment parameter is present");
  }
  if (total && !segment) {
    throw ApiError::Validation(
        "The Segment parameter is required but was not present in the "
        "request when parameter TotalSegments is present");
  }
  if (segment && *segment >= *total) {
    throw ApiError::Validation(
        "The Segment parameter is zero-based and must be less than parameter "
        "TotalSegments: Segment: " +
        std::to_string(*segment) +
        " is not less than TotalSegments: " + std::to_string(*total));
  }
}

}  // namespace

void Scan(const rapidjson::Value& request, const OpContext& ctx,
          OpCompletion done) {
  shape::Check(request, ScanShape());
  CheckExpressionParams(
      request, {"ProjectionExpression", "FilterExpression"},
      {"AttributesToGet", "ScanFilter", "ConditionalOperator"});
  ReadRequest read;
  read.filter = ReadLegacyFilter(request, "ScanFilter");
  std::optional<std::vector<DocumentPath>> projection =
      ReadAttributesToGet(request);
  read.exclusive_start_key = ReadExclusiveStartKey(request);
  CheckSegments(request);
  read.select = ReadSelect(request);

  ExpressionInputs inputs = ReadExpressionInputs(request);
  if (std::optional<std::string> text =
          shape::GetString(request, "FilterExpression")) {
    read.filter = ParseCondition(*text, inputs.Context("FilterExpression"));
  }
  if (std::optional<std::string> text =
          shape::GetString(request, "ProjectionExpression")) {
    projection = ParseProjection(*text, inputs.names ? &*inputs.names : nullptr,
                                 &inputs.used_names);
  }
  inputs.CheckAllUsed();
  if (projection)
    read.projection = std::make_unique<ProjectionTree>(*projection);

  read.table_name = *shape::GetString(request, "TableName");
  read.limit = shape::GetInt(request, "Limit").value_or(0);
  read.consistent = shape::GetBool(request, "ConsistentRead").value_or(false);
  read.capacity = ParseCapacityMode(request);
  const std::optional<int64_t> segment = shape::GetInt(request, "Segment");
  const uint64_t total = static_cast<uint64_t>(
      shape::GetInt(request, "TotalSegments").value_or(1));

  Txn txn = ctx.storage->BeginRead();
  const TableRef table_ref = RequireTable(txn, ctx, read.table_name);
  const TableDef& table = *table_ref;
  read.index = ResolveIndex(request, table, read.select);
  const IndexDef* index = read.index;
  RangeScan scan;
  if (index != nullptr) {
    scan = segment ? IndexSegmentScan(table, *index,
                                      static_cast<uint64_t>(*segment), total)
                   : IndexFullScan(table, *index);
  } else {
    scan = segment ? SegmentScan(table, static_cast<uint64_t>(*segment), total)
                   : TableScan(table);
  }
  if (read.exclusive_start_key) {
    if (index != nullptr) {
      ValidateIndexStartKey(table, *index, *read.exclusive_start_key);
    } else {
      ValidateStartKey(table, *read.exclusive_start_key);
    }
    const std::string start =
        EncodeStartKey(table, index, *read.exclusive_start_key);
    const bool in_segment =
        !segment ||
        (index != nullptr
             ? IndexKeyInSegment(start, static_cast<uint64_t>(*segment), total)
             : KeyInSegment(start, static_cast<uint64_t>(*segment), total));
    if (!in_segment) {
      throw ApiError::Validation(
          "The provided starting key is invalid: Invalid ExclusiveStartKey. "
          "Please use ExclusiveStartKey with correct Segment. TotalSegments: " +
          std::to_string(total) + " Segment: " + std::to_string(*segment));
    }
  }
  done(nullptr, RunPage(txn, table, scan, read));
}

}  // namespace ddb::ops
