// TagResource, UntagResource, ListTagsOfResource, CreateTable's Tags, and
// UpdateTimeToLive / DescribeTimeToLive, with DynamoDB's types and messages.
#include "tests/ops/ops_fixture.h"

namespace ddb::testing {
namespace {

const std::string kArn = "arn:aws:dynamodb:us-east-1:000000000000:table/tbl1";

class TagsTtlTest : public OpsTest {
 protected:
  Response Tag(const std::string& tags_json, const std::string& arn = kArn) {
    return Call("TagResource",
                R"({"ResourceArn":")" + arn + R"(","Tags":)" + tags_json + "}");
  }
  std::string ListTags(const std::string& arn = kArn) {
    Response r =
        Call("ListTagsOfResource", R"({"ResourceArn":")" + arn + R"("})");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }
  Response Ttl(const std::string& table, bool enabled,
               const std::string& attribute) {
    return Call("UpdateTimeToLive",
                R"({"TableName":")" + table +
                    R"(","TimeToLiveSpecification":{"Enabled":)" +
                    (enabled ? "true" : "false") + R"(,"AttributeName":")" +
                    attribute + R"("}})");
  }
};

TEST_F(TagsTtlTest, TagListUntagRoundTripInKeyOrder) {
  CreateHashTable("tbl1");
  EXPECT_EQ(ListTags(), R"({"Tags":[]})");
  Response r =
      Tag(R"([{"Key":"project","Value":"x"},{"Key":"env","Value":"test"}])");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(
      ListTags(),
      R"({"Tags":[{"Key":"env","Value":"test"},{"Key":"project","Value":"x"}]})");
  // Same key: the value is replaced.
  ASSERT_EQ(Tag(R"([{"Key":"env","Value":"prod"}])").status, 200);
  r = Call("UntagResource", R"({"ResourceArn":")" + kArn +
                                R"(","TagKeys":["project","absent"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ListTags(), R"({"Tags":[{"Key":"env","Value":"prod"}]})");
}

TEST_F(TagsTtlTest, CreateTableStoresTags) {
  Response r = Call(
      "CreateTable",
      R"({"TableName":"tbl1","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST","Tags":[{"Key":"a","Value":""}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ListTags(), R"({"Tags":[{"Key":"a","Value":""}]})");
  r = Call(
      "CreateTable",
      R"({"TableName":"tbl2","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST","Tags":[{"Key":"aws:x","Value":"v"}]})");
  ExpectError(r, "ValidationException",
              "Tag Key cannot be prefixed with aws:, Key: aws:x");
}

TEST_F(TagsTtlTest, TagValidationMessages) {
  CreateHashTable("tbl1");
  ExpectError(Call("TagResource", R"({"Tags":[]})"), "ValidationException",
              "Invalid TableArn");
  ExpectError(Call("TagResource", R"({"ResourceArn":")" + kArn + R"("})"),
              "ValidationException",
              "1 validation error detected: Value null at 'tags' failed to "
              "satisfy constraint: Member must not be null");
  ExpectError(Tag(R"([{"Key":"a","Value":"b"}])", "not-a-valid-arn"),
              "ValidationException",
              "Invalid TableArn: Invalid ResourceArn provided as input "
              "not-a-valid-arn");
  ExpectError(Tag("[]"), "ValidationException",
              "Atleast one Tag needs to be provided as Input.");
  ExpectError(Tag(R"([{"Key":"","Value":"b"}])"), "ValidationException",
              "The Tag Key provided is invalid, Key: ");
  ExpectError(Tag(R"([{"Value":"b"}])"), "ValidationException",
              "The Tag Key provided is invalid, Key: null");
  ExpectError(Tag(R"([{"Key":"k"}])"), "ValidationException",
              "The Tag Value provided is invalid, Value: null");
  ExpectError(Tag(R"([{"Key":"k","Value":"a,b"}])"), "ValidationException",
              "The Tag Value provided is invalid, Value: a,b");
  const std::string long_key(129, 'k');
  ExpectError(Tag(R"([{"Key":")" + long_key + R"(","Value":"v"}])"),
              "ValidationException",
              "The Tag Key provided is invalid, Key: " + long_key);
  ASSERT_EQ(Tag(R"([{"Key":")" + std::string(128, 'k') + R"(","Value":")" +
                std::string(256, 'v') + R"("}])")
                .status,
            200);
  ExpectError(
      Tag(R"([{"Key":"k","Value":")" + std::string(257, 'v') + R"("}])"),
      "ValidationException",
      "The Tag Value provided is invalid, Value: " + std::string(257, 'v'));
  ExpectError(Tag(R"([{"Key":"aws:k","Value":"v"}])"), "ValidationException",
              "Tag Key cannot be prefixed with aws:, Key: aws:k");
  ExpectError(
      Tag(R"([{"Key":"d","Value":"1"},{"Key":"d","Value":"2"}])"),
      "ValidationException",
      "Duplicate Tag Keys provided as input: Duplicate Tag Key found d");
  // Any script's letters are accepted; the failed calls above stored nothing.
  ASSERT_EQ(Tag(R"([{"Key":"café","Value":"ключ a+b-c=d.e_f:g/h@i"}])").status,
            200);
  EXPECT_EQ(
      ListTags(),
      R"({"Tags":[{"Key":"café","Value":"ключ a+b-c=d.e_f:g/h@i"},{"Key":")" +
          std::string(128, 'k') + R"(","Value":")" + std::string(256, 'v') +
          R"("}]})");
}

