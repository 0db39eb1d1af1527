// The HTTP layer over a fake handler: framing, keep-alive, pipelining,
// limits, timeouts, headers and graceful stop, through real sockets.
#include "server/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <regex>
#include <set>
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
  // until the test releases it; "throw" throws.
  void Handle(HttpRequestInfo request, std::function<void(HttpResult)> done) {
    calls_.fetch_add(1);
    {
      std::lock_guard lock(mu_);
      last_request_ = request;
    }
    if (request.body == "throw") throw std::runtime_error("boom");
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
