// TransactWriteItems and TransactGetItems: atomicity, cancellation reasons,
// idempotency and isolation under concurrent clients.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "core/api_error.h"
#include "server/ops/idempotency.h"
#include "tests/ops/ops_fixture.h"

namespace ddb::testing {
namespace {

class TransactTest : public OpsTest {
 protected:
  void SetUp() override {
    OpsTest::SetUp();
    CreateHashTable("items");
    CreateCompositeTable("events");
  }

  void Put(const std::string& item) {
    Response r =
        Call("PutItem", R"({"TableName":"items","Item":)" + item + "}");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  std::string Get(const std::string& pk) {
    return Call("GetItem",
                R"({"TableName":"items","Key":{"pk":{"S":")" + pk + R"("}}})")
        .body;
  }
  // `extra`: members of the Put; `item_extra`: attributes of its item.
  static std::string PutAction(const std::string& pk,
                               const std::string& extra = "",
                               const std::string& item_extra = "") {
    return R"({"Put":{"TableName":"items","Item":{"pk":{"S":")" + pk + R"("})" +
           item_extra + "}" + extra + "}}";
  }
};

// ---- TransactWriteItems ----------------------------------------------------

TEST_F(TransactTest, PutUpdateDeleteAndCheckCommitTogether) {
  Put(R"({"pk":{"S":"upd"},"n":{"N":"1"}})");
  Put(R"({"pk":{"S":"del"}})");
  Put(R"({"pk":{"S":"chk"},"status":{"S":"active"}})");
  Response r = Call(
      "TransactWriteItems",
      R"({"TransactItems":[)"
      R"({"Put":{"TableName":"items","Item":{"pk":{"S":"new"},"v":{"S":"x"}},"ConditionExpression":"attribute_not_exists(pk) "
}
},)"
      R"({"Update":{"TableName":"items","Key":{"pk":{"S":"upd"}},"UpdateExpression":"ADD n :one","ExpressionAttributeValues":{":one":{"N":"1"}}}},)"
      R"({"Delete":{"TableName":"items","Key":{"pk":{"S":"del"}}}},)"
      R"({"ConditionCheck":{"TableName":"items","Key":{"pk":{"S":"chk"}},"ConditionExpression":"#s = :a","ExpressionAttributeNames":{"#s":"status"},"ExpressionAttributeValues":{":a":{"S":"active"}}}},)"
      R"({"Put":{"TableName":"events","Item":{"pk":{"S":"e"},"sk":{"N":"1"}}}}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "{}");
  EXPECT_EQ(Get("new"), R"({"Item":{"pk":{"S":"new"},"v":{"S":"x"}}})");
  EXPECT_EQ(Get("upd"), R"({"Item":{"n":{"N":"2"},"pk":{"S":"upd"}}})");
  EXPECT_EQ(Get("del"), "{}");
  EXPECT_EQ(
      Call("GetItem",
           R"({"TableName":"events","Key":{"pk":{"S":"e"},"sk":{"N":"1"}}})")
          .status,
      200);
}

TEST_F(TransactTest, OneFailedConditionCancelsEverythingWithReasonsInOrder) {
  Put(R"({"pk":{"S":"exists"},"v":{"S":"old"}})");
  Response r = Call(
      "TransactWriteItems",
      R"({"TransactItems":[)" +
          PutAction("fresh",
                    R"(,"ConditionExpression":"attribute_not_exists(pk) ")") +
          "," +
          PutAction("exists",
                    R"(,"ConditionExpression":"attribute_not_exists(pk) ")") +
          "]}");
  ExpectError(r, "TransactionCanceledException",
              "Transaction cancelled, please refer cancellation reasons for "
              "specific reasons [None, ConditionalCheckFailed]");
  EXPECT_EQ(
      ToString(r.json["CancellationReasons"]),
      R"([{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}])");
  EXPECT_EQ(Get("fresh"), "{}");
  EXPECT_EQ(Get("exists"), R"({"Item":{"pk":{"S":"exists"},"v":{"S":"old"}}})");
}

TEST_F(TransactTest, TwoFailuresAndAllOldItem) {
  Put(R"({"pk":{"S":"a"},"v":{"S":"1"}})");
  Put(R"({"pk":{"S":"b"},"v":{"S":"2"}})");
  Response r = Call(
      "TransactWriteItems",
      R"({"TransactItems":[)" +
          PutAction(
              "a",
              R"(,"ConditionExpression":"attribute_not_exists(pk) ","ReturnValuesOnConditionCheckFailure":"ALL_OLD")") +
          R"(,{"Delete":{"TableName":"items","Key":{"pk":{"S":"b"}},"ConditionExpression":"v = :x","ExpressionAttributeValues":{":x":{"S":"9"}}}}]})");
  ExpectError(r, "TransactionCanceledException",
              "Transaction cancelled, please refer cancellation reasons for "
              "specific reasons [ConditionalCheckFailed, "
              "ConditionalCheckFailed]");
  EXPECT_EQ(
      ToString(r.json["CancellationReasons"]),
      R"([{"Item":{"pk":{"S":"a"},"v":{"S":"1"}},"Code":"ConditionalCheckFailed","Message":"The conditional request failed"},{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}])");
  EXPECT_EQ(Get("b"), R"({"Item":{"pk":{"S":"b"},"v":{"S":"2"}}})");
}

TEST_F(TransactTest, UpdateWithFailedConditionLeavesNoGhostItem) {
  Response r = Call(
      "TransactWriteItems",
      R"({"TransactItems":[{"Update":{"TableName":"items","Key":{"pk":{"S":"ghost"}},"UpdateExpression":"SET v = :v","ConditionExpression":"v = :v","ExpressionAttributeValues":{":v":{"N":"1"}}}}]})");
  EXPECT_EQ(r.ErrorType(), "TransactionCanceledException");
  EXPECT_EQ(Get("ghost"), "{}");
}

TEST_F(TransactTest, EmptyTransactItems) {
  ExpectError(Call("TransactWriteItems", R"({"TransactItems":[]})"),
              "ValidationException",
              "1 validation error detected: Value '[]' at 'transactItems' "
              "failed to satisfy constraint: Member must have length greater "
              "than or equal to 1");
}

TEST_F(TransactTest, MoreThan100Actions) {
  std::string actions;
  for (int i = 0; i < 101; ++i) {
    if (!actions.empty()) actions += ",";
    actions += PutAction("k" + std::to_string(i));
  }
  Response r =
      Call("TransactWriteItems", R"({"TransactItems":[)" + actions + "]}");
  EXPECT_EQ(r.ErrorType(), "ValidationException");
  std::string message = r.Message();
  EXPECT_EQ(message.rfind("1 validation error detected: Value '[", 0), 0u);
  const std::string tail =
      "]' at 'transactItems' failed to satisfy constraint: Member must have "
      "length less than or equal to 100";
  ASSERT_GE(message.size(), tail.size());
  EXPECT_EQ(message.substr(message.size() - tail.size()), tail);
}

TEST_F(TransactTest, Exactly100ActionsSucceed) {
  std::string actions;
  for (int i = 0; i < 100; ++i) {
    if (!actions.empty()) actions += ",";
    actions += PutAction("k" + std::to_string(i));
  }
  Response r =
      Call("TransactWriteItems", R"({"TransactItems":[)" + actions + "]}");
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  Response described = Call("DescribeTable", R"({"TableName":"items"})");
  EXPECT_EQ(described.json["Table"]["ItemCount"].GetInt(), 100);
}

TEST_F(TransactTest, MultipleOperationsOnOneItem) {
  ExpectError(
      Call("TransactWriteItems",
           R"({"TransactItems":[)" + PutAction("d") + "," +
               R"({"Delete":{"TableName":"items","Key":{"pk":{"S":"d"}}}}]})"),
      "ValidationException",
      "Transaction request cannot include multiple operations on one "
      "item");
}

TEST_F(TransactTest, MissingTable) {
  ExpectError(
      Call(
          "TransactWriteItems",
          R"({"TransactItems":[{"Put":{"TableName":"nope","Item":{"pk":{"S":"x"}}}}]})"),
      "ResourceNotFoundException", "Requested resource not found");
}

TEST_F(TransactTest, KeyMismatchIsAValidationErrorReason) {
  Response r =
      Call("TransactWriteItems",
           R"({"TransactItems":[)" + PutAction("ok") +
               R"(,{"Delete":{"TableName":"items","Key":{"pk":{"N":"1"}}}}]})");
  ExpectError(r, "TransactionCanceledException",
              "Transaction cancelled, please refer cancellation reasons for "
              "specific reasons [None, ValidationError]");
  EXPECT_EQ(
      ToString(r.json["CancellationReasons"][1]),
      R"({"Code":"ValidationError","Message":"The provided key element does not match the schema"})");
  EXPECT_EQ(Get("ok"), "{}");
}

TEST_F(TransactTest, ExpressionErrorsAreRequestLevel) {
  ExpectError(
      Call(
          "TransactWriteItems",
          R"({"TransactItems":[{"Put":{"TableName":"items","Item":{"pk":{"S":"x"}},"ConditionExpression":"attribute_not_exists(pk) ","ExpressionAttributeValues":{":u":{"S":"x"}}}}]})"),
      "ValidationException",
      "Value provided in ExpressionAttributeValues unused in expressions: "
      "keys: {:u}");
  ExpectError(
      Call(
          "TransactWriteItems",
          R"({"TransactItems":[{"Update":{"TableName":"items","Key":{"pk":{"S":"x"}}}}]})"),
      "ValidationException",
      "1 validation error detected: Value null at "
      "'transactItems.1.member.update.updateExpression' failed to satisfy "
      "constraint: Member must not be null");
}

TEST_F(TransactTest, TransactionOver4Megabytes) {
  std::string big(350000, 'x');
  std::string actions;
  for (int i = 0; i < 12; ++i) {
    if (!actions.empty()) actions += ",";
    actions += R"({"Put":{"TableName":"items","Item":{"pk":{"S":"k)" +
               std::to_string(i) + R"("},"v":{"S":")" + big + R"("}}}})";
  }
  Response r =
      Call("TransactWriteItems", R"({"TransactItems":[)" + actions + "]}");
  EXPECT_EQ(r.ErrorType(), "ValidationException") << r.body.substr(0, 200);
}

