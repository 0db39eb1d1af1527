// TransactWriteItems: up to 100 Put/Update/Delete/ConditionCheck actions
// across tables, all or nothing in one LMDB write transaction. Every
// condition is evaluated before anything is written; one failure cancels
// the whole transaction with the reasons of every action in order.
#include <algorithm>
#include <memory>
#include <set>

#include "core/api_error.h"
#include "expressions/update.h"
#include "server/ops/batch_common.h"
#include "server/ops/idempotency.h"

namespace ddb::ops {
namespace {

using shape::Member;

Member TableNameMember() {
  // Table names or ARNs (hence up to 1024 characters).
  return Member{.name = "TableName",
                .shape = shape::String(),
                .not_null = true,
                .table_name_pattern = true,
                .min_length = 1,
                .max_length = 1024};
}

Member OnFailureMember() {
  return Member{.name = "ReturnValuesOnConditionCheckFailure",
                .shape = shape::String(),
                .enum_values = {"ALL_OLD", "NONE"}};
}

Member NamesMember() {
  return Member{.name = "ExpressionAttributeNames",
                .shape = shape::StringMap()};
}

Member ValuesMember() {
  return Member{.name = "ExpressionAttributeValues",
                .shape = shape::AttributeMap()};
}

Member KeyMember() {
  return Member{
      .name = "Key", .shape = shape::AttributeMap(), .not_null = true};
}

const shape::Shape& TransactWriteItemsShape() {
  static const shape::Shape check{
      shape::Kind::kStruct,
      "ConditionCheck",
      {KeyMember(), TableNameMember(),
       Member{.name = "ConditionExpression",
              .shape = shape::String(),
              .not_null = true},
       NamesMember(), ValuesMember(), OnFailureMember()}};
  static const shape::Shape put{
      shape::Kind::kStruct,
      "Put",
      {Member{.name = "Item", .shape = shape::AttributeMap(), .not_null = true},
       TableNameMember(),
       Member{.name = "ConditionExpression", .shape = shape::String()},
       NamesMember(), ValuesMember(), OnFailureMember()}};
  static const shape::Shape del{
      shape::Kind::kStruct,
      "Delete",
      {KeyMember(), TableNameMember(),
       Member{.name = "ConditionExpression", .shape = shape::String()},
       NamesMember(), ValuesMember(), OnFailureMember()}};
  static const shape::Shape update{
      shape::Kind::kStruct,
      "Update",
      {KeyMember(),
       Member{.name = "UpdateExpression",
              .shape = shape::String(),
              .not_null = true},
       TableNameMember(),
       Member{.name = "ConditionExpression", .shape = shape::String()},
       NamesMember(), ValuesMember(), OnFailureMember()}};
  static const shape::Shape item{
      shape::Kind::kStruct,
      "TransactWriteItem",
      {Member{.name = "ConditionCheck", .shape = &check},
       Member{.name = "Put", .shape = &put},
       Member{.name = "Delete", .shape = &del},
       Member{.name = "Update", .shape = &update}}};
  static const shape::Shape items{shape::Kind::kList, nullptr, {}, &item};
  static const shape::Shape request{
      shape::Kind::kStruct,
      "TransactWriteItemsInput",
      {
          Member{.name = "TransactItems",
                 .shape = &items,
                 .not_null = true,
                 .min_length = 1,
                 .max_length = 100},
          Member{.name = "ReturnConsumedCapacity",
                 .shape = shape::String(),
                 .enum_values = kReturnConsumedCapacityValues},
          Member{.name = "ReturnItemCollectionMetrics",
                 .shape = shape::String(),
                 .enum_values = {"SIZE", "NONE"}},
          Member{.name = "ClientRequestToken",
                 .shape = shape::String(),
                 .min_length = 1,
                 .max_length = 36},
      }};
  return request;
}

// DynamoDB's limit on the items of one transaction.
constexpr size_t kMaxTransactionBytes = size_t{4} * 1024 * 1024;

enum class ActionKind { kConditionCheck, kPut, kDelete, kUpdate };

struct Action {
  ActionKind kind;
  std::string table_name;
  Item key;   // every kind (for a Put, taken from the item once resolved)
  Item item;  // Put
  std::optional<Update> update;
  std::optional<Condition> condition;
  bool return_old_on_failure = false;
};

struct Transaction {
  std::vector<Action> actions;
  CapacityMode capacity = CapacityMode::kNone;
  std::string token;        // ClientRequestToken ("" when none)
  std::string fingerprint;  // what the token must be reused with
  // Filled by the writer.
  std::optional<std::string> replayed;  // the first response, on a retry
  TableCapacity consumed;
  std::string response;   // the success body
  bool recorded = false;  // whether the token was recorded for this request
};

Action ParseAction(const rapidjson::Value& element) {
  static constexpr std::pair<const char*, ActionKind> kKinds[] = {
      {"ConditionCheck", ActionKind::kConditionCheck},
      {"Put", ActionKind::kPut},
      {"Delete", ActionKind::kDelete},
      {"Update", ActionKind::kUpdate}};
  const rapidjson::Value* body = nullptr;
  ActionKind kind = ActionKind::kPut;
  int present = 0;
  for (const auto& [name, k] : kKinds) {
    if (const rapidjson::Value* found = shape::Find(element, name)) {
      body = found;
      kind = k;
      ++present;
    }
  }
  if (present != 1) {
    throw ApiError::Validation(
        "TransactItems can only contain one of Check, Put, Update or Delete");
  }
  Action action{kind, *shape::GetString(*body, "TableName"), {}, {}, {}, {},
                false};
  if (kind == ActionKind::kUpdate) {
    CheckExpressionParams(*body, {"UpdateExpression", "ConditionExpression"},
                          {});
  } else {
    CheckExpressionParams(*body, {"ConditionExpression"}, {});
  }
  if (kind == ActionKind::kPut) {
    action.item = DecodeItemOrThrow(*shape::Find(*body, "Item"));
    if (ItemSize(action.item) > kItemSizeLimit) {
      throw ApiError::Validation(
          "Item size has exceeded the maximum allowed size");
    }
  } else {
    action.key = DecodeItemOrThrow(*shape::Find(*body, "Key"));
  }
  ExpressionInputs inputs = ReadExpressionInputs(*body);
  if (auto text = shape::GetString(*body, "UpdateExpression")) {
    action.update = ParseUpdate(*text, inputs.Context("UpdateExpression"));
  }
  action.condition = ReadConditionExpression(*body, inputs);
  inputs.CheckAllUsed();
  action.return_old_on_failure = ReturnOldOnConditionFailure(*body);
  return action;
}

// The request's identity for ClientRequestToken: its TransactItems with
// object members sorted, since DynamoDB ignores member order there.
void WriteCanonical(const rapidjson::Value& json, JsonWriter& writer) {
  if (json.IsObject()) {
    std::vector<const rapidjson::Value::Member*> members;
    for (const auto& member : json.GetObject()) members.push_back(&member);
    std::sort(members.begin(), members.end(), [](auto* a, auto* b) {
      return std::string_view(a->name.GetString(), a->name.GetStringLength()) <
             std::string_view(b->name.GetString(), b->name.GetStringLength());
    });
    writer.StartObject();
    for (const auto* member : members) {
      writer.Key(member->name.GetString(), member->name.GetStringLength());
      WriteCanonical(member->value, writer);
    }
    writer.EndObject();
  } else if (json.IsArray()) {
    writer.StartArray();
    for (const auto& element : json.GetArray()) WriteCanonical(element, writer);
    writer.EndArray();
  } else {
    json.Accept(writer);
  }
}

std::string Fingerprint(const rapidjson::Value& request) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  WriteCanonical(*shape::Find(request, "TransactItems"), writer);
  return TakeJson(buffer);
}

// Inside the write transaction: every action's outcome, then (only when
// all succeed) every write.
void Execute(Txn& txn, const std::string& ns, Transaction& tx) {
  std::map<std::string, TableRef> tables;
  for (const Action& action : tx.actions) {
    if (tables.count(action.table_name) != 0) continue;
    TableRef table = txn.GetTable(ns, action.table_name);
    if (!table) {
      throw ApiError::ResourceNotFound("Requested resource not found");
    }
    tables.emplace(action.table_name, std::move(table));
  }
  std::vector<CancellationReason> reasons(tx.actions.size());
  std::vector<Item> new_items(tx.actions.size());
  bool cancelled = false;
  for (size_t i = 0; i < tx.actions.size(); ++i) {
    const Action& action = tx.actions[i];
    const TableDef& table = *tables.at(action.table_name);
    std::optional<Item> old_item = txn.GetItem(table, action.key);
    try {
      CheckWriteCondition(action.condition, old_item,
                          action.return_old_on_failure);
    } catch (const ApiError& error) {
      reasons[i].code = "ConditionalCheckFailed";
      reasons[i].message = error.message();
      if (action.return_old_on_failure) reasons[i].item = old_item;
      cancelled = true;
      continue;
    }
    if (action.kind == ActionKind::kUpdate) {
      new_items[i] = old_item ? *old_item : action.key;
      ApplyUpdate(*action.update, &new_items[i]);
      std::string problem;
      if (ItemSize(new_items[i]) > kItemSizeLimit) {
        problem = "Item size to update has exceeded the maximum allowed size";
      } else {
        try {
          // An update can give an index key attribute the wrong type.
          ValidateIndexKeys(table, new_items[i]);
        } catch (const ApiError& error) {
          problem = error.message();
        }
      }
      if (!problem.empty()) {
        reasons[i].code = "ValidationError";
        reasons[i].message = problem;
        cancelled = true;
        continue;
      }
    }
    size_t bytes = old_item ? ItemSize(*old_item) : 0;
    if (action.kind == ActionKind::kPut) {
      bytes = std::max(bytes, ItemSize(action.item));
    } else if (action.kind == ActionKind::kUpdate) {
      bytes = std::max(bytes, ItemSize(new_items[i]));
    }
    // Transactional operations cost twice their plain counterparts.
    tx.consumed.Add(action.table_name,
                    action.kind == ActionKind::kConditionCheck
                        ? 2 * ReadUnits(bytes, true)
                        : 2 * WriteUnits(bytes));
  }
  // Throwing aborts the LMDB transaction: nothing was written yet anyway.
  if (cancelled) ThrowTransactionCanceled(reasons);
  for (size_t i = 0; i < tx.actions.size(); ++i) {
    const Action& action = tx.actions[i];
    const TableDef& table = *tables.at(action.table_name);
    switch (action.kind) {
      case ActionKind::kConditionCheck:
        break;
      case ActionKind::kPut:
        txn.PutItem(table, action.item);
        break;
      case ActionKind::kUpdate:
        txn.PutItem(table, new_items[i]);
        break;
      case ActionKind::kDelete:
        txn.DeleteItem(table, action.key);
        break;
    }
  }
}

}  // namespace

