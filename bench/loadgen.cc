// loadgen: a closed-loop DynamoDB load generator on one thread.
//
// N keep-alive connections (N = concurrency) each send one request, wait for
// the response, validate it and send the next, until the phase's time or
// operation budget is spent. One thread and asynchronous I/O keep the
// generator's own CPU small, so that on a 2-core machine the server (pinned to
// the other core) is what is measured; the generator reports its own CPU
// (getrusage) so a run where it was the bottleneck is visible.
//
// Every response is validated (status 200 and a body of the expected shape),
// because a server that answers fast with an error must not look fast.
//
//   loadgen --port P [--host 127.0.0.1] [--table bench]
//           --phase create|load|ping|put|get|update|query|batch|scan|
//                   scanpage|delete
//           [--concurrency 1,8,32] [--seconds 3] [--max-ops N]
//           [--items N]        existing items (keyspace "p", 100 per partition)
//           [--base N]         first key index for put/batch (fresh keys)
//                              and load (load fills items [base, items))
//           [--expect-items N] scan: items a full scan must return
//           [--item-bytes 1000]
//
// Output: one JSON object per (phase, concurrency) on stdout; a human table
// on stderr.
//
// HTTP is written by hand and read by ResponseReader (response_reader.h),
// not with Beast, which made the generator the bottleneck of Query and Scan.
#include <rapidjson/document.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "bench/response_reader.h"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  unsigned short port = 8000;
  std::string table = "bench";
  std::vector<std::string> phases;
  std::vector<int> concurrency = {1};
  double seconds = 3;
  long max_ops = -1;
  long items = 0;
  long base = 0;
  long expect_items = -1;
  int item_bytes = 1000;
};

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Keys: item i of keyspace K lives in partition K<i/100> with sort key
// s<i%100>, so a preloaded range of items gives full 100-item partitions.
std::string PartitionKey(char keyspace, long i) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%c%07ld", keyspace, i / 100);
  return buffer;
}
std::string SortKey(long i) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "s%03ld", i % 100);
  return buffer;
}

std::string ItemJson(char keyspace, long i, const std::string& payload) {
  std::string out;
  out.reserve(payload.size() + 96);
  out += R"({"pk":{"S":")";
  out += PartitionKey(keyspace, i);
  out += R"("},"sk":{"S":")";
  out += SortKey(i);
  out += R"("},"n":{"N":"0"},"data":{"S":")";
  out += payload;
  out += R"("}})";
  return out;
}

std::string KeyJson(char keyspace, long i) {
  return R"({"pk":{"S":")" + PartitionKey(keyspace, i) + R"("},"sk":{"S":")" +
         SortKey(i) + R"("}})";
}

// Minimal field extraction on raw bodies: parsing a 1 MB Scan page into a DOM
// per response would cost the generator more than the server spends on it.
// The top-level fields a check reads (Count, LastEvaluatedKey, ...) follow
// Items in dynalocal's and DynamoDB's responses, so the last 4 KB are
// searched first: a 1 MB page full of quotes made the forward search a
// tenth of the generator's CPU. The generator's own items never name these
// fields, so the first match from either end is the top-level one.
// The forward search anchors on the needle's second byte (the field name's
// capital initial, rare in item data) with memchr, which runs at memory
// speed: std::string_view::find anchors on the first byte, a quote, and a
// field missing from the tail (the last page of a Scan segment has no
// LastEvaluatedKey) meant a memcmp at every quote of the page.
size_t Find(std::string_view haystack, std::string_view needle) {
  if (needle.size() < 2) return haystack.find(needle);
  const char* data = haystack.data();
  size_t from = 1;
  while (from < haystack.size()) {
    const void* hit =
        std::memchr(data + from, needle[1], haystack.size() - from);
    if (!hit) break;
    size_t at = static_cast<size_t>(static_cast<const char*>(hit) - data) - 1;
    if (haystack.substr(at, needle.size()) == needle) return at;
    from = at + 2;
  }
  return std::string_view::npos;
}

