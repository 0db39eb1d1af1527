// Query: one page of one partition, in sort-key order (backward when
// ScanIndexForward is false), narrowed by an optional sort-key condition,
// then filtered and projected.
//
// The key condition (KeyConditionExpression, resolved by
// expressions/condition.h, or the legacy KeyConditions) is reduced to "one
// term per key attribute" and checked against the key schema with DynamoDB's
// messages before it becomes a key range (storage/range_scan.h).
#include <algorithm>

#include "core/api_error.h"
#include "server/ops/common.h"
#include "server/ops/read_common.h"
#include "storage/index_scan.h"
#include "storage/key_codec.h"

namespace ddb::ops {
namespace {

using shape::Member;
using SkOp = SortKeyCondition::Op;

const shape::Shape& QueryShape() {
  // Declared in the order DynamoDB lists constraint violations. Limit has
  // no minimum here: Query words that violation differently (CheckLimit).
  static const shape::Shape request{
      shape::Kind::kStruct,
      "QueryInput",
      {
          Member{.name = "Select",
                 .shape = shape::String(),
                 .enum_values = kSelectValues},
          Member{.name = "IndexName",
                 .shape = shape::String(),
                 .table_name_pattern = true,
                 .min_length = 3,
                 .max_length = 255},
          Member{.name = "ReturnConsumedCapacity",
                 .shape = shape::String(),
                 .enum_values = kReturnConsumedCapacityValues},
          Member{.name = "QueryFilter", .shape = FilterConditionsShape()},
          DataTableNameMember(),
          Member{.name = "ConditionalOperator",
                 .shape = shape::String(),
                 .enum_values = kConditionalOperatorValues},
          Member{.name = "AttributesToGet",
                 .shape = shape::StringList(),
                 .min_length = 1},
          Member{.name = "Limit", .shape = shape::Integer()},
          Member{.name = "KeyConditions", .shape = FilterConditionsShape()},
          Member{.name = "ScanIndexForward", .shape = shape::Boolean()},
          Member{.name = "ExclusiveStartKey", .shape = shape::AttributeMap()},
          Member{.name = "ConsistentRead", .shape = shape::Boolean()},
          Member{.name = "ProjectionExpression", .shape = shape::String()},
          Member{.name = "FilterExpression", .shape = shape::String()},
          Member{.name = "KeyConditionExpression", .shape = shape::String()},
          Member{.name = "ExpressionAttributeNames",
                 .shape = shape::StringMap()},
          Member{.name = "ExpressionAttributeValues",
                 .shape = shape::AttributeMap()},
      }};
  return request;
}

void CheckLimit(const rapidjson::Value& request) {
  std::optional<int64_t> limit = shape::GetInt(request, "Limit");
  if (limit && *limit < 1) {
    // DynamoDB's Query message has no value and a capital L (unlike Scan's
    // "Value '0' at 'limit'"), as the conformance suite records.
    throw ApiError::Validation(
        "1 validation error detected: Value at 'Limit' failed to satisfy "
        "constraint: Member must have value greater than or equal to 1");
  }
}

// One key attribute's condition.
struct KeyTerm {
  std::string attribute;
  SkOp op = SkOp::kEq;
  bool indexable = true;  // legacy operators like NE are not
  std::vector<AttributeValue> values;
};

[[noreturn]] void Fail(const std::string& message) {
  throw ApiError::Validation(message);
}

// The operator after moving the key attribute to the left (:v < sk is
// sk > :v).
SkOp Flip(SkOp op) {
  switch (op) {
    case SkOp::kLt:
      return SkOp::kGt;
    case SkOp::kLe:
      return SkOp::kGe;
    case SkOp::kGt:
      return SkOp::kLt;
    case SkOp::kGe:
      return SkOp::kLe;
    default:
      return op;
  }
}

void CollectTerms(const Condition& condition, std::vector<KeyTerm>* terms) {
  using Kind = Condition::Kind;
  switch (condition.kind) {
    case Kind::kAnd:
      for (const Condition& child : condition.children) {
        CollectTerms(child, terms);
      }
      return;
    case Kind::kOr:
      Fail("Invalid operator used in KeyConditionExpression: OR");
    case Kind::kNot:
      Fail("Invalid operator used in KeyConditionExpression: NOT");
    case Kind::kIn:
      Fail("Invalid operator used in KeyConditionExpression: IN");
    case Kind::kAttributeExists:
      Fail("Invalid operator used in KeyConditionExpression: attribute_exists");
    case Kind::kAttributeNotExists:
      Fail(
          "Invalid operator used in KeyConditionExpression: "
          "attribute_not_exists");
    case Kind::kAttributeType:
      Fail("Invalid operator used in KeyConditionExpression: attribute_type");
    case Kind::kContains:
      Fail("Invalid operator used in KeyConditionExpression: contains");
    default:
      break;
  }
  KeyTerm term;
  if (condition.kind == Kind::kCompare) {
    if (condition.comparator == Comparator::kNe) {
      Fail("Invalid operator used in KeyConditionExpression: <>");
    }
    static constexpr SkOp kOps[] = {SkOp::kEq, SkOp::kEq, SkOp::kLt,
                                    SkOp::kLe, SkOp::kGt, SkOp::kGe};
    term.op = kOps[static_cast<int>(condition.comparator)];
  } else {
    const bool between = condition.kind == Kind::kBetween;
    term.op = between ? SkOp::kBetween : SkOp::kBeginsWith;
    if (condition.operands.empty() ||
        condition.operands[0].kind != Operand::Kind::kPath) {
      Fail(std::string("Invalid condition in KeyConditionExpression: ") +
           (between ? "BETWEEN" : "begins_with") +
           " operator must have the key attribute as its first operand");
    }
  }
  size_t attribute_index = 0;
  for (size_t i = 0; i < condition.operands.size(); ++i) {
    const Operand& operand = condition.operands[i];
    if (operand.kind == Operand::Kind::kSize) {
      Fail("KeyConditionExpressions cannot contain nested operations");
    }
    if (operand.kind == Operand::Kind::kValue) {
      term.values.push_back(operand.value);
      continue;
    }
    if (!term.attribute.empty()) {
      Fail(
          "Invalid condition in KeyConditionExpression: Multiple attribute "
          "names used in one condition");
    }
    if (operand.path.elements.size() > 1 ||
        operand.path.elements[0].is_index()) {
      Fail(
          "KeyConditionExpressions cannot have conditions on nested "
          "attributes");
    }
    term.attribute = operand.path.elements[0].name;
    attribute_index = i;
  }
  if (term.attribute.empty()) {
    Fail(
        "Invalid condition in KeyConditionExpression: No key attribute "
        "specified");
  }
  for (const KeyTerm& other : *terms) {
    if (other.attribute == term.attribute) {
      Fail("KeyConditionExpressions must only contain one condition per key");
    }
  }
  if (attribute_index != 0) term.op = Flip(term.op);
  terms->push_back(std::move(term));
}

// KeyConditions: {attr: {ComparisonOperator, AttributeValueList}}.
std::vector<KeyTerm> ReadKeyConditions(const rapidjson::Value& json) {
  std::vector<KeyTerm> terms;
  for (const auto& member : json.GetObject()) {
    KeyTerm term;
    term.attribute.assign(member.name.GetString(),
                          member.name.GetStringLength());
    const std::string op = member.value["ComparisonOperator"].GetString();
    static const std::pair<const char*, SkOp> kOps[] = {
        {"EQ", SkOp::kEq},
        {"LT", SkOp::kLt},
        {"LE", SkOp::kLe},
        {"GT", SkOp::kGt},
        {"GE", SkOp::kGe},
        {"BETWEEN", SkOp::kBetween},
        {"BEGINS_WITH", SkOp::kBeginsWith}};
    term.indexable = false;
    for (const auto& [name, value] : kOps) {
      if (op == name) {
        term.op = value;
        term.indexable = true;
      }
    }
    if (const rapidjson::Value* list =
            shape::Find(member.value, "AttributeValueList")) {
      for (const auto& value : list->GetArray()) {
        AttributeValue decoded;
        std::string error = DecodeAttributeValue(value, &decoded);
        if (!error.empty()) Fail(error);
        term.values.push_back(std::move(decoded));
      }
    }
    const size_t wanted = !term.indexable             ? term.values.size()
                          : term.op == SkOp::kBetween ? 2
                                                      : 1;
    if (term.values.size() != wanted) {
      Fail(
          "One or more parameter values were invalid: Invalid number of "
          "argument(s) for the " +
          op + " ComparisonOperator");
    }
    terms.push_back(std::move(term));
  }
  return terms;
}

const KeyTerm* FindTerm(const std::vector<KeyTerm>& terms,
                        const std::string& attribute) {
  for (const KeyTerm& term : terms) {
    if (term.attribute == attribute) return &term;
  }
  return nullptr;
}

// The key schema's rules, hash key first.
void CheckTermsAgainstSchema(const TableDef& table,
                             const std::vector<KeyTerm>& terms) {
  auto check = [&](const KeyAttribute& key, bool is_hash) {
    if (is_hash && !table.range_key && terms.size() > 1) {
      Fail("Query key condition not supported");
    }
    const KeyTerm* term = FindTerm(terms, key.name);
    if (term == nullptr) {
      if (is_hash || terms.size() > 1) {
        Fail("Query condition missed key schema element: " + key.name);
      }
      return;
    }
    if (!term->indexable) {
      Fail("Attempted conditional constraint is not an indexable operation");
    }
    for (const AttributeValue& value : term->values) {
      if (value.type != key.type) {
        Fail(
            "One or more parameter values were invalid: Condition parameter "
            "type does not match schema type");
      }
    }
    if (is_hash && term->op != SkOp::kEq) {
      Fail("Query key condition not supported");
    }
    if (term->op == SkOp::kBeginsWith && key.type == AttrType::kN) {
      Fail(
          "Invalid KeyConditionExpression: Incorrect operand type for operator "
          "or function; operator or function: begins_with, operand type: N");
    }
  };
  check(table.hash_key, true);
  if (table.range_key) check(*table.range_key, false);
}

bool SameValue(const AttributeValue& a, const AttributeValue& b) {
  return SortKeyMatches({SkOp::kEq, a, {}}, b);
}

// Where a resumed Query may start: inside the partition and the sort-key
// range it asks for.
void CheckStartKeyBounds(const TableDef& table, const Item& start,
                         const AttributeValue& pk,
                         const std::optional<SortKeyCondition>& sk) {
  const bool same_partition = SameValue(pk, start.at(table.hash_key.name));
  if (!sk) {
    if (!same_partition) {
      Fail(
          "The provided starting key is outside query boundaries based on "
          "provided conditions");
    }
    return;
  }
  if (!SortKeyMatches(*sk, start.at(table.range_key->name))) {
    Fail("The provided starting key does not match the range key predicate");
  }
  if (!same_partition) {
    Fail("The query can return at most one row and cannot be restarted");
  }
}

// The partition key attributes are fixed by the key condition, so DynamoDB
// refuses them in a filter; sort key attributes may be filtered (an
// application querying a whole partition can filter on the sort key).
void CheckFilterKeys(const Condition& filter,
                     const std::vector<std::string>& keys, bool legacy) {
  const std::vector<std::string> names = ConditionAttributeNames(filter);
  for (const std::string& key : keys) {
    if (std::find(names.begin(), names.end(), key) != names.end()) {
      Fail(std::string(legacy ? "QueryFilter" : "Filter Expression") +
           " can only contain non-primary key attributes: Primary key "
           "attribute: " +
           key);
    }
  }
}

SortKeyCondition ToCondition(const KeyTerm& term) {
  return SortKeyCondition{
      term.op, term.values[0],
      term.values.size() > 1 ? term.values[1] : AttributeValue{}};
}

// One term against one key attribute of a multi-attribute index key.
void CheckTerm(const KeyTerm& term, const KeyAttribute& key) {
  if (!term.indexable) {
    Fail("Attempted conditional constraint is not an indexable operation");
  }
  for (const AttributeValue& value : term.values) {
    if (value.type != key.type) {
      Fail(
          "One or more parameter values were invalid: Condition parameter "
          "type does not match schema type");
    }
  }
  if (term.op == SkOp::kBeginsWith && key.type == AttrType::kN) {
    Fail(
        "Invalid KeyConditionExpression: Incorrect operand type for operator "
        "or function; operator or function: begins_with, operand type: N");
  }
}

// The key condition on an index. A one-HASH, at-most-one-RANGE index keeps
// the table's rules and messages; a multi-attribute key needs equality on
// every HASH attribute and conditions on the RANGE attributes from the left,
// all equalities but the last.
IndexKeyQuery BuildIndexQuery(const IndexDef& index,
                              const std::vector<KeyTerm>& terms) {
  IndexKeyQuery query;
  if (index.hash_keys.size() == 1 && index.range_keys.size() <= 1) {
    if (terms.size() > 2) Fail("Conditions can be of length 1 or 2 only");
    TableDef view;
    view.hash_key = index.hash_keys[0];
    if (!index.range_keys.empty()) view.range_key = index.range_keys[0];
    CheckTermsAgainstSchema(view, terms);
    query.hash_values.push_back(FindTerm(terms, view.hash_key.name)->values[0]);
    if (view.range_key) {
      if (const KeyTerm* term = FindTerm(terms, view.range_key->name)) {
        query.next = ToCondition(*term);
      }
    }
    return query;
  }
  for (const KeyAttribute& key : index.hash_keys) {
    const KeyTerm* term = FindTerm(terms, key.name);
    if (term == nullptr) {
      Fail("Query condition missed key schema element: " + key.name);
    }
    CheckTerm(*term, key);
    if (term->op != SkOp::kEq) Fail("Query key condition not supported");
    query.hash_values.push_back(term->values[0]);
  }
  size_t used = index.hash_keys.size();
  size_t covered = 0;
  for (const KeyAttribute& key : index.range_keys) {
    const KeyTerm* term = FindTerm(terms, key.name);
    if (term == nullptr) break;
    if (query.next) Fail("Query key condition not supported");
    CheckTerm(*term, key);
    if (term->op == SkOp::kEq) {
      query.sort_equal.push_back(term->values[0]);
    } else {
      query.next = ToCondition(*term);
    }
    ++used;
    ++covered;
  }
  if (used != terms.size()) {
    if (covered < index.range_keys.size()) {
      Fail("Query condition missed key schema element: " +
           index.range_keys[covered].name);
    }
    Fail("Query key condition not supported");
  }
  return query;
}

}  // namespace

void Query(const rapidjson::Value& request, const OpContext& ctx,
           OpCompletion done) {
  shape::Check(request, QueryShape());
  CheckLimit(request);
  CheckExpressionParams(
      request,
      {"ProjectionExpression", "FilterExpression", "KeyConditionExpression"},
      {"AttributesToGet", "QueryFilter", "ConditionalOperator",
       "KeyConditions"});
  ReadRequest read;
  read.filter = ReadLegacyFilter(request, "QueryFilter");
  const bool legacy_filter = read.filter.has_value();
  std::optional<std::vector<DocumentPath>> projection =
      ReadAttributesToGet(request);
  read.exclusive_start_key = ReadExclusiveStartKey(request);
  const rapidjson::Value* key_conditions =
      shape::Find(request, "KeyConditions");
  std::optional<std::string> key_expression =
      shape::GetString(request, "KeyConditionExpression");
  if (key_conditions == nullptr && !key_expression) {
    Fail(
        "Either the KeyConditions or KeyConditionExpression parameter must be "
        "specified in the request.");
  }
  read.select = ReadSelect(request);

  ExpressionInputs inputs = ReadExpressionInputs(request);
  std::optional<Condition> key_condition;
  if (key_expression) {
    key_condition = ParseCondition(*key_expression,
                                   inputs.Context("KeyConditionExpression"));
  }
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

  std::vector<KeyTerm> terms;
  if (key_condition) {
    CollectTerms(*key_condition, &terms);
  } else {
    terms = ReadKeyConditions(*key_conditions);
  }
  // A multi-attribute index key may take up to eight conditions; that is
  // decided once the index is known.
  const bool on_index = shape::Find(request, "IndexName") != nullptr;
  if (terms.empty() || (terms.size() > 2 && !on_index)) {
    Fail("Conditions can be of length 1 or 2 only");
  }

  read.table_name = *shape::GetString(request, "TableName");
  read.limit = shape::GetInt(request, "Limit").value_or(0);
  read.consistent = shape::GetBool(request, "ConsistentRead").value_or(false);
  read.capacity = ParseCapacityMode(request);

  Txn txn = ctx.storage->BeginRead();
  const TableRef table_ref = RequireTable(txn, ctx, read.table_name);
  const TableDef& table = *table_ref;
  read.index = ResolveIndex(request, table, read.select);
  if (read.index != nullptr) {
    const IndexDef& index = *read.index;
    IndexKeyQuery query = BuildIndexQuery(index, terms);
    if (read.exclusive_start_key) {
      ValidateIndexStartKey(table, index, *read.exclusive_start_key);
      if (!IndexQueryMatches(index, query, *read.exclusive_start_key)) {
        Fail(
            "The provided starting key is outside query boundaries based on "
            "provided conditions");
      }
    }
    if (read.filter) {
      std::vector<std::string> keys;
      for (const KeyAttribute& key : index.hash_keys) keys.push_back(key.name);
      CheckFilterKeys(*read.filter, keys, legacy_filter);
    }
    RangeScan scan = IndexQuery(table, index, query);
    scan.forward = shape::GetBool(request, "ScanIndexForward").value_or(true);
    done(nullptr, RunPage(txn, table, scan, read));
    return;
  }
  if (terms.size() > 2) Fail("Conditions can be of length 1 or 2 only");
  if (read.exclusive_start_key &&
      read.exclusive_start_key->size() != (table.range_key ? 2u : 1u)) {
    Fail("The provided starting key is invalid");
  }
  CheckTermsAgainstSchema(table, terms);
  const AttributeValue& pk = FindTerm(terms, table.hash_key.name)->values[0];
  std::optional<SortKeyCondition> sk;
  if (table.range_key) {
    if (const KeyTerm* term = FindTerm(terms, table.range_key->name)) {
      sk = ToCondition(*term);
    }
  }
  if (read.exclusive_start_key) {
    ValidateStartKey(table, *read.exclusive_start_key);
    CheckStartKeyBounds(table, *read.exclusive_start_key, pk, sk);
  }
  if (read.filter) {
    CheckFilterKeys(*read.filter, {table.hash_key.name}, legacy_filter);
  }

  RangeScan scan = PartitionQuery(table, pk, sk);
  scan.forward = shape::GetBool(request, "ScanIndexForward").value_or(true);
  done(nullptr, RunPage(txn, table, scan, read));
}

}  // namespace ddb::ops
