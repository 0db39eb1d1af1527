// UpdateTable: billing mode and throughput changes, AttributeDefinitions
// additions, and one GlobalSecondaryIndexUpdates change per call (Create,
// Delete, or a throughput Update), as DynamoDB allows.
//
// A created GSI is stored CREATING with Backfilling true and maintained by
// every write from that commit on; the existing items are then indexed in
// chunks, each its own write transaction on the writer thread, so other
// writes interleave with a long backfill. The last chunk turns the index
// ACTIVE in the same transaction that indexes the last items. A backfill
// cut short (the process stopped, or a chunk failed on a full database) is
// restarted when the server next starts (ResumeIndexBackfills).
#include <spdlog/spdlog.h>

#include <memory>
#include <vector>

#include "core/api_error.h"
#include "server/ops/common.h"
#include "server/ops/index_common.h"

namespace ddb::ops {
namespace {

using shape::Member;
using shape::Shape;

// Items indexed per backfill transaction: short enough that queued writes
// wait milliseconds, not seconds.
constexpr size_t kBackfillChunkItems = 1000;

const Shape& UpdateTableShape() {
  static const Shape index_name_only{shape::Kind::kStruct,
                                     "DeleteGlobalSecondaryIndexAction",
                                     {Member{.name = "IndexName",
                                             .shape = shape::String(),
                                             .not_null = true,
                                             .table_name_pattern = true,
                                             .min_length = 3,
                                             .max_length = 255}}};
  static const Shape update_action{
      shape::Kind::kStruct,
      "UpdateGlobalSecondaryIndexAction",
      {Member{.name = "IndexName",
              .shape = shape::String(),
              .not_null = true,
              .table_name_pattern = true,
              .min_length = 3,
              .max_length = 255},
       Member{.name = "ProvisionedThroughput",
              .shape = ProvisionedThroughputShape()}}};
  static const Shape index_update{
      shape::Kind::kStruct,
      "GlobalSecondaryIndexUpdate",
      {
          Member{.name = "Update", .shape = &update_action},
          Member{.name = "Create", .shape = GlobalSecondaryIndexShape()},
          Member{.name = "Delete", .shape = &index_name_only},
      }};
  static const Shape index_updates{
      shape::Kind::kList, nullptr, {}, &index_update};
  static const Shape any_struct{shape::Kind::kStruct, "Object", {}};
  static const Shape any_list{shape::Kind::kList, nullptr, {}, &any_struct};
  static const Shape request{
      shape::Kind::kStruct,
      "UpdateTableInput",
      {
          Member{.name = "AttributeDefinitions",
                 .shape = AttributeDefinitionsShape()},
          ControlTableNameMember(),
          Member{.name = "BillingMode",
                 .shape = shape::String(),
                 .enum_values = {"PROVISIONED", "PAY_PER_REQUEST"}},
          Member{.name = "ProvisionedThroughput",
                 .shape = ProvisionedThroughputShape()},
          Member{.name = "GlobalSecondaryIndexUpdates",
                 .shape = &index_updates},
          Member{.name = "StreamSpecification", .shape = &any_struct},
          Member{.name = "SSESpecification", .shape = &any_struct},
          Member{.name = "ReplicaUpdates", .shape = &any_list},
          Member{.name = "TableClass",
                 .shape = shape::String(),
                 .enum_values = {"STANDARD", "STANDARD_INFREQUENT_ACCESS"}},
          Member{.name = "DeletionProtectionEnabled",
                 .shape = shape::Boolean()},
          Member{.name = "OnDemandThroughput", .shape = &any_struct},
          Member{.name = "WarmThroughput", .shape = &any_struct},
      }};
  return request;
}

AttrType ScalarType(const std::string& letter) {
  if (letter == "N") return AttrType::kN;
  if (letter == "B") return AttrType::kB;
  return AttrType::kS;
}

struct UpdateRequest {
  std::string name;
  std::optional<std::string> billing;
  std::optional<std::pair<int64_t, int64_t>> throughput;  // read, write
  std::vector<AttributeDefinition> definitions;
  // Parsed from the request before the write (validated again inside it).
  std::string index_action;  // "", "Create", "Delete", "Update"
  std::string index_name;
  std::optional<rapidjson::Document> create_json;  // a copy of Create
  std::optional<std::pair<int64_t, int64_t>> index_throughput;
  // Filled by the writer.
  std::optional<IndexDef> deleted_index;  // the GSI a Delete removed
  TableDef table;
  TableStats stats;
  std::vector<TableStats> index_stats;
};

void ApplyTableUpdate(UpdateRequest& req, TableDef& table) {
  const bool was_on_demand = table.pay_per_request;
  if (req.billing) table.pay_per_request = *req.billing == "PAY_PER_REQUEST";
  if (table.pay_per_request) {
    if (req.throughput) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: Neither "
          "ReadCapacityUnits nor WriteCapacityUnits can be specified when "
          "BillingMode is PAY_PER_REQUEST");
    }
    table.read_capacity = table.write_capacity = 0;
    for (IndexDef& index : table.indexes) {
      index.read_capacity = index.write_capacity = 0;
    }
  } else if (req.throughput) {
    if (!was_on_demand && req.throughput->first == table.read_capacity &&
        req.throughput->second == table.write_capacity) {
      const std::string r = std::to_string(table.read_capacity);
      const std::string w = std::to_string(table.write_capacity);
      throw ApiError::Validation(
          "The provisioned throughput for the table will not change. The "
          "requested value equals the current value. Current "
          "ReadCapacityUnits provisioned for the table: " +
          r + ". Requested ReadCapacityUnits: " + r +
          ". Current WriteCapacityUnits provisioned for the table: " + w +
          ". Requested WriteCapacityUnits: " + w +
          ". Refer to the Amazon DynamoDB Developer Guide for current limits "
          "and how to request higher limits.");
    }
    table.read_capacity = req.throughput->first;
    table.write_capacity = req.throughput->second;
    if (was_on_demand) {
      for (IndexDef& index : table.indexes) {
        if (!index.global) continue;
        index.read_capacity = table.read_capacity;
        index.write_capacity = table.write_capacity;
      }
    }
  } else if (was_on_demand) {
    // Only reachable by switching to PROVISIONED.
    throw ApiError::Validation(
        "One or more parameter values were invalid: ProvisionedThroughput "
        "must be specified when BillingMode is PROVISIONED");
  }