size_t ValueStart(std::string_view body, std::string_view field) {
  std::string quoted = "\"" + std::string(field) + "\"";
  constexpr size_t kTail = 4096;
  size_t at = std::string_view::npos;
  if (body.size() > kTail) {
    at = Find(body.substr(body.size() - kTail), quoted);
    if (at != std::string_view::npos) at += body.size() - kTail;
  }
  if (at == std::string_view::npos) at = Find(body, quoted);
  if (at == std::string_view::npos) return at;
  at += quoted.size();
  while (at < body.size() && (body[at] == ' ' || body[at] == ':')) ++at;
  return at < body.size() ? at : std::string_view::npos;
}

std::optional<long> IntField(std::string_view body, std::string_view field) {
  size_t at = ValueStart(body, field);
  if (at == std::string_view::npos) return std::nullopt;
  if (body[at] == '"') ++at;  // a DynamoDB number is a JSON string
  char* end = nullptr;
  std::string digits(body.substr(at, 24));
  long value = std::strtol(digits.c_str(), &end, 10);
  if (end == digits.c_str()) return std::nullopt;
  return value;
}

// The balanced {...} object value of a field (strings inside keys of a
// LastEvaluatedKey may hold braces, so quotes are tracked).
std::optional<std::string_view> ObjectField(std::string_view body,
                                            std::string_view field) {
  size_t at = ValueStart(body, field);
  if (at == std::string_view::npos || body[at] != '{') return std::nullopt;
  int depth = 0;
  bool in_string = false;
  for (size_t i = at; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}' && --depth == 0) {
      return body.substr(at, i - at + 1);
    }
  }
  return std::nullopt;
}

bool IsEmptyObject(std::string_view text) {
  std::string compact;
  for (char c : text)
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') compact += c;
  return compact == "{}";
}

using loadgen::Prefix;
using loadgen::ResponseReader;

struct Result {
  std::string phase;
  int concurrency = 0;
  long ops = 0;
  long errors = 0;
  std::string first_error;
  double seconds = 0;
  std::vector<uint32_t> latencies_us;
  uint64_t bytes_received = 0;
  long items = 0;  // items written (batch) or read (scan)
  long full_scans = 0;
  double cpu_seconds = 0;
};

class Phase;

// One keep-alive connection running the closed loop.
struct Connection : std::enable_shared_from_this<Connection> {
  Connection(asio::io_context& io, Phase& phase, int id)
      : socket(io), phase(phase), id(id) {}
  tcp::socket socket;
  std::string request_head;
  std::string request_body;
  ResponseReader reader;
  Phase& phase;
  int id;
  Clock::time_point started;
  // Scan state: the ExclusiveStartKey of the next page, items so far.
  std::string scan_start_key;
  long scan_items = 0;
  bool segment_done = false;  // scan: this round's segment is finished
  bool connected = false;

  void Start();
  void Connect();
  void Send();
  void Receive();
  void OnRead(error_code ec, size_t n);
  void Complete();
  void ReadFailed(const std::string& what);
};

class Phase {
 public:
  Phase(const Options& options, std::string name, int concurrency)
      : options_(options), rng_(12345 + concurrency) {
    result_.phase = std::move(name);
    result_.concurrency = concurrency;
    payload_.assign(options.item_bytes, 'x');
    for (int i = 0; i < options.item_bytes; ++i)
      payload_[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[i % 36];
    endpoint_ =
        tcp::endpoint(asio::ip::make_address(options.host), options.port);
  }

  Result Run() {
    asio::io_context io;
    long budget = options_.max_ops;
    if (result_.phase == "create" || result_.phase == "delete") budget = 1;
    if (result_.phase == "load")
      budget = (options_.items - options_.base + 24) / 25;
    budget_ = budget;
    double cpu_before = CpuSeconds();
    start_ = Clock::now();
    deadline_ =
        budget_ >= 0 && (result_.phase == "load" || result_.phase == "create" ||
                         result_.phase == "delete")
            ? Clock::time_point::max()
            : start_ + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(options_.seconds));
    int connections = result_.concurrency;
    if (budget_ >= 0) connections = std::min<long>(connections, budget_);
    for (int i = 0; i < connections; ++i)
      connections_.push_back(std::make_shared<Connection>(io, *this, i));
    for (auto& c : connections_) c->Start();
    io.run();
    connections_.clear();
    result_.seconds =
        std::chrono::duration<double>(Clock::now() - start_).count();
    result_.cpu_seconds = CpuSeconds() - cpu_before;
    return std::move(result_);
  }

