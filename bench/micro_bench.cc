// Micro-benchmarks of the request hot paths, to see which one a change
// moves: the JSON codec (every request), the storage encodings (every read
// and write), the expression parser and evaluator (UpdateItem, conditions,
// filters) and decimal parsing (every number).
//
//   build/micro_bench [--benchmark_filter=Json]
#include <benchmark/benchmark.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

#include "core/attribute_value.h"
#include "core/decimal.h"
#include "core/json_codec.h"
#include "expressions/attribute_names.h"
#include "expressions/attribute_values.h"
#include "expressions/condition.h"
#include "expressions/operand.h"
#include "expressions/update.h"
#include "storage/item_codec.h"
#include "storage/key_codec.h"
#include "storage/table_def.h"

namespace ddb {
namespace {

// The load generator's item: two string keys, a counter and ~1 KB of text.
std::string ItemJsonText() {
  std::string data(1000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = 'a' + i % 26;
  return R"({"pk":{"S":"p0000042"},"sk":{"S":"s017"},"n":{"N":"12"},)"
         R"("data":{"S":")" +
         data + R"("}})";
}

// A smaller item with more attributes, closer to typical test fixtures.
std::string WideItemJsonText() {
  return R"({"pk":{"S":"user#42"},"sk":{"S":"order#2026-01-01#0001"},)"
         R"("amount":{"N":"129.95"},"qty":{"N":"3"},"status":{"S":"SHIPPED"},)"
         R"("tags":{"SS":["a","b","c"]},"active":{"BOOL":true},)"
         R"("address":{"M":{"street":{"S":"1 Main St"},"zip":{"S":"12345"}}},)"
         R"("lines":{"L":[{"N":"1"},{"N":"2"},{"S":"x"}]}})";
}

Item DecodedItem(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  Item item;
  CheckItemTypes(doc);
  std::string error = DecodeItem(doc, &item);
  if (!error.empty()) std::abort();
  return item;
}

void BM_JsonParseItem(benchmark::State& state, const std::string& text) {
  for (auto _ : state) {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    CheckItemTypes(doc);
    Item item;
    std::string error = DecodeItem(doc, &item);
    benchmark::DoNotOptimize(item);
  }
  state.SetBytesProcessed(state.iterations() * text.size());
}
BENCHMARK_CAPTURE(BM_JsonParseItem, 1kb, ItemJsonText());
BENCHMARK_CAPTURE(BM_JsonParseItem, wide, WideItemJsonText());