TEST_F(TagsTtlTest, FiftyTagLimitCountsExistingTags) {
  CreateHashTable("tbl1");
  std::string tags = "[";
  for (int i = 0; i < 50; ++i) {
    tags += (i ? "," : "") + std::string(R"({"Key":"k)") + std::to_string(i) +
            R"(","Value":"v"})";
  }
  ASSERT_EQ(Tag(tags + "]").status, 200);
  // Re-tagging an existing key does not add one.
  ASSERT_EQ(Tag(R"([{"Key":"k0","Value":"w"}])").status, 200);
  ExpectError(Tag(R"([{"Key":"extra","Value":"v"}])"), "ValidationException",
              "Number of Tags exceed the current limit for the provided "
              "ResourceArn");
}

TEST_F(TagsTtlTest, MissingTableMessages) {
  const std::string arn =
      "arn:aws:dynamodb:us-east-1:000000000000:table/nonexistent_table_xyz";
  ExpectError(
      Tag(R"([{"Key":"a","Value":"b"}])", arn), "ResourceNotFoundException",
      "Requested resource not found: ResourcArn: " + arn + " not found");
  ExpectError(Call("UntagResource",
                   R"({"ResourceArn":")" + arn + R"(","TagKeys":["a"]})"),
              "ResourceNotFoundException", "Requested resource not found");
  Response r =
      Call("ListTagsOfResource", R"({"ResourceArn":")" + arn + R"("})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.FullType(), "com.amazon.coral.service#AccessDeniedException");
  // Another region's ARN names no table of this caller.
  CreateHashTable("tbl1");
  ExpectError(Tag(R"([{"Key":"a","Value":"b"}])",
                  "arn:aws:dynamodb:eu-west-1:000000000000:table/tbl1"),
              "ResourceNotFoundException",
              "Requested resource not found: ResourcArn: "
              "arn:aws:dynamodb:eu-west-1:000000000000:table/tbl1 not found");
}

TEST_F(TagsTtlTest, UntagValidationMessages) {
  ExpectError(Call("UntagResource", R"({"ResourceArn":")" + kArn + R"("})"),
              "ValidationException",
              "1 validation error detected: Value null at 'tagKeys' failed to "
              "satisfy constraint: Member must not be null");
  ExpectError(Call("UntagResource",
                   R"({"ResourceArn":")" + kArn + R"(","TagKeys":[]})"),
              "ValidationException",
              "Atleast one Tag Key needs to be provided as Input.");
  ExpectError(Call("UntagResource",
                   R"({"ResourceArn":")" + kArn + R"(","TagKeys":[""]})"),
              "ValidationException", "The Tag Key provided is invalid, Key: ");
}

TEST_F(TagsTtlTest, TimeToLiveLifecycle) {
  CreateHashTable("tbl1");
  Response r = Call("DescribeTimeToLive", R"({"TableName":"tbl1"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body,
            R"({"TimeToLiveDescription":{"TimeToLiveStatus":"DISABLED"}})");
  ExpectError(Ttl("tbl1", false, "ttl"), "ValidationException",
              "TimeToLive is already disabled");
  r = Ttl("tbl1", true, "ttl");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(
      r.body,
      R"({"TimeToLiveSpecification":{"Enabled":true,"AttributeName":"ttl"}})");
  r = Call("DescribeTimeToLive", R"({"TableName":"tbl1"})");
  EXPECT_EQ(
      r.body,
      R"({"TimeToLiveDescription":{"TimeToLiveStatus":"ENABLED","AttributeName":"ttl"}})");
  ExpectError(Ttl("tbl1", true, "ttl"), "ValidationException",
              "TimeToLive is already enabled");
  ExpectError(Ttl("tbl1", true, "other"), "ValidationException",
              "TimeToLive is already enabled");
  r = Ttl("tbl1", false, "ttl");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(
      r.body,
      R"({"TimeToLiveSpecification":{"Enabled":false,"AttributeName":"ttl"}})");
}

TEST_F(TagsTtlTest, TimeToLiveValidation) {
  CreateHashTable("tbl1");
  ExpectError(Ttl("tbl1", true, ""), "ValidationException",
              "1 validation error detected: Value '' at "
              "'timeToLiveSpecification.attributeName' failed to satisfy "
              "constraint: Member must have length greater than or equal to 1");
  ExpectError(Ttl("missing", true, "ttl"), "ResourceNotFoundException",
              "Requested resource not found: Table: missing not found");
  ExpectError(Call("DescribeTimeToLive", R"({"TableName":"missing"})"),
              "ResourceNotFoundException",
              "Requested resource not found: Table: missing not found");
}

}  // namespace
}  // namespace ddb::testing
