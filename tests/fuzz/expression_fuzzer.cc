// libFuzzer target for the expression languages: every input must parse or
// fail with ApiError(ValidationException) — never crash, hang, leak or throw
// anything else — and whatever parses must resolve, evaluate and apply
// without crashing.
//
// Input: the first byte picks the language, the rest is the expression.
// Build with clang -fsanitize=fuzzer,address,undefined (see the CMake
// snippet in the issue note); run e.g.
//   expression_fuzzer -max_total_time=60 tests/fuzz/corpus/expression
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/api_error.h"
#include "expressions/condition.h"
#include "expressions/key_condition.h"
#include "expressions/projection.h"
#include "expressions/update.h"

namespace {

using ddb::AttributeValue;

// Names and values the corpus refers to, so inputs get past resolution and
// reach evaluation.
const ddb::ExpressionAttributeNames& Names() {
  static const ddb::ExpressionAttributeNames names = {
      {"#a", "a"}, {"#b", "b"}, {"#l", "l"}, {"#m", "m"}, {"#pk", "pk"}};
  return names;
}

const ddb::ExpressionAttributeValues& Values() {
  static const ddb::ExpressionAttributeValues values = [] {
    ddb::ExpressionAttributeValues v;
    v[":s"] = AttributeValue::String("x");
    v[":n"] = AttributeValue::Number("1");
    v[":big"] = AttributeValue::Number("9E+125");
    v[":b"] = AttributeValue::Binary("\x01");
    v[":t"] = AttributeValue::Bool(true);
    v[":null"] = AttributeValue::Null();
    AttributeValue list;
    list.type = ddb::AttrType::kL;
    list.list = {AttributeValue::String("e")};
    v[":l"] = list;
    AttributeValue set;
    set.type = ddb::AttrType::kSS;
    set.set = {"x", "y"};
    v[":ss"] = set;
    AttributeValue nset;
    nset.type = ddb::AttrType::kNS;
    nset.set = {"2"};
    v[":ns"] = nset;
    v[":type"] = AttributeValue::String("S");
    return v;
  }();
  return values;
}

const ddb::Item& SampleItem() {
  static const ddb::Item item = [] {
    ddb::Item i;
    i["pk"] = AttributeValue::String("k");
    i["a"] = AttributeValue::Number("5");
    i["b"] = AttributeValue::String("abc");
    AttributeValue list;
    list.type = ddb::AttrType::kL;
    list.list = {AttributeValue::Number("1"), AttributeValue::String("two")};
    i["l"] = list;
    AttributeValue map;
    map.type = ddb::AttrType::kM;
    map.map["x"] = list;
    i["m"] = map;
    AttributeValue set;
    set.type = ddb::AttrType::kSS;
    set.set = {"x"};
    i["s"] = set;
    return i;
  }();
  return item;
}

void Run(uint8_t selector, std::string_view text) {
  const ddb::ResolveContext base{"", &Names(), &Values(), nullptr, nullptr};
  switch (selector % 5) {
    case 0:
    case 1: {
      ddb::ResolveContext context = base;
      context.parameter =
          selector % 5 == 0 ? "ConditionExpression" : "FilterExpression";
      auto ast = ddb::ParseConditionAst(text, context.parameter);
      ddb::Condition condition = ddb::ResolveCondition(*ast, context);
      ddb::EvaluateCondition(condition, SampleItem());
      ddb::EvaluateCondition(condition, ddb::Item{});
      break;
    }
    case 2: {
      ddb::ResolveContext context = base;
      context.parameter = "KeyConditionExpression";
      auto ast = ddb::ParseConditionAst(text, context.parameter);
      ddb::Condition condition = ddb::ResolveCondition(*ast, context);
      ddb::BuildKeyRange(ddb::ExtractKeyConditions(condition),
                         {"pk", ddb::AttrType::kS, "a", ddb::AttrType::kN});
      break;
    }
    case 3: {
      ddb::ResolveContext context = base;
      context.parameter = "UpdateExpression";
      auto ast = ddb::ParseUpdateAst(text);
      ddb::Update update = ddb::ResolveUpdate(*ast, context);
      ddb::Item item = SampleItem();
      ddb::ApplyUpdate(update, &item);
      break;
    }
    case 4: {
      ddb::ProjectionAst ast = ddb::ParseProjectionAst(text);
      ddb::ApplyProjection(SampleItem(),
                           ddb::ResolveProjection(ast, &Names(), nullptr));
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    Run(data[0], text);
  } catch (const ddb::ApiError& error) {
    // The one acceptable failure: a client error with DynamoDB's wording.
    if (error.type() != "ValidationException") std::abort();
  }
  return 0;
}
