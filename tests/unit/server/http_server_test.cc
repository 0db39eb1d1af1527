// The HTTP layer over a fake handler: framing, keep-alive, pipelining,
// limits, timeouts, headers and graceful stop, through real sockets.
#include "server/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/crc32.h"
#include "tests/unit/server/http_test_client.h"

namespace ddb {
namespace {

using namespace std::chrono_literals;
using testing::DynamoRequest;
using testing::Response;
using testing::TestClient;

class HttpServerTest : public ::testing::Test {
 protected:
  // Echoes what it was given. A body "slow:N" is answered after N ms from
  // another thread, as the storage writer would; "hang" is never answered
  // until the test releases it; "throw" throws; "big:N" is answered with N
  // bytes; "twice" calls `done` twice and "done-throw" calls it, then throws.
  void Handle(HttpRequestInfo request, std::function<void(HttpResult)> done) {
    calls_.fetch_add(1);
    {
      std::lock_guard lock(mu_);
      last_request_ = request;
    }
    if (request.body == "throw") throw std::runtime_error("boom");
    if (request.body.starts_with("big:")) {
      done(HttpResult{200,
                      std::string(std::stoul(request.body.substr(4)), 'z')});
      return;
    }
    if (request.body == "twice") {
      done(HttpResult{200, "first"});
      done(HttpResult{200, "second"});
      return;
    }
    if (request.body == "done-throw") {
      done(HttpResult{200, "answered"});
      throw std::runtime_error("after done");
    }
    if (request.body == "hang") {
      std::lock_guard lock(mu_);
      hung_.push_back(std::move(done));
      return;
    }
    HttpResult result;
    result.body = request.body.size() <= 1024
                      ? request.method + " " + request.path + " " + request.body
                      : "length " + std::to_string(request.body.size());
    if (request.body.starts_with("slow:")) {
      int millis = std::stoi(request.body.substr(5));
      std::lock_guard lock(mu_);
      workers_.emplace_back([millis, done, result] {
        std::this_thread::sleep_for(std::chrono::milliseconds(millis));
        done(result);
      });
      return;
    }
    done(std::move(result));
  }

  void StartServer(HttpServerOptions options = {}) {
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<HttpServer>(
        options,
        [this](HttpRequestInfo request, std::function<void(HttpResult)> done) {
          Handle(std::move(request), std::move(done));
        });
    server_->Start();
    ASSERT_NE(server_->port(), 0);
  }

  // Answers every "hang" request so far with "late".
  void ReleaseHung() {
    std::vector<std::function<void(HttpResult)>> hung;
    {
      std::lock_guard lock(mu_);
      hung.swap(hung_);
    }
    for (auto& done : hung) done(HttpResult{200, "late"});
  }

  void TearDown() override {
    if (server_) server_->Stop();
    ReleaseHung();
    for (auto& worker : workers_) worker.join();
    server_.reset();
  }

  HttpRequestInfo LastRequest() {
    std::lock_guard lock(mu_);
    return last_request_;
  }

  uint16_t port() const { return server_->port(); }