TEST_F(TransactTest, IdempotentRetryWritesOnce) {
  Put(R"({"pk":{"S":"counter"},"n":{"N":"0"}})");
  const std::string request =
      R"({"ClientRequestToken":"tok-once","TransactItems":[{"Update":{"TableName":"items","Key":{"pk":{"S":"counter"}},"UpdateExpression":"ADD n :one","ExpressionAttributeValues":{":one":{"N":"1"}}}}]})";
  Response first = Call("TransactWriteItems", request);
  ASSERT_EQ(first.status, 200) << first.body;
  // Member order does not matter to the token check.
  Response second = Call(
      "TransactWriteItems",
      R"({"TransactItems":[{"Update":{"UpdateExpression":"ADD n :one","Key":{"pk":{"S":"counter"}},"TableName":"items","ExpressionAttributeValues":{":one":{"N":"1"}}}}],"ClientRequestToken":"tok-once"})");
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(Get("counter"), R"({"Item":{"n":{"N":"1"},"pk":{"S":"counter"}}})");
}

TEST_F(TransactTest, SameTokenDifferentRequestIsAMismatch) {
  ASSERT_EQ(Call("TransactWriteItems",
                 R"({"ClientRequestToken":"tok-mismatch","TransactItems":[)" +
                     PutAction("m", "", R"(,"v":{"S":"first"})") + "]}")
                .status,
            200);
  Response r =
      Call("TransactWriteItems",
           R"({"ClientRequestToken":"tok-mismatch","TransactItems":[)" +
               PutAction("m", "", R"(,"v":{"S":"second"})") + "]}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.ErrorType(), "IdempotentParameterMismatchException");
  EXPECT_EQ(Get("m"), R"({"Item":{"pk":{"S":"m"},"v":{"S":"first"}}})");
}

TEST_F(TransactTest, CancelledTransactionDoesNotConsumeItsToken) {
  Put(R"({"pk":{"S":"c"}})");
  const std::string request =
      R"({"ClientRequestToken":"tok-cancel","TransactItems":[)" +
      PutAction("c", R"(,"ConditionExpression":"attribute_not_exists(pk) ")") +
      "]}";
  EXPECT_EQ(Call("TransactWriteItems", request).ErrorType(),
            "TransactionCanceledException");
  ASSERT_EQ(
      Call("DeleteItem", R"({"TableName":"items","Key":{"pk":{"S":"c"}}})")
          .status,
      200);
  EXPECT_EQ(Call("TransactWriteItems", request).status, 200);
}

TEST(IdempotencyStoreTest, TokensExpireAfterTenMinutesAndStoreIsBounded) {
  ops::IdempotencyStore store(2);
  auto t0 = ops::IdempotencyStore::Clock::time_point{};
  store.Record("a", "fa", "ra", t0);
  EXPECT_EQ(store.Lookup("a", "fa", t0 + std::chrono::minutes(9)), "ra");
  EXPECT_EQ(store.Lookup("a", "fa", t0 + std::chrono::minutes(10)),
            std::nullopt);
  store.Record("b", "fb", "rb", t0 + std::chrono::minutes(11));
  store.Record("c", "fc", "rc", t0 + std::chrono::minutes(11));
  store.Record("d", "fd", "rd", t0 + std::chrono::minutes(11));
  EXPECT_EQ(store.Lookup("b", "fb", t0 + std::chrono::minutes(11)),
            std::nullopt);
  EXPECT_EQ(store.Lookup("d", "fd", t0 + std::chrono::minutes(11)), "rd");
  EXPECT_THROW(store.Lookup("c", "other", t0 + std::chrono::minutes(11)),
               ApiError);
}

// 16 clients move money between 8 accounts at random through the router;
// conditions forbid overdrafts. Every committed transfer is atomic, so the
// total never changes, and concurrent TransactGetItems snapshots always see
// the same total.
TEST_F(TransactTest, ConcurrentTransfersKeepTheTotal) {
  constexpr int kAccounts = 8;
  constexpr int kClients = 16;
  constexpr int kTransfersEach = 40;
  for (int i = 0; i < kAccounts; ++i) {
    Put(R"({"pk":{"S":"acct)" + std::to_string(i) + R"("},"bal":{"N":"100"}})");
  }
  auto all_gets = [&] {
    std::string gets;
    for (int i = 0; i < kAccounts; ++i) {
      if (!gets.empty()) gets += ",";
      gets += R"({"Get":{"TableName":"items","Key":{"pk":{"S":"acct)" +
              std::to_string(i) + R"("}}}})";
    }
    return R"({"TransactItems":[)" + gets + "]}";
  }();
  auto total_of = [](const Response& r) {
    long total = 0;
    for (const auto& entry : r.json["Responses"].GetArray()) {
      total += std::stol(entry["Item"]["bal"]["N"].GetString());
    }
    return total;
  };
  std::atomic<int> committed{0}, cancelled{0}, bad_snapshots{0}, errors{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      unsigned seed = 1234u + static_cast<unsigned>(c);
      for (int t = 0; t < kTransfersEach; ++t) {
        seed = seed * 1103515245u + 12345u;
        int from = static_cast<int>((seed >> 8) % kAccounts);
        int to = (from + 1 + static_cast<int>((seed >> 16) % (kAccounts - 1))) %
                 kAccounts;
        int amount = 1 + static_cast<int>((seed >> 4) % 30);
        std::string a = std::to_string(amount);
        Response r = Call(
            "TransactWriteItems",
            R"({"TransactItems":[{"Update":{"TableName":"items","Key":{"pk":{"S":"acct)" +
                std::to_string(from) +
                R"("}},"UpdateExpression":"SET bal = bal - :a","ConditionExpression":"bal >= :a","ExpressionAttributeValues":{":a":{"N":")" +
                a +
                R"("}}}},{"Update":{"TableName":"items","Key":{"pk":{"S":"acct)" +
                std::to_string(to) +
                R"("}},"UpdateExpression":"SET bal = bal + :a","ExpressionAttributeValues":{":a":{"N":")" +
                a + R"("}}}}]})");
        if (r.status == 200) {
          ++committed;
        } else if (r.ErrorType() == "TransactionCanceledException") {
          ++cancelled;
        } else {
          ++errors;
        }
        if (t % 8 == 0) {
          Response snapshot = Call("TransactGetItems", all_gets);
          if (snapshot.status != 200 || total_of(snapshot) != 100 * kAccounts) {
            ++bad_snapshots;
          }
        }
      }
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(bad_snapshots.load(), 0);
  EXPECT_EQ(committed + cancelled, kClients * kTransfersEach);
  EXPECT_GT(committed.load(), 0);
  Response final_state = Call("TransactGetItems", all_gets);
  ASSERT_EQ(final_state.status, 200);
  EXPECT_EQ(total_of(final_state), 100 * kAccounts);
  for (const auto& entry : final_state.json["Responses"].GetArray()) {
    EXPECT_GE(std::stol(entry["Item"]["bal"]["N"].GetString()), 0);
  }
}