  for (const AttributeDefinition& d : req.definitions) {
    bool known = false;
    for (const AttributeDefinition& existing : table.attribute_definitions) {
      known = known || existing.name == d.name;
    }
    if (!known) table.attribute_definitions.push_back(d);
  }

  if (req.index_action == "Create") {
    if (table.FindIndex(req.index_name) != nullptr) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: Index with name: " +
          req.index_name + " already exists");
    }
    IndexDef index = ParseIndex(*req.create_json, true, table);
    index.id = table.next_index_id++;
    index.backfilling = true;
    table.indexes.push_back(std::move(index));
    CheckIndexSet(table);
    size_t globals = 0;
    for (const IndexDef& i : table.indexes) globals += i.global ? 1 : 0;
    if (globals > kMaxGlobalIndexes) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: GlobalSecondaryIndex "
          "count exceeds the per-table limit of 20");
    }
  } else if (req.index_action == "Delete" || req.index_action == "Update") {
    const IndexDef* index = table.FindIndex(req.index_name);
    if (index == nullptr || !index->global) {
      throw ApiError::ResourceNotFound(
          "Requested resource not found: Requested index " + req.index_name +
          " not found");
    }
    if (req.index_action == "Update" && req.index_throughput) {
      for (IndexDef& i : table.indexes) {
        if (i.name != req.index_name) continue;
        i.read_capacity = req.index_throughput->first;
        i.write_capacity = req.index_throughput->second;
      }
    }
  }
  // Definitions no key uses any more are dropped, as DynamoDB's description
  // lists only the key attributes in use.
  std::vector<AttributeDefinition> used;
  for (const AttributeDefinition& d : table.attribute_definitions) {
    bool is_key = d.name == table.hash_key.name ||
                  (table.range_key && d.name == table.range_key->name);
    for (const IndexDef& index : table.indexes) {
      if (req.index_action == "Delete" && index.name == req.index_name) {
        continue;
      }
      for (const auto* keys : {&index.hash_keys, &index.range_keys}) {
        for (const KeyAttribute& key : *keys) {
          is_key = is_key || key.name == d.name;
        }
      }
    }
    if (is_key) used.push_back(d);
  }
  table.attribute_definitions = std::move(used);
}