  const tcp::endpoint& endpoint() const { return endpoint_; }

  // Claims the next operation for `c`; false when it has nothing left.
  // A scan round (one full Scan, split into one segment per connection) is
  // always finished, so that every round is a complete, validated Scan;
  // the time limit only stops new rounds.
  bool Claim(Connection& c) {
    if (result_.phase == "scan") {
      if (c.segment_done) return false;
      if (c.scan_start_key.empty() && c.scan_items == 0 && round_over_)
        return false;
      ++issued_;
      return true;
    }
    if (Clock::now() >= deadline_) return false;
    if (budget_ >= 0 && issued_ >= budget_) return false;
    ++issued_;
    return true;
  }

  void Fill(Connection& c) {
    const std::string& phase = result_.phase;
    const std::string table = R"({"TableName":")" + options_.table + "\"";
    std::string target;
    std::string body;
    if (phase == "create") {
      target = "CreateTable";
      body = table +
             R"(,"BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[)"
             R"({"AttributeName":"pk","AttributeType":"S"},)"
             R"({"AttributeName":"sk","AttributeType":"S"}],"KeySchema":[)"
             R"({"AttributeName":"pk","KeyType":"HASH"},)"
             R"({"AttributeName":"sk","KeyType":"RANGE"}]})";
    } else if (phase == "delete") {
      target = "DeleteTable";
      body = table + "}";
    } else if (phase == "ping") {
      // The cheapest request every server (and the HTTP ceiling) answers.
      target = "ListTables";
      body = "{}";
    } else if (phase == "put") {
      target = "PutItem";
      long i = options_.base + next_index_++;
      expected_ = {};
      body = table + R"(,"Item":)" + ItemJson('w', i, payload_) + "}";
    } else if (phase == "get") {
      target = "GetItem";
      long i = RandomItem();
      c.scan_start_key = PartitionKey('p', i) + "/" + SortKey(i);
      body = table + R"(,"Key":)" + KeyJson('p', i) + "}";
    } else if (phase == "update") {
      target = "UpdateItem";
      long i = RandomItem();
      body = table + R"(,"Key":)" + KeyJson('p', i) +
             R"(,"UpdateExpression":"SET n = n + :one",)"
             R"("ExpressionAttributeValues":{":one":{"N":"1"}},)"
             R"("ReturnValues":"UPDATED_NEW"})";
    } else if (phase == "query") {
      target = "Query";
      long partitions = std::max<long>(1, options_.items / 100);
      long p = std::uniform_int_distribution<long>(0, partitions - 1)(rng_);
      body = table +
             R"(,"KeyConditionExpression":"pk = :p",)"
             R"("ExpressionAttributeValues":{":p":{"S":")" +
             PartitionKey('p', p * 100) + "\"}}}";
    } else if (phase == "batch" || phase == "load") {
      target = "BatchWriteItem";
      char keyspace = phase == "load" ? 'p' : 'b';
      long first = options_.base + 25 * next_index_++;
      long last = first + 25;
      if (phase == "load") last = std::min(last, options_.items);
      body = R"({"RequestItems":{")" + options_.table + R"(":[)";
      for (long i = first; i < last; ++i) {
        if (i != first) body += ',';
        body += R"({"PutRequest":{"Item":)" + ItemJson(keyspace, i, payload_) +
                "}}";
      }
      body += "]}}";
      c.scan_items = last - first;
    } else if (phase == "scanpage") {
      // One page of 100 items from a random point: the cost of a page must
      // not grow with the table.
      target = "Scan";
      body = table + R"(,"Limit":100,"ExclusiveStartKey":)" +
             KeyJson('p', RandomItem()) + "}";
    } else if (phase == "scan") {
      target = "Scan";
      body = table;
      if (result_.concurrency > 1)
        body += R"(,"Segment":)" + std::to_string(c.id) +
                R"(,"TotalSegments":)" + std::to_string(result_.concurrency);
      if (!c.scan_start_key.empty())
        body += R"(,"ExclusiveStartKey":)" + c.scan_start_key;
      body += "}";
    }
    // The head Beast's serializer wrote, field for field. A plausible SigV4
    // header: none of the servers measured verify it, but some parse it
    // (region, access key) and reject a request without one.
    std::string& head = c.request_head;
    head.clear();
    head += "POST / HTTP/1.1\r\nHost: ";
    head += options_.host;
    head +=
        "\r\nContent-Type: application/x-amz-json-1.0\r\n"
        "Authorization: AWS4-HMAC-SHA256 "
        "Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
        "Signature="
        "0000000000000000000000000000000000000000000000000000000000000000\r\n"
        "X-Amz-Date: 20260101T000000Z\r\n"
        "X-Amz-Target: DynamoDB_20120810.";
    head += target;
    head += "\r\nContent-Length: ";
    head += std::to_string(body.size());
    head += "\r\n\r\n";
    c.request_body = std::move(body);
  }

  // Returns an error description, or empty when the response is the
  // expected success.
  std::string Check(Connection& c, int status, std::string_view body) {
    result_.bytes_received += body.size();
    if (status != 200)
      return "HTTP " + std::to_string(status) + ": " + Prefix(body, 300);
    const std::string& phase = result_.phase;
    if (phase == "put") {
      // {} (moto adds ConsumedCapacity even when not asked for).
      if (!IsEmptyObject(body) && !ObjectField(body, "ConsumedCapacity"))
        return "expected {}: " + Prefix(body, 300);
    } else if (phase == "update") {
      // UPDATED_NEW returns the incremented counter: proof the SET ran.
      auto attributes = ObjectField(body, "Attributes");
      if (!attributes || !IntField(*attributes, "N"))
        return "no Attributes.n: " + Prefix(body, 300);
    } else if (phase == "get") {
      rapidjson::Document doc;
      doc.Parse(body.data(), body.size());
      if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("Item"))
        return "no Item: " + Prefix(body, 300);
      const auto& item = doc["Item"];
      std::string pk, sk;
      if (item.HasMember("pk") && item["pk"].HasMember("S"))
        pk = item["pk"]["S"].GetString();
      if (item.HasMember("sk") && item["sk"].HasMember("S"))
        sk = item["sk"]["S"].GetString();
      if (pk + "/" + sk != c.scan_start_key)
        return "wrong item " + pk + "/" + sk + " for " + c.scan_start_key;
      if (!item.HasMember("data") ||
          item["data"]["S"].GetStringLength() != payload_.size())
        return "item without its payload";
    } else if (phase == "query") {
      auto count = IntField(body, "Count");
      if (count != 100)
        return "Query Count " + std::to_string(count.value_or(-1)) +
               " (want 100): " + Prefix(body, 200);
      result_.items += 100;
    } else if (phase == "batch" || phase == "load") {
      auto unprocessed = ObjectField(body, "UnprocessedItems");
      if (!unprocessed || !IsEmptyObject(*unprocessed))
        return "UnprocessedItems not empty: " + Prefix(body, 300);
      result_.items += c.scan_items;
    } else if (phase == "scan") {
      auto count = IntField(body, "Count");
      if (!count) return "Scan without Count: " + Prefix(body, 200);
      c.scan_items += *count;
      result_.items += *count;
      auto last = ObjectField(body, "LastEvaluatedKey");
      if (last) {
        c.scan_start_key = std::string(*last);
      } else {
        c.scan_start_key.clear();
        round_items_ += c.scan_items;
        c.scan_items = 0;
        c.segment_done = true;
        if (++segments_done_ == static_cast<int>(connections_.size()))
          return EndScanRound();
      }
    } else if (phase == "scanpage") {
      auto count = IntField(body, "Count");
      bool more = ObjectField(body, "LastEvaluatedKey").has_value();
      if (!count || *count > 100 || (*count < 100 && more) ||
          (*count == 100 && !more))
        return "bad Scan page: " + Prefix(body, 200);
      result_.items += *count;
    } else if (phase == "ping") {
      if (body.find("TableNames") == std::string_view::npos)
        return "no TableNames: " + Prefix(body, 300);
    } else if (phase == "create" || phase == "delete") {
      if (body.find("TableDescription") == std::string_view::npos)
        return "no TableDescription: " + Prefix(body, 300);
    }
    return {};
  }

  void Record(Clock::time_point started, std::string error) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  Clock::now() - started)
                  .count();
    result_.latencies_us.push_back(static_cast<uint32_t>(us));
    ++result_.ops;
    if (!error.empty()) {
      if (result_.errors++ == 0) result_.first_error = std::move(error);
    }
  }

  // Every segment of a full Scan is done: validate the total and, while
  // time remains, start the next round on every connection.
  std::string EndScanRound() {
    long seen = round_items_;
    round_items_ = 0;
    segments_done_ = 0;
    ++result_.full_scans;
    if (Clock::now() >= deadline_) {
      round_over_ = true;
    } else {
      for (auto& other : connections_) {
        other->segment_done = false;
        // The connection that ended the round continues by itself.
        if (other->scan_start_key.empty() && other->scan_items == 0 &&
            other.get() != current_)
          asio::post(other->socket.get_executor(), [other] { other->Start(); });
      }
    }
    if (options_.expect_items >= 0 && seen != options_.expect_items)
      return "full Scan returned " + std::to_string(seen) + " items, want " +
             std::to_string(options_.expect_items);
    return {};
  }

  void SetCurrent(Connection* c) { current_ = c; }

  void Fail(const std::string& what) {
    if (result_.errors++ == 0) result_.first_error = what;
  }

 private:
  long RandomItem() {
    return std::uniform_int_distribution<long>(
        0, std::max<long>(1, options_.items) - 1)(rng_);
  }

  const Options& options_;
  Result result_;
  std::mt19937_64 rng_;
  std::string payload_;
  tcp::endpoint endpoint_;
  Clock::time_point start_, deadline_;
  long budget_ = -1;
  long issued_ = 0;
  long next_index_ = 0;
  std::string expected_;
  std::vector<std::shared_ptr<Connection>> connections_;
  Connection* current_ = nullptr;
  long round_items_ = 0;
  int segments_done_ = 0;
  bool round_over_ = false;
};