  std::unique_ptr<HttpServer> server_;
  std::atomic<int> calls_{0};
  std::mutex mu_;
  HttpRequestInfo last_request_;
  std::vector<std::thread> workers_;
  std::vector<std::function<void(HttpResult)>> hung_;
};

TEST_F(HttpServerTest, ResponseHeadersAsDynamoDbSendsThem) {
  StartServer();
  TestClient client(port());
  client.Send(DynamoRequest("ListTables", "{}"));
  Response res = client.MustRead();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.version(), 11);
  EXPECT_EQ(res.body(), "POST / {}");
  EXPECT_EQ(res["Content-Type"], "application/x-amz-json-1.0");
  EXPECT_EQ(res["Content-Length"], std::to_string(res.body().size()));
  EXPECT_EQ(res["x-amz-crc32"], std::to_string(Crc32(res.body())));
  EXPECT_EQ(res["Server"], "dynalocal");
  EXPECT_TRUE(std::regex_match(
      std::string(res["Date"]),
      std::regex("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} "
                 "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                 "[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT")))
      << res["Date"];
  std::string id(res["x-amzn-RequestId"]);
  EXPECT_TRUE(std::regex_match(id, std::regex("[A-Z0-9]{52}"))) << id;
  EXPECT_EQ(id, LastRequest().request_id);
  // HTTP/1.1 keeps the connection open by default and says nothing.
  EXPECT_EQ(res.count("Connection"), 0u);
}

TEST_F(HttpServerTest, FillsTheRequestInfo) {
  StartServer();
  TestClient client(port());
  client.Send(
      "POST /?X-Amz-Algorithm=AWS4-HMAC-SHA256&b=1 HTTP/1.1\r\n"
      "Host: example.test:8000\r\n"
      "X-Amz-Target: DynamoDB_20120810.GetItem\r\n"
      "Content-Type: application/x-amz-json-1.0\r\n"
      "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/"
      "dynamodb/aws4_request\r\n"
      "Content-Length: 3\r\n\r\nabc");
  client.MustRead();
  HttpRequestInfo seen = LastRequest();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.path, "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&b=1");
  EXPECT_EQ(seen.amz_target, "DynamoDB_20120810.GetItem");
  EXPECT_EQ(seen.content_type, "application/x-amz-json-1.0");
  EXPECT_EQ(seen.authorization,
            "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/dynamodb/"
            "aws4_request");
  EXPECT_EQ(seen.host, "example.test:8000");
  EXPECT_EQ(seen.body, "abc");
  EXPECT_TRUE(seen.has_amz_algorithm_query);

  client.Send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  Response res = client.MustRead();
  EXPECT_EQ(res.body(), "GET / ");
  seen = LastRequest();
  EXPECT_EQ(seen.amz_target, "");
  EXPECT_EQ(seen.content_type, "");
  EXPECT_EQ(seen.authorization, "");
  EXPECT_FALSE(seen.has_amz_algorithm_query);
}

TEST_F(HttpServerTest, KeepAliveAcrossRequests) {
  StartServer();
  TestClient client(port());
  std::set<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    std::string body = "{\"n\":" + std::to_string(i) + "}";
    ASSERT_FALSE(client.Send(DynamoRequest("GetItem", body)));
    Response res = client.MustRead();
    EXPECT_EQ(res.body(), "POST / " + body);
    ids.insert(std::string(res["x-amzn-RequestId"]));
  }
  EXPECT_EQ(ids.size(), 10u);
  EXPECT_EQ(calls_.load(), 10);
}

TEST_F(HttpServerTest, PipelinedRequestsAnsweredInOrder) {
  StartServer();
  TestClient client(port());
  // The first is the slowest: the answers must still come in request order.
  client.Send(DynamoRequest("A", "slow:300") + DynamoRequest("B", "fast") +
              DynamoRequest("C", "slow:50") + DynamoRequest("D", "last"));
  EXPECT_EQ(client.MustRead().body(), "POST / slow:300");
  EXPECT_EQ(client.MustRead().body(), "POST / fast");
  EXPECT_EQ(client.MustRead().body(), "POST / slow:50");
  EXPECT_EQ(client.MustRead().body(), "POST / last");
}

TEST_F(HttpServerTest, BodyOverLimitIs413AndCloses) {
  StartServer();
  TestClient client(port());
  std::string body(17 * 1024 * 1024, 'x');
  client.Send(DynamoRequest("PutItem", body));  // may fail once we close
  Response res = client.MustRead();
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(res.body(), "");
  EXPECT_EQ(res["Content-Length"], "0");
  EXPECT_EQ(res["Connection"], "close");
  EXPECT_EQ(res["x-amz-crc32"], "0");
  EXPECT_EQ(res["x-amzn-RequestId"].size(), 52u);
  EXPECT_TRUE(client.ReadsEof());
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(HttpServerTest, ChunkedBodyOverLimitIs413) {
  StartServer();
  TestClient client(port());
  std::string chunk(1024 * 1024, 'y');
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  std::string request =
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 17; ++i) request += size_line + chunk + "\r\n";
  request += "0\r\n\r\n";
  client.Send(request);
  EXPECT_EQ(client.MustRead().result_int(), 413);
  EXPECT_TRUE(client.ReadsEof());
}

TEST_F(HttpServerTest, BodyAtLimitIsAccepted) {
  StartServer();
  TestClient client(port());
  std::string body(16 * 1024 * 1024, 'x');
  ASSERT_FALSE(client.Send(DynamoRequest("PutItem", body)));
  Response res = client.MustRead();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "length 16777216");
}

TEST_F(HttpServerTest, ChunkedBodyIsAssembled) {
  StartServer();
  TestClient client(port());
  client.Send(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\n{\"\r\n3\r\na\":\r\n2\r\n1}\r\n0\r\n\r\n");
  EXPECT_EQ(client.MustRead().body(), "POST / {\"a\":1}");
}

TEST_F(HttpServerTest, HeaderOverLimitIs400AndCloses) {
  StartServer();
  TestClient client(port());
  std::string big = "X-Big: " + std::string(17 * 1024, 'h') + "\r\n";
  client.Send(DynamoRequest("GetItem", "{}", big));
  Response res = client.MustRead();
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(res.body(), "");
  EXPECT_TRUE(client.ReadsEof());
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(HttpServerTest, HeadersJustUnderLimitAreAccepted) {
  StartServer();
  TestClient client(port());
  std::string big = "X-Big: " + std::string(15 * 1024, 'h') + "\r\n";
  client.Send(DynamoRequest("GetItem", "{}", big));
  EXPECT_EQ(client.MustRead().result_int(), 200);
}

TEST_F(HttpServerTest, GarbageIs400AndCloses) {
  StartServer();
  for (std::string garbage :
       {std::string("\x01\x02 / HTTP/1.1\r\n\r\n"),
        std::string("POST / HTTP/9.9\r\n\r\n"),
        std::string("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n"),
        std::string("POST / HTTP/1.1\r\nContent-Length: 1\r\n"
                    "Content-Length: 2\r\n\r\nab"),
        std::string("POST / HTTP/1.1\r\nNo colon here\r\n\r\n")}) {
    TestClient client(port());
    client.Send(garbage);
    Response res = client.MustRead();
    EXPECT_EQ(res.result_int(), 400) << garbage;
    EXPECT_TRUE(client.ReadsEof()) << garbage;
  }
  // The server is still fine.
  TestClient client(port());
  client.Send(DynamoRequest("ListTables", "{}"));
  EXPECT_EQ(client.MustRead().result_int(), 200);
  EXPECT_EQ(calls_.load(), 1);
}

TEST_F(HttpServerTest, ClientClosingMidRequestIsHarmless) {
  StartServer();
  {
    TestClient client(port());
    client.Send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n{");
  }
  {
    TestClient client(port());
    client.Send("POST / HTT");
  }
  TestClient client(port());
  client.Send(DynamoRequest("ListTables", "{}"));
  EXPECT_EQ(client.MustRead().result_int(), 200);
}

TEST_F(HttpServerTest, Http10ClosesUnlessAskedToKeepAlive) {
  StartServer();
  {
    TestClient client(port());
    client.Send("POST / HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}");
    Response res = client.MustRead();
    EXPECT_EQ(res.version(), 10);
    EXPECT_EQ(res.body(), "POST / {}");
    EXPECT_NE(res["Connection"], "keep-alive");
    EXPECT_TRUE(client.ReadsEof());
  }
  {
    TestClient client(port());
    std::string request =
        "POST / HTTP/1.0\r\nConnection: keep-alive\r\n"
        "Content-Length: 2\r\n\r\n{}";
    client.Send(request);
    Response res = client.MustRead();
    EXPECT_EQ(res.version(), 10);
    EXPECT_EQ(res["Connection"], "keep-alive");
    client.Send(request);
    EXPECT_EQ(client.MustRead().body(), "POST / {}");
  }
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  TestClient client(port());
  client.Send(DynamoRequest("ListTables", "{}", "Connection: close\r\n"));
  Response res = client.MustRead();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res["Connection"], "close");
  EXPECT_TRUE(client.ReadsEof());
}

TEST_F(HttpServerTest, ExpectContinue) {
  StartServer();
  TestClient client(port());
  client.Send(
      "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
      "Content-Length: 2\r\n\r\n");
  Response interim = client.MustRead();
  EXPECT_EQ(interim.result_int(), 100);
  client.Send("{}");
  Response res = client.MustRead();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "POST / {}");
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionTimesOut) {
  HttpServerOptions options;
  options.idle_timeout = 1s;
  StartServer(options);
  TestClient client(port());
  client.Send(DynamoRequest("ListTables", "{}"));
  client.MustRead();
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.ReadsEof());
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 5s);
}

TEST_F(HttpServerTest, SlowClientTimesOut) {
  HttpServerOptions options;
  options.request_timeout = 1s;
  StartServer(options);
  TestClient client(port());
  auto start = std::chrono::steady_clock::now();
  client.Send("POST / HTTP/1.1\r\nHost: h\r\nContent-Le");
  EXPECT_TRUE(client.ReadsEof());
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 5s);
}