struct Backfill {
  std::string ns;
  std::string table_name;
  uint64_t table_id = 0;
  uint32_t index_id = 0;
  std::string after;  // the last item key indexed so far
};

// One chunk; queues the next from its completion until the table is done
// (or the table or index is gone).
void RunBackfill(Storage* storage, std::shared_ptr<Backfill> state) {
  auto more = std::make_shared<bool>(false);
  storage->SubmitWrite(
      [state, more](Txn& txn) {
        TableRef found = txn.GetTable(state->ns, state->table_name);
        if (!found || found->id != state->table_id) return;
        // A copy to edit: the catalog's definitions are shared.
        std::optional<TableDef> table = *found;
        IndexDef* index = nullptr;
        for (IndexDef& i : table->indexes) {
          if (i.id == state->index_id) index = &i;
        }
        if (index == nullptr || !index->backfilling) return;
        std::optional<std::string> last = txn.BackfillIndex(
            *table, *index, state->after, kBackfillChunkItems);
        if (last) {
          state->after = std::move(*last);
          *more = true;
          return;
        }
        index->backfilling = false;
        txn.UpdateTable(*table);
      },
      [storage, state, more](std::exception_ptr error) {
        if (error || !*more) return;
        RunBackfill(storage, state);
      });
}

}  // namespace

int ResumeIndexBackfills(Storage& storage) {
  std::vector<TableDef> tables = storage.BeginRead().AllTables();
  int resumed = 0;
  for (const TableDef& table : tables) {
    for (const IndexDef& index : table.indexes) {
      if (!index.backfilling) continue;
      // From the first item again: entries already made are kept
      // (Txn::BackfillIndex), so a restart costs time, not correctness.
      auto state = std::make_shared<Backfill>();
      state->ns = table.ns;
      state->table_name = table.name;
      state->table_id = table.id;
      state->index_id = index.id;
      spdlog::info("resuming the backfill of index {} of table {}", index.name,
                   table.name);
      RunBackfill(&storage, state);
      ++resumed;
    }
  }
  return resumed;
}