void Connection::Start() {
  if (!phase.Claim(*this)) return;
  if (connected) {
    Send();
  } else {
    Connect();
  }
}

void Connection::Connect() {
  auto self = shared_from_this();
  socket = tcp::socket(socket.get_executor());
  reader.Reset();
  socket.async_connect(phase.endpoint(), [self](error_code ec) {
    if (ec) {
      self->phase.Fail("connect: " + ec.message());
      return;
    }
    self->socket.set_option(tcp::no_delay(true));
    self->connected = true;
    self->Send();
  });
}

void Connection::Send() {
  phase.Fill(*this);
  started = Clock::now();
  auto self = shared_from_this();
  std::array<asio::const_buffer, 2> buffers = {asio::buffer(request_head),
                                               asio::buffer(request_body)};
  asio::async_write(socket, buffers, [self](error_code ec, size_t) {
    if (ec) {
      self->phase.Fail("write: " + ec.message());
      return;
    }
    self->Receive();
  });
}

// Completes the response from the bytes already received, or reads more.
void Connection::Receive() {
  switch (reader.Parse()) {
    case ResponseReader::State::kDone:
      Complete();
      return;
    case ResponseReader::State::kError:
      ReadFailed(reader.error());
      return;
    case ResponseReader::State::kNeedMore:
      break;
  }
  auto self = shared_from_this();
  socket.async_read_some(reader.Prepare(), [self](error_code ec, size_t n) {
    self->OnRead(ec, n);
  });
}