TEST_F(HttpServerTest, ConnectionsDoNotBlockEachOther) {
  StartServer();
  TestClient stuck(port());
  stuck.Send(DynamoRequest("Slow", "hang"));
  // Many more connections than I/O threads, all answered while the first
  // request is still unanswered.
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 50; ++i) {
    clients.push_back(std::make_unique<TestClient>(port()));
    clients.back()->Send(DynamoRequest("Fast", "n" + std::to_string(i)));
  }
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(clients[i]->MustRead().body(), "POST / n" + std::to_string(i));
  }
  ReleaseHung();
  EXPECT_EQ(stuck.MustRead().body(), "late");
}

// Sends `request` on a plain socket and returns every byte the server sends
// until it closes (at most `timeout`), with the Date and x-amzn-RequestId
// values replaced by "X", so that whole responses can be compared exactly.
std::string RawExchange(uint16_t port, const std::string& request,
                        std::chrono::milliseconds timeout = 5s) {
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ip::tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(request));
  std::string out;
  char buf[4096];
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::function<void()> read = [&] {
    socket.async_read_some(asio::buffer(buf),
                           [&](boost::system::error_code ec, size_t n) {
                             out.append(buf, n);
                             if (!ec) read();
                           });
  };
  read();
  ioc.run_until(deadline);
  out = std::regex_replace(out, std::regex("Date: [^\r]*"), "Date: X");
  out = std::regex_replace(out, std::regex("x-amzn-RequestId: [A-Z0-9]{52}"),
                           "x-amzn-RequestId: X");
  return out;
}