// Concurrent retries of one token: exactly one of them writes.
TEST_F(TransactTest, ConcurrentRetriesOfOneTokenWriteOnce) {
  Put(R"({"pk":{"S":"once"},"n":{"N":"0"}})");
  const std::string request =
      R"({"ClientRequestToken":"tok-race","TransactItems":[{"Update":{"TableName":"items","Key":{"pk":{"S":"once"}},"UpdateExpression":"ADD n :one","ExpressionAttributeValues":{":one":{"N":"1"}}}}]})";
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 16; ++c) {
    clients.emplace_back([&] {
      if (Call("TransactWriteItems", request).status == 200) ++ok;
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(ok.load(), 16);
  EXPECT_EQ(Get("once"), R"({"Item":{"n":{"N":"1"},"pk":{"S":"once"}}})");
}

TEST_F(TransactTest, IndexKeyTypesAreChecked) {
  Response created = Call(
      "CreateTable",
      R"({"TableName":"indexed","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],)"
      R"("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST",)"
      R"("GlobalSecondaryIndexes":[{"IndexName":"by_g","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]})");
  ASSERT_EQ(created.status, 200) << created.body;
  Response r = Call(
      "TransactWriteItems",
      R"({"TransactItems":[{"Put":{"TableName":"indexed","Item":{"pk":{"S":"a"},"g":{"S":"x"}}}},)"
      R"({"Update":{"TableName":"indexed","Key":{"pk":{"S":"b"}},"UpdateExpression":"SET g = :n","ExpressionAttributeValues":{":n":{"N":"1"}}}}]})");
  ExpectError(r, "TransactionCanceledException",
              "Transaction cancelled, please refer cancellation reasons for "
              "specific reasons [None, ValidationError]");
  EXPECT_EQ(
      Call("GetItem", R"({"TableName":"indexed","Key":{"pk":{"S":"a"}}})").body,
      "{}");
}