void Connection::OnRead(error_code ec, size_t n) {
  if (ec == asio::error::eof) {
    if (reader.OnEof() == ResponseReader::State::kDone)
      Complete();
    else
      ReadFailed(reader.error());
    return;
  }
  if (ec) {
    ReadFailed(ec.message());
    return;
  }
  reader.Commit(n);
  Receive();
}

void Connection::Complete() {
  phase.SetCurrent(this);
  phase.Record(started, phase.Check(*this, reader.status(), reader.body()));
  bool keep_alive = reader.keep_alive();
  reader.Consume();
  if (!keep_alive) {
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    connected = false;
  }
  Start();
}

// A read error or a malformed response: counted, and the next operation
// starts on a fresh connection.
void Connection::ReadFailed(const std::string& what) {
  phase.Record(started, "read: " + what);
  error_code ignored;
  socket.close(ignored);
  connected = false;
  reader.Reset();
  Start();
}

double Percentile(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t index = static_cast<size_t>(p * (sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)] / 1000.0;
}

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

void Report(Result& r) {
  std::sort(r.latencies_us.begin(), r.latencies_us.end());
  double ops_per_s = r.seconds > 0 ? r.ops / r.seconds : 0;
  double mb_per_s = r.seconds > 0 ? r.bytes_received / r.seconds / 1e6 : 0;
  double items_per_s = r.seconds > 0 ? r.items / r.seconds : 0;
  double p50 = Percentile(r.latencies_us, 0.50);
  double p99 = Percentile(r.latencies_us, 0.99);
  double max = r.latencies_us.empty() ? 0 : r.latencies_us.back() / 1000.0;
  std::printf(
      "{\"phase\":\"%s\",\"concurrency\":%d,\"ops\":%ld,\"seconds\":%.4f,"
      "\"ops_per_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
      "\"errors\":%ld,\"first_error\":\"%s\",\"bytes\":%llu,"
      "\"mb_per_s\":%.2f,\"items\":%ld,\"items_per_s\":%.1f,"
      "\"full_scans\":%ld,\"gen_cpu_s\":%.3f,\"gen_cpu_pct\":%.1f}\n",
      r.phase.c_str(), r.concurrency, r.ops, r.seconds, ops_per_s, p50, p99,
      max, r.errors, JsonEscape(r.first_error).c_str(),
      static_cast<unsigned long long>(r.bytes_received), mb_per_s, r.items,
      items_per_s, r.full_scans, r.cpu_seconds,
      r.seconds > 0 ? 100 * r.cpu_seconds / r.seconds : 0);
  std::fflush(stdout);
  std::fprintf(stderr,
               "%-7s c=%-3d %9.1f ops/s  p50 %8.3f ms  p99 %8.3f ms  max %8.3f "
               "ms  %7.2f MB/s  %9.1f items/s  errors %ld  gen cpu %5.1f%%\n",
               r.phase.c_str(), r.concurrency, ops_per_s, p50, p99, max,
               mb_per_s, items_per_s, r.errors,
               r.seconds > 0 ? 100 * r.cpu_seconds / r.seconds : 0);
  if (r.errors)
    std::fprintf(stderr, "  first error: %s\n", r.first_error.c_str());
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

[[noreturn]] void Usage() {
  std::fprintf(
      stderr,
      "usage: loadgen --port P --phase "
      "create|load|ping|put|get|update|query|batch|scan|scanpage|delete[,...] "
      "[--concurrency 1,8,32] [--seconds S] [--max-ops N] [--items N] "
      "[--base N] [--expect-items N] [--item-bytes B] [--host H] "
      "[--table T]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) Usage();
    std::string value = argv[++i];
    if (arg == "--host")
      options.host = value;
    else if (arg == "--port")
      options.port = std::stoi(value);
    else if (arg == "--table")
      options.table = value;
    else if (arg == "--phase")
      options.phases = Split(value);
    else if (arg == "--concurrency") {
      options.concurrency.clear();
      for (auto& c : Split(value)) options.concurrency.push_back(std::stoi(c));
    } else if (arg == "--seconds")
      options.seconds = std::stod(value);
    else if (arg == "--max-ops")
      options.max_ops = std::stol(value);
    else if (arg == "--items")
      options.items = std::stol(value);
    else if (arg == "--base")
      options.base = std::stol(value);
    else if (arg == "--expect-items")
      options.expect_items = std::stol(value);
    else if (arg == "--item-bytes")
      options.item_bytes = std::stoi(value);
    else
      Usage();
  }
  if (options.phases.empty()) Usage();
  long failures = 0;
  for (const auto& phase : options.phases) {
    for (int concurrency : options.concurrency) {
      Result result = Phase(options, phase, concurrency).Run();
      failures += result.errors;
      Report(result);
      // Fresh keys for the next put/batch round of the same invocation.
      options.base += 25 * result.ops + 1000000;
    }
  }
  return failures ? 1 : 0;
}