// The response head is written by hand; these are the bytes Beast's
// serializer produced, field for field, for each Connection case.
TEST_F(HttpServerTest, ResponseBytesAreExact) {
  HttpServerOptions options;
  options.cors_origins = {"http://app.test"};
  StartServer(options);
  const std::string common =
      "Server: dynalocal\r\nDate: X\r\nx-amzn-RequestId: X\r\n"
      "x-amz-crc32: " +
      std::to_string(Crc32("POST / {}")) + "\r\n" +
      "Content-Type: application/x-amz-json-1.0\r\n";
  const std::string cors =
      "Access-Control-Allow-Origin: http://app.test\r\nVary: Origin\r\n"
      "Access-Control-Expose-Headers: x-amzn-RequestId, x-amz-crc32\r\n";
  const std::string body = "Content-Length: 9\r\n\r\nPOST / {}";
  auto request = [](std::string version, std::string extra) {
    return "POST / HTTP/" + version + "\r\nHost: h\r\n" + extra +
           "Content-Length: 2\r\n\r\n{}";
  };
  const std::string close = "Connection: close\r\n";
  // HTTP/1.1: keep-alive says nothing, close says so.
  EXPECT_EQ(RawExchange(port(), request("1.1", "") + request("1.1", close)),
            "HTTP/1.1 200 OK\r\n" + common + body + "HTTP/1.1 200 OK\r\n" +
                common + close + body);
  // HTTP/1.0: keep-alive says so, close says nothing.
  EXPECT_EQ(RawExchange(port(), request("1.0", "Connection: keep-alive\r\n") +
                                    request("1.0", "")),
            "HTTP/1.0 200 OK\r\n" + common + "Connection: keep-alive\r\n" +
                body + "HTTP/1.0 200 OK\r\n" + common + body);
  // An allowed Origin adds the CORS fields after Content-Type.
  EXPECT_EQ(RawExchange(port(),
                        request("1.1", "Origin: http://app.test\r\n" + close)),
            "HTTP/1.1 200 OK\r\n" + common + cors + close + body);
  // A preflight: no Content-Type, an empty body.
  EXPECT_EQ(
      RawExchange(port(),
                  "OPTIONS / HTTP/1.1\r\nHost: h\r\nOrigin: http://app.test\r\n"
                  "Access-Control-Request-Method: POST\r\n"
                  "Access-Control-Request-Headers: content-type\r\n" +
                      close + "\r\n"),
      "HTTP/1.1 200 OK\r\nServer: dynalocal\r\nDate: X\r\n"
      "x-amzn-RequestId: X\r\nx-amz-crc32: 0\r\n" +
          cors +
          "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n"
          "Access-Control-Allow-Headers: content-type\r\n"
          "Access-Control-Max-Age: 172800\r\n" +
          close + "Content-Length: 0\r\n\r\n");
  // An error of the HTTP layer itself.
  EXPECT_EQ(RawExchange(port(), "\x01\x02 / HTTP/1.1\r\n\r\n"),
            "HTTP/1.1 400 Bad Request\r\nServer: dynalocal\r\nDate: X\r\n"
            "x-amzn-RequestId: X\r\nx-amz-crc32: 0\r\n" +
                close + "Content-Length: 0\r\n\r\n");
}