// ---- TransactGetItems
// --------------------------------------------------------

TEST_F(TransactTest, GetReturnsItemsInOrderWithEmptyEntriesForMisses) {
  Put(R"({"pk":{"S":"g1"},"a":{"S":"x"},"b":{"N":"1"}})");
  Response r = Call(
      "TransactGetItems",
      R"({"TransactItems":[{"Get":{"TableName":"items","Key":{"pk":{"S":"g1"}},"ProjectionExpression":"#a","ExpressionAttributeNames":{"#a":"a"}}},)"
      R"({"Get":{"TableName":"items","Key":{"pk":{"S":"none"}}}}],"ReturnConsumedCapacity":"TOTAL"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(
      r.body,
      R"({"Responses":[{"Item":{"a":{"S":"x"}}},{}],"ConsumedCapacity":[{"TableName":"items","CapacityUnits":4.0}]})");
}

TEST_F(TransactTest, GetErrors) {
  ExpectError(Call("TransactGetItems", R"({"TransactItems":[]})"),
              "ValidationException",
              "1 validation error detected: Value '[]' at 'transactItems' "
              "failed to satisfy constraint: Member must have length greater "
              "than or equal to 1");
  ExpectError(
      Call(
          "TransactGetItems",
          R"({"TransactItems":[{"Get":{"TableName":"nope","Key":{"pk":{"S":"x"}}}}]})"),
      "ResourceNotFoundException", "Requested resource not found");
  ExpectError(
      Call(
          "TransactGetItems",
          R"({"TransactItems":[{"Get":{"TableName":"items","Key":{"pk":{"S":"x"}},"ProjectionExpression":"!!!"}}]})"),
      "ValidationException",
      "Invalid ProjectionExpression: Syntax error; token: \"!\", near: \"!!\"");
  Response r =
      Call("TransactGetItems",
           R"({"TransactItems":[{"Get":{"TableName":"items","Key":{}}}]})");
  ExpectError(r, "TransactionCanceledException",
              "Transaction cancelled, please refer cancellation reasons for "
              "specific reasons [ValidationError]");
  ExpectError(
      Call(
          "TransactGetItems",
          R"({"TransactItems":[{"Get":{"TableName":"items","Key":{"pk":{"S":"x"}}}},{"Get":{"TableName":"items","Key":{"pk":{"S":"x"}}}}]})"),
      "ValidationException",
      "Transaction request cannot include multiple operations on one item");
}

TEST_F(TransactTest, GetMoreThan100) {
  std::string gets;
  for (int i = 0; i < 101; ++i) {
    if (!gets.empty()) gets += ",";
    gets += R"({"Get":{"TableName":"items","Key":{"pk":{"S":"k)" +
            std::to_string(i) + R"("}}}})";
  }
  Response r = Call("TransactGetItems", R"({"TransactItems":[)" + gets + "]}");
  EXPECT_EQ(r.ErrorType(), "ValidationException");
  const std::string tail =
      "]' at 'transactItems' failed to satisfy constraint: Member must have "
      "length less than or equal to 100";
  std::string message = r.Message();
  ASSERT_GE(message.size(), tail.size());
  EXPECT_EQ(message.substr(message.size() - tail.size()), tail);
}

}  // namespace
}  // namespace ddb::testing