void UpdateTable(const rapidjson::Value& request, const OpContext& ctx,
                 OpCompletion done) {
  shape::Check(request, UpdateTableShape());
  RejectUnsupported(
      request, {"StreamSpecification", "SSESpecification", "ReplicaUpdates",
                "OnDemandThroughput", "WarmThroughput"});
  auto req = std::make_shared<UpdateRequest>();
  req->name = *shape::GetString(request, "TableName");
  req->billing = shape::GetString(request, "BillingMode");
  if (const rapidjson::Value* t =
          shape::Find(request, "ProvisionedThroughput")) {
    req->throughput.emplace(*shape::GetInt(*t, "ReadCapacityUnits"),
                            *shape::GetInt(*t, "WriteCapacityUnits"));
  }
  if (const rapidjson::Value* defs =
          shape::Find(request, "AttributeDefinitions")) {
    for (const auto& d : defs->GetArray()) {
      req->definitions.push_back(
          {*shape::GetString(d, "AttributeName"),
           ScalarType(*shape::GetString(d, "AttributeType"))});
    }
  }
  const rapidjson::Value* updates =
      shape::Find(request, "GlobalSecondaryIndexUpdates");
  if (updates != nullptr) {
    if (updates->Size() > 1) {
      throw ApiError::Validation(
          "One or more parameter values were invalid: Only one global "
          "secondary index update per UpdateTable call is supported");
    }
    if (updates->Size() == 1) {
      const rapidjson::Value& update = (*updates)[0];
      int actions = 0;
      for (const char* action : {"Create", "Delete", "Update"}) {
        const rapidjson::Value* body = shape::Find(update, action);
        if (body == nullptr) continue;
        ++actions;
        req->index_action = action;
        req->index_name = *shape::GetString(*body, "IndexName");
        if (std::string_view(action) == "Create") {
          req->create_json.emplace();
          req->create_json->CopyFrom(*body, req->create_json->GetAllocator());
        }
        if (const rapidjson::Value* t =
                shape::Find(*body, "ProvisionedThroughput");
            t != nullptr && std::string_view(action) == "Update") {
          req->index_throughput.emplace(
              *shape::GetInt(*t, "ReadCapacityUnits"),
              *shape::GetInt(*t, "WriteCapacityUnits"));
        }
      }
      if (actions != 1) {
        throw ApiError::Validation(
            "One or more parameter values were invalid: One of GlobalSecondary"
            "IndexUpdate.Create, Update or Delete must be specified");
      }
    }
  }
  if (!req->billing && !req->throughput && req->index_action.empty() &&
      !shape::Find(request, "DeletionProtectionEnabled") &&
      !shape::Find(request, "TableClass")) {
    throw ApiError::Validation(
        "At least one of ProvisionedThroughput, BillingMode, "
        "UpdateStreamEnabled, GlobalSecondaryIndexUpdates or "
        "SSESpecification or ReplicaUpdates is required");
  }

  std::string ns = ctx.ns;
  Storage* storage = ctx.storage;
  storage->SubmitWrite(
      [req, ns](Txn& txn) {
        TableRef found = txn.GetTable(ns, req->name);
        if (!found) {
          throw ApiError::ResourceNotFound(
              "Requested resource not found: Table: " + req->name +
              " not found");
        }
        // A copy to edit: the catalog's definitions are shared.
        std::optional<TableDef> table = *found;
        ApplyTableUpdate(*req, *table);
        if (req->index_action == "Delete") {
          const IndexDef* index = table->FindIndex(req->index_name);
          req->deleted_index = *index;
          txn.DropIndex(*table, index->id);
          std::erase_if(table->indexes, [&](const IndexDef& i) {
            return i.name == req->index_name;
          });
        }
        txn.UpdateTable(*table);
        req->stats = txn.GetStats(table->id);
        req->index_stats = ReadIndexStats(txn, *table);
        req->table = std::move(*table);
      },
      [req, ns, storage, delay = ctx.delay_transient_statuses,
       done = std::move(done)](std::exception_ptr error) {
        if (error) return done(error, "");
        if (req->index_action == "Create") {
          auto state = std::make_shared<Backfill>();
          state->ns = ns;
          state->table_name = req->name;
          state->table_id = req->table.id;
          state->index_id = req->table.FindIndex(req->index_name)->id;
          if (delay) {
            HoldIndexCreating(state->table_id, state->index_id,
                              kTransientStatusDelay);
          }
          RunBackfill(storage, state);
        }
        if (req->deleted_index && delay) {
          // Listed DELETING for a while, in this answer too.
          HoldIndexDeleting(req->table.id, *req->deleted_index,
                            kTransientStatusDelay);
        }
        rapidjson::StringBuffer buffer;
        JsonWriter writer(buffer);
        writer.StartObject();
        writer.Key("TableDescription");
        WriteTableDescription(writer, req->table, req->stats, "UPDATING",
                              req->index_stats);
        writer.EndObject();
        done(nullptr, TakeJson(buffer));
      },
      // Dropping an index deletes all its entries: a transaction of its own.
      req->index_action == "Delete" ? WriteScope::kOwn : WriteScope::kShared);
}

}  // namespace ddb::ops
