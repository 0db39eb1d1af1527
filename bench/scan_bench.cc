// Scan and Query page cost against table size: the time for one page
// (Limit 100) through the router, at the first page and resumed deep into the
// table, for tables of 10 thousand to 1 million items. A flat row across
// sizes shows that a page costs what it reads, not what the table holds.
//
// Usage: scan_bench [max_items]   (default 1000000)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "server/router.h"
#include "storage/storage.h"

namespace {

using Clock = std::chrono::steady_clock;

ddb::HttpResult Call(ddb::Router& router, const std::string& op,
                     const std::string& body) {
  ddb::HttpRequestInfo request;
  request.method = "POST";
  request.path = "/";
  request.amz_target = "DynamoDB_20120810." + op;
  request.content_type = "application/x-amz-json-1.0";
  request.authorization =
      "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20240101/us-east-1/dynamodb/"
      "aws4_request, SignedHeaders=host, Signature=abc";
  request.host = "localhost";
  request.body = body;
  return router.HandleSync(std::move(request));
}

// The LastEvaluatedKey member of a response body, as JSON text.
std::string LastKey(const std::string& body) {
  size_t at = body.find("\"LastEvaluatedKey\":");
  if (at == std::string::npos) return "";
  at += 19;
  int depth = 0;
  size_t end = at;
  for (; end < body.size(); ++end) {
    if (body[end] == '{') ++depth;
    if (body[end] == '}' && --depth == 0) break;
  }
  return body.substr(at, end - at + 1);
}

// Median microseconds of `runs` calls.
double MedianMicros(ddb::Router& router, const std::string& op,
                    const std::string& body, int runs) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    ddb::HttpResult result = Call(router, op, body);
    times.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - start)
            .count());
    if (result.status != 200) {
      std::fprintf(stderr, "%s failed: %s\n", op.c_str(), result.body.c_str());
      std::exit(1);
    }
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const long max_items = argc > 1 ? std::atol(argv[1]) : 1000000;
  ddb::StorageOptions options;
  options.in_memory = true;
  options.map_size = uint64_t{8} << 30;
  auto storage = ddb::Storage::Open(options);
  ddb::Router router(*storage, ddb::RouterOptions{});
  Call(
      router, "CreateTable",
      R"({"TableName":"bench","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST"})");
  ddb::TableRef table = storage->BeginRead().GetTable("us-east-1", "bench");
  if (!table) {
    std::fprintf(stderr, "table not found\n");
    return 1;
  }

  std::printf(
      "items      scan p1 (us)  scan p500 (us)  query p1 (us)  query p5 "
      "(us)\n");
  long filled = 0;
  const std::string payload(80, 'x');
  for (long target = 10000; target <= max_items; target *= 10) {
    // 100 items per partition, written straight to storage in batches.
    while (filled < target) {
      long batch_end = std::min(target, filled + 50000);
      storage->WriteSync([&](ddb::Txn& txn) {
        for (long i = filled; i < batch_end; ++i) {
          txn.PutItem(
              *table,
              ddb::Item{
                  {"pk",
                   ddb::AttributeValue::String("p" + std::to_string(i / 100))},
                  {"sk", ddb::AttributeValue::Number(std::to_string(i % 100))},
                  {"payload", ddb::AttributeValue::String(payload)}});
        }
      });
      filled = batch_end;
    }
    const std::string scan = R"({"TableName":"bench","Limit":100)";
    double first = MedianMicros(router, "Scan", scan + "}", 51);
    // Walk to page 500 (Limit 20, so it stays inside the smallest table).
    std::string key;
    for (int page = 0; page < 499; ++page) {
      std::string body = R"({"TableName":"bench","Limit":20)";
      if (!key.empty()) body += R"(,"ExclusiveStartKey":)" + key;
      key = LastKey(Call(router, "Scan", body + "}").body);
    }
    double deep = MedianMicros(
        router, "Scan", scan + R"(,"ExclusiveStartKey":)" + key + "}", 51);
    const std::string query =
        R"({"TableName":"bench","Limit":20,"KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p)" +
        std::to_string(target / 200) + R"("}})";
    double q1 = MedianMicros(router, "Query", query + "}", 51);
    std::string qkey = LastKey(Call(router, "Query", query + "}").body);
    for (int page = 0; page < 3; ++page) {
      qkey = LastKey(
          Call(router, "Query", query + R"(,"ExclusiveStartKey":)" + qkey + "}")
              .body);
    }
    double q5 = MedianMicros(
        router, "Query", query + R"(,"ExclusiveStartKey":)" + qkey + "}", 51);
    std::printf("%-10ld %12.1f %15.1f %14.1f %14.1f\n", target, first, deep, q1,
                q5);
    std::fflush(stdout);
  }
  return 0;
}