void TransactWriteItems(const rapidjson::Value& request, const OpContext& ctx,
                        OpCompletion done) {
  shape::Check(request, TransactWriteItemsShape());
  auto tx = std::make_shared<Transaction>();
  size_t total_bytes = 0;
  for (const auto& element :
       shape::Find(request, "TransactItems")->GetArray()) {
    tx->actions.push_back(ParseAction(element));
    total_bytes +=
        ItemSize(tx->actions.back().item) + ItemSize(tx->actions.back().key);
  }
  if (total_bytes > kMaxTransactionBytes) {
    throw ApiError::Validation(
        "Transaction request size has exceeded the maximum allowed size of "
        "4 MB");
  }
  tx->capacity = ParseCapacityMode(request);
  if (auto token = shape::GetString(request, "ClientRequestToken")) {
    tx->token = ctx.ns + '\0' + *token;
    tx->fingerprint = Fingerprint(request);
  }
  {
    Txn txn = ctx.storage->BeginRead();
    std::map<std::string, TableRef> tables;
    for (const Action& action : tx->actions) {
      if (tables.count(action.table_name) == 0) {
        tables.emplace(action.table_name,
                       RequireTable(txn, ctx, action.table_name));
      }
    }
    // Keys that do not fit their table are reported per action, as a
    // cancellation with ValidationError, as DynamoDB does.
    std::vector<CancellationReason> reasons(tx->actions.size());
    bool invalid = false;
    std::set<std::string> seen;
    for (size_t i = 0; i < tx->actions.size(); ++i) {
      Action& action = tx->actions[i];
      const TableDef& table = *tables.at(action.table_name);
      try {
        if (action.kind == ActionKind::kPut) {
          action.key = KeyOfItem(table, action.item);
          ValidateIndexKeys(table, action.item);
        } else {
          ValidateKey(table, action.key);
        }
        if (action.update) CheckKeyNotUpdated(table, *action.update);
      } catch (const ApiError& error) {
        reasons[i].code = "ValidationError";
        reasons[i].message = error.message();
        invalid = true;
        continue;
      }
      if (!seen.insert(KeyIdentity(action.table_name, action.key)).second) {
        throw ApiError::Validation(
            "Transaction request cannot include multiple operations on one "
            "item");
      }
    }
    if (invalid) ThrowTransactionCanceled(reasons);
  }
  std::string ns = ctx.ns;
  ctx.storage->SubmitWrite(
      [tx, ns](Txn& txn) {
        // Checked on the writer thread, so a retry queued behind the first
        // request finds its token.
        if (!tx->token.empty()) {
          tx->replayed =
              IdempotencyStore::Global().Lookup(tx->token, tx->fingerprint);
          if (tx->replayed) return;
        }
        Execute(txn, ns, *tx);
        rapidjson::StringBuffer buffer;
        JsonWriter writer(buffer);
        writer.StartObject();
        tx->consumed.Write(writer, tx->capacity);
        writer.EndObject();
        tx->response = TakeJson(buffer);
        // Recorded before the commit: the storage writer may commit this
        // write together with the ones queued behind it (group commit), and
        // a retry among those must already find the token. Should the commit
        // fail, that retry fails with it, and the completion forgets the
        // token.
        if (!tx->token.empty()) {
          IdempotencyStore::Global().Record(tx->token, tx->fingerprint,
                                            tx->response);
          tx->recorded = true;
        }
      },
      [tx, done = std::move(done)](std::exception_ptr error) {
        if (error) {
          if (tx->recorded) IdempotencyStore::Global().Forget(tx->token);
          return done(error, "");
        }
        if (tx->replayed) return done(nullptr, *tx->replayed);
        done(nullptr, tx->response);
      });
}

}  // namespace ddb::ops