TEST_F(HttpServerTest, DoneIsHonouredOnce) {
  StartServer();
  TestClient client(port());
  client.Send(DynamoRequest("A", "twice") + DynamoRequest("B", "done-throw") +
              DynamoRequest("C", "next"));
  EXPECT_EQ(client.MustRead().body(), "first");
  Response res = client.MustRead();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "answered");
  EXPECT_EQ(client.MustRead().body(), "POST / next");
}

// Requests answered at once are also written at once, nested in the previous
// response's completion; a long pipeline must neither overflow the stack nor
// lose its order.
TEST_F(HttpServerTest, LongPipelineOfImmediateAnswers) {
  StartServer();
  TestClient client(port());
  std::string batch;
  for (int i = 0; i < 500; ++i) {
    batch += DynamoRequest("GetItem", "n" + std::to_string(i));
  }
  client.Send(batch);
  for (int i = 0; i < 500; ++i) {
    ASSERT_EQ(client.MustRead().body(), "POST / n" + std::to_string(i));
  }
}

// A response larger than the socket's buffers is finished asynchronously
// after a partial write, and the connection goes on.
TEST_F(HttpServerTest, LargeResponseToASlowReader) {
  StartServer();
  TestClient client(port());
  client.Send(DynamoRequest("Scan", "big:20000000") +
              DynamoRequest("GetItem", "after"));
  std::this_thread::sleep_for(300ms);  // let the server's write block
  Response res = client.MustRead();
  EXPECT_EQ(res.body().size(), 20000000u);
  EXPECT_EQ(res.body().find_first_not_of('z'), std::string::npos);
  EXPECT_EQ(res["x-amz-crc32"], std::to_string(Crc32(res.body())));
  EXPECT_EQ(client.MustRead().body(), "POST / after");
}