// RapidJSON's parse alone, to separate it from our decoding.
void BM_RapidJsonParseOnly(benchmark::State& state) {
  std::string text = ItemJsonText();
  for (auto _ : state) {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(state.iterations() * text.size());
}
BENCHMARK(BM_RapidJsonParseOnly);

// String escaping as the server writes it (JsonWriter, core/json_writer.h):
// the loop behind WriteItem's cost on Query and Scan pages.
void BM_RapidJsonWriteString(benchmark::State& state) {
  std::string s(1000, 'x');
  for (size_t i = 0; i < s.size(); ++i) s[i] = 'a' + i % 26;
  for (auto _ : state) {
    rapidjson::StringBuffer buffer;
    ddb::JsonWriter writer(buffer);
    for (int i = 0; i < 100; ++i) writer.String(s.data(), s.size());
    benchmark::DoNotOptimize(buffer.GetString());
  }
  state.SetBytesProcessed(state.iterations() * 100 * s.size());
}
BENCHMARK(BM_RapidJsonWriteString);

void BM_JsonWriteItem(benchmark::State& state, const std::string& text) {
  Item item = DecodedItem(text);
  for (auto _ : state) {
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    WriteItem(item, writer);
    benchmark::DoNotOptimize(buffer.GetString());
  }
  state.SetBytesProcessed(state.iterations() * text.size());
}
BENCHMARK_CAPTURE(BM_JsonWriteItem, 1kb, ItemJsonText());
BENCHMARK_CAPTURE(BM_JsonWriteItem, wide, WideItemJsonText());

void BM_StorageEncodeItem(benchmark::State& state, const std::string& text) {
  Item item = DecodedItem(text);
  for (auto _ : state) benchmark::DoNotOptimize(EncodeItem(item));
}
BENCHMARK_CAPTURE(BM_StorageEncodeItem, 1kb, ItemJsonText());
BENCHMARK_CAPTURE(BM_StorageEncodeItem, wide, WideItemJsonText());

void BM_StorageDecodeItem(benchmark::State& state, const std::string& text) {
  std::string encoded = EncodeItem(DecodedItem(text));
  for (auto _ : state) benchmark::DoNotOptimize(DecodeItem(encoded));
}
BENCHMARK_CAPTURE(BM_StorageDecodeItem, 1kb, ItemJsonText());
BENCHMARK_CAPTURE(BM_StorageDecodeItem, wide, WideItemJsonText());

TableDef BenchTable() {
  TableDef table;
  table.id = 7;
  table.name = "bench";
  table.hash_key = {"pk", AttrType::kS};
  table.range_key = KeyAttribute{"sk", AttrType::kS};
  return table;
}

void BM_EncodeItemKey(benchmark::State& state) {
  TableDef table = BenchTable();
  Item item = DecodedItem(ItemJsonText());
  for (auto _ : state) benchmark::DoNotOptimize(EncodeItemKey(table, item));
}
BENCHMARK(BM_EncodeItemKey);

void BM_EncodeKeyValueNumber(benchmark::State& state) {
  AttributeValue value = AttributeValue::Number("-12345.6789");
  for (auto _ : state) benchmark::DoNotOptimize(EncodeKeyValue(value));
}
BENCHMARK(BM_EncodeKeyValueNumber);

void BM_DecodeKeyValueString(benchmark::State& state) {
  std::string encoded = EncodeKeyValue(AttributeValue::String("p0000042"));
  for (auto _ : state) {
    std::string_view in = encoded;
    benchmark::DoNotOptimize(DecodeKeyValue(AttrType::kS, &in));
  }
}
BENCHMARK(BM_DecodeKeyValueString);

void BM_DecimalParse(benchmark::State& state, const char* text) {
  for (auto _ : state) benchmark::DoNotOptimize(Decimal::Parse(text));
}
BENCHMARK_CAPTURE(BM_DecimalParse, small_int, "42");
BENCHMARK_CAPTURE(BM_DecimalParse, fraction, "-129.95");
BENCHMARK_CAPTURE(BM_DecimalParse, long, "1234567890123456789012345.678901234");
BENCHMARK_CAPTURE(BM_DecimalParse, exponent, "1.5E-100");

void BM_DecimalAdd(benchmark::State& state) {
  Decimal a = Decimal::Parse("12"), one = Decimal::Parse("1");
  for (auto _ : state) benchmark::DoNotOptimize(a.Add(one).ToString());
}
BENCHMARK(BM_DecimalAdd);

// Parsing without the server's parse cache (ParseUpdateAst builds the AST),
// and the full per-request path through the cache (ParseUpdate).
void BM_UpdateParseAst(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(ParseUpdateAst("SET n = n + :one"));
}
BENCHMARK(BM_UpdateParseAst);

void BM_UpdateParseResolveApply(benchmark::State& state) {
  ExpressionAttributeValues values;
  values[":one"] = AttributeValue::Number("1");
  Item base = DecodedItem(ItemJsonText());
  for (auto _ : state) {
    UsedValues used;
    ResolveContext context{"UpdateExpression", nullptr, &values, nullptr,
                           &used};
    Update update = ParseUpdate("SET n = n + :one", context);
    Item item = base;
    ApplyUpdate(update, &item);
    benchmark::DoNotOptimize(item);
  }
}
BENCHMARK(BM_UpdateParseResolveApply);

constexpr const char* kCondition =
    "attribute_exists(pk) AND #s = :shipped AND amount BETWEEN :lo AND :hi "
    "AND begins_with(sk, :prefix) AND size(tags) > :two";

void BM_ConditionParseAst(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(
        ParseConditionAst(kCondition, "ConditionExpression"));
}
BENCHMARK(BM_ConditionParseAst);

void BM_ConditionResolveEvaluate(benchmark::State& state) {
  ExpressionAttributeNames names{{"#s", "status"}};
  ExpressionAttributeValues values;
  values[":shipped"] = AttributeValue::String("SHIPPED");
  values[":lo"] = AttributeValue::Number("100");
  values[":hi"] = AttributeValue::Number("200");
  values[":prefix"] = AttributeValue::String("order#");
  values[":two"] = AttributeValue::Number("2");
  Item item = DecodedItem(WideItemJsonText());
  auto ast = ParseConditionAst(kCondition, "ConditionExpression");
  for (auto _ : state) {
    UsedNames used_names;
    UsedValues used_values;
    ResolveContext context{"ConditionExpression", &names, &values, &used_names,
                           &used_values};
    Condition condition = ResolveCondition(*ast, context);
    bool result = EvaluateCondition(condition, item);
    if (!result) std::abort();
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_ConditionResolveEvaluate);

void BM_ConditionEvaluateOnly(benchmark::State& state) {
  ExpressionAttributeNames names{{"#s", "status"}};
  ExpressionAttributeValues values;
  values[":shipped"] = AttributeValue::String("SHIPPED");
  values[":lo"] = AttributeValue::Number("100");
  values[":hi"] = AttributeValue::Number("200");
  values[":prefix"] = AttributeValue::String("order#");
  values[":two"] = AttributeValue::Number("2");
  Item item = DecodedItem(WideItemJsonText());
  ResolveContext context{"ConditionExpression", &names, &values, nullptr,
                         nullptr};
  Condition condition = ParseCondition(kCondition, context);
  for (auto _ : state)
    benchmark::DoNotOptimize(EvaluateCondition(condition, item));
}
BENCHMARK(BM_ConditionEvaluateOnly);

}  // namespace
}  // namespace ddb

BENCHMARK_MAIN();