// The request timeout also bounds writing a response the client does not
// read: the connection is dropped, and does not hold up Stop().
TEST_F(HttpServerTest, ResponseNotReadTimesOut) {
  HttpServerOptions options;
  options.request_timeout = 1s;
  StartServer(options);
  TestClient client(port());
  client.Send(DynamoRequest("Scan", "big:50000000"));
  std::this_thread::sleep_for(2500ms);
  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

// One deadline for the whole request: a client trickling bytes is cut off
// at the request timeout, however steadily it sends.
TEST_F(HttpServerTest, TricklingClientIsCutOffAtTheRequestTimeout) {
  HttpServerOptions options;
  options.request_timeout = 1s;
  StartServer(options);
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ip::tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address("127.0.0.1"), port()});
  std::string request = DynamoRequest("GetItem", "{}");
  auto start = std::chrono::steady_clock::now();
  bool cut_off = false;
  for (char byte : request) {
    boost::system::error_code ec;
    asio::write(socket, asio::buffer(&byte, 1), ec);
    if (ec) {
      cut_off = true;
      break;
    }
    if (std::chrono::steady_clock::now() - start > 3s) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(cut_off);
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 3s);
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(HttpServerTest, ZeroIdleTimeoutKeepsConnectionsOpen) {
  HttpServerOptions options;
  options.idle_timeout = 0s;
  StartServer(options);
  TestClient client(port());
  client.Send(DynamoRequest("ListTables", "{}"));
  client.MustRead();
  std::this_thread::sleep_for(1200ms);
  ASSERT_FALSE(client.Send(DynamoRequest("ListTables", "{}")));
  EXPECT_EQ(client.MustRead().result_int(), 200);
}

TEST_F(HttpServerTest, ThrowingHandlerGives500) {
  StartServer();
  TestClient client(port());
  client.Send(DynamoRequest("GetItem", "throw"));
  Response res = client.MustRead();
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_NE(res.body().find("InternalServerError"), std::string::npos);
  client.Send(DynamoRequest("GetItem", "{}"));
  EXPECT_EQ(client.MustRead().result_int(), 200);
}

TEST_F(HttpServerTest, GracefulStopFinishesInFlightRequests) {
  StartServer();
  TestClient idle(port());
  idle.Send(DynamoRequest("ListTables", "{}"));
  idle.MustRead();
  TestClient busy(port());
  busy.Send(DynamoRequest("PutItem", "slow:400"));
  std::this_thread::sleep_for(100ms);  // let the request reach the handler

  auto start = std::chrono::steady_clock::now();
  std::thread stopper([this] { server_->Stop(); });
  Response res = busy.MustRead();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "POST / slow:400");
  EXPECT_EQ(res["Connection"], "close");
  EXPECT_TRUE(busy.ReadsEof());
  EXPECT_TRUE(idle.ReadsEof());
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);

  // No longer accepting.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket socket(ioc);
  boost::system::error_code ec;
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port()}, ec);
  EXPECT_TRUE(ec);
}

TEST_F(HttpServerTest, StopIsBoundedWhenAHandlerHangs) {
  HttpServerOptions options;
  options.shutdown_grace = 300ms;
  StartServer(options);
  TestClient client(port());
  client.Send(DynamoRequest("PutItem", "hang"));
  std::this_thread::sleep_for(100ms);
  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(client.ReadsEof());
  // TearDown answers the hung request now, after the stop: it must be
  // dropped without harm.
}

TEST_F(HttpServerTest, StopWithoutConnectionsIsQuickAndIdempotent) {
  StartServer();
  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
}

TEST(HttpServerStartTest, PortInUseIsAClearError) {
  HttpServerOptions options;
  options.port = 0;
  auto handler = [](HttpRequestInfo, std::function<void(HttpResult)> done) {
    done(HttpResult{});
  };
  HttpServer first(options, handler);
  first.Start();
  options.port = first.port();
  HttpServer second(options, handler);
  try {
    second.Start();
    FAIL() << "second bind succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(options.port)),
              std::string::npos)
        << e.what();
  }
}

TEST(HttpServerStartTest, BadHostIsAClearError) {
  HttpServerOptions options;
  options.host = "no-such-host.invalid";
  options.port = 0;
  HttpServer server(options,
                    [](HttpRequestInfo, std::function<void(HttpResult)> done) {
                      done(HttpResult{});
                    });
  EXPECT_THROW(server.Start(), std::runtime_error);
}

}  // namespace
}  // namespace ddb
