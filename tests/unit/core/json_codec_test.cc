// The JSON codec: DynamoDB's SerializationException wording for wrong JSON
// types (phase 1), its ValidationException messages for bad values (phase
// 2), and canonical encoding.
#include "core/json_codec.h"

#include <gtest/gtest.h>

#include <string>

#include "core/api_error.h"

namespace ddb {
namespace {

rapidjson::Document Json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(text.c_str(), text.size());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

// The SerializationException message phase 1 throws for a value, or "".
std::string TypeError(const std::string& value_json) {
  rapidjson::Document doc = Json(value_json);
  try {
    CheckAttributeValueTypes(doc);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.type(), "SerializationException");
    return e.message();
  }
  return "";
}

std::string ItemTypeError(const std::string& item_json) {
  rapidjson::Document doc = Json(item_json);
  try {
    CheckItemTypes(doc);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.type(), "SerializationException");
    return e.message();
  }
  return "";
}

// Phase 1 must pass; returns phase 2's message.
std::string ValueError(const std::string& value_json) {
  rapidjson::Document doc = Json(value_json);
  CheckAttributeValueTypes(doc);
  AttributeValue value;
  return DecodeAttributeValue(doc, &value);
}

std::string ItemError(const std::string& item_json) {
  rapidjson::Document doc = Json(item_json);
  CheckItemTypes(doc);
  Item item;
  return DecodeItem(doc, &item);
}

AttributeValue Decode(const std::string& value_json) {
  rapidjson::Document doc = Json(value_json);
  CheckAttributeValueTypes(doc);
  AttributeValue value;
  EXPECT_EQ(DecodeAttributeValue(doc, &value), "") << value_json;
  return value;
}

std::string Encode(const AttributeValue& value) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  WriteAttributeValue(value, writer);
  return buffer.GetString();
}

std::string RoundTrip(const std::string& value_json) {
  return Encode(Decode(value_json));
}

constexpr char kStartOfStructure[] =
    "Start of structure or map found where not expected";

// ---------------------------------------------------------------------------
// Round trips and canonical output.

TEST(JsonCodecTest, RoundTripsEveryType) {
  for (const char* json : {
           R"({"S":"hello"})",
           R"({"S":""})",  // empty strings are allowed outside keys
           R"({"S":"\u00e9\u4e2d\ud83d\ude00"})",
           R"({"N":"42"})",
           R"({"N":"-0.5"})",
           R"({"B":"AAEC/w=="})",
           R"({"B":""})",  // empty binary is allowed outside keys
           R"({"BOOL":true})",
           R"({"BOOL":false})",
           R"({"NULL":true})",
           R"({"SS":["a","b","c"]})",
           R"({"NS":["1","2.5","-3"]})",
           R"({"BS":["AQ==","AgM=","BAUG"]})",
           R"({"L":[]})",
           R"({"M":{}})",
           R"({"L":[{"S":"a"},{"N":"1"},{"L":[{"NULL":true}]}]})",
           R"({"M":{"a":{"S":"x"},"b":{"M":{"c":{"BOOL":false}}}}})",
       }) {
    rapidjson::Document in = Json(json);
    rapidjson::Document out = Json(RoundTrip(json));
    EXPECT_TRUE(in == out) << json << " -> " << RoundTrip(json);
  }
}

TEST(JsonCodecTest, DecodesIntoAttributeValues) {
  AttributeValue s = Decode(R"({"S":"x"})");
  EXPECT_EQ(s.type, AttrType::kS);
  EXPECT_EQ(s.scalar, "x");
  AttributeValue b = Decode(R"({"B":"AAEC/w=="})");
  EXPECT_EQ(b.type, AttrType::kB);
  EXPECT_EQ(b.scalar, std::string("\x00\x01\x02\xff", 4));
  AttributeValue bs = Decode(R"({"BS":["AA==","AQI="]})");
  ASSERT_EQ(bs.set.size(), 2u);
  EXPECT_EQ(bs.set[0], std::string("\x00", 1));
  EXPECT_EQ(bs.set[1], "\x01\x02");
  AttributeValue m = Decode(R"({"M":{"k":{"L":[{"N":"1.50"}]}}})");
  ASSERT_EQ(m.type, AttrType::kM);
  ASSERT_EQ(m.map.at("k").list.size(), 1u);
  EXPECT_EQ(m.map.at("k").list[0], AttributeValue::Number("1.5"));
}

TEST(JsonCodecTest, NumbersBecomeCanonical) {
  EXPECT_EQ(RoundTrip(R"({"N":"00042"})"), R"({"N":"42"})");
  EXPECT_EQ(RoundTrip(R"({"N":"1.5E2"})"), R"({"N":"150"})");
  EXPECT_EQ(RoundTrip(R"({"N":"-0"})"), R"({"N":"0"})");
  EXPECT_EQ(RoundTrip(R"({"NS":["1.0","2E1"]})"), R"({"NS":["1","20"]})");
}

TEST(JsonCodecTest, BooleanStringsAreConverted) {
  // DynamoDB's deserializer converts these strings to booleans.
  for (const char* json :
       {R"({"BOOL":"true"})", R"({"BOOL":"TRUE"})", R"({"BOOL":"1"})",
        R"({"BOOL":"yes"})", R"({"BOOL":"Yes"})"}) {
    EXPECT_EQ(Decode(json), AttributeValue::Bool(true)) << json;
  }
  for (const char* json :
       {R"({"BOOL":"false"})", R"({"BOOL":"0"})", R"({"BOOL":"NO"})"}) {
    EXPECT_EQ(Decode(json), AttributeValue::Bool(false)) << json;
  }
  EXPECT_EQ(Decode(R"({"NULL":"true"})"), AttributeValue::Null());
  EXPECT_EQ(ValueError(R"({"NULL":"no"})"),
            "One or more parameter values were invalid: Null attribute value "
            "types must have the value of true");
}

TEST(JsonCodecTest, NullAndUnknownMembersAreAbsent) {
  EXPECT_EQ(Decode(R"({"S":null,"N":"1"})"), AttributeValue::Number("1"));
  EXPECT_EQ(Decode(R"({"X":5,"S":"a","foo":[1]})"),
            AttributeValue::String("a"));
  EXPECT_EQ(ValueError(R"({"S":null})"),
            "Supplied AttributeValue is empty, must contain exactly one of the "
            "supported datatypes");
}

TEST(JsonCodecTest, EncodesItemsCompactly) {
  Item item;
  item["b"] = AttributeValue::Binary("hi!");
  item["a"] = AttributeValue::String("x\"y");
  AttributeValue list;
  list.type = AttrType::kL;
  list.list = {AttributeValue::Null(), AttributeValue::Bool(false)};
  item["l"] = list;
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  WriteItem(item, writer);
  EXPECT_EQ(
      std::string(buffer.GetString()),
      R"({"a":{"S":"x\"y"},"b":{"B":"aGkh"},"l":{"L":[{"NULL":true},{"BOOL":false}]}})");
}

TEST(JsonCodecTest, Base64EncodePadsLikeTheStandard) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

// ---------------------------------------------------------------------------
// Phase 1: SerializationException.

TEST(JsonCodecTypesTest, StringMember) {
  for (const char* member : {"S", "N"}) {
    auto value = [&](const char* json) {
      return std::string("{\"") + member + "\":" + json + "}";
    };
    EXPECT_EQ(TypeError(value("23")),
              "NUMBER_VALUE cannot be converted to String");
    EXPECT_EQ(TypeError(value("-2147483648")),
              "NUMBER_VALUE cannot be converted to String");
    EXPECT_EQ(TypeError(value("2147483648")),
              "NUMBER_VALUE cannot be converted to String");
    EXPECT_EQ(TypeError(value("34.56")),
              "DECIMAL_VALUE cannot be converted to String");
    EXPECT_EQ(TypeError(value("true")),
              "TRUE_VALUE cannot be converted to String");
    EXPECT_EQ(TypeError(value("false")),
              "FALSE_VALUE cannot be converted to String");
    EXPECT_EQ(TypeError(value("[]")),
              "Unrecognized collection type class java.lang.String");
    EXPECT_EQ(TypeError(value("{}")), kStartOfStructure);
  }
}

TEST(JsonCodecTypesTest, BooleanMember) {
  for (const char* member : {"BOOL", "NULL"}) {
    auto value = [&](const char* json) {
      return std::string("{\"") + member + "\":" + json + "}";
    };
    EXPECT_EQ(TypeError(value("\"23\"")),
              "Unexpected token received from parser");
    EXPECT_EQ(TypeError(value("\"truee\"")),
              "Unexpected token received from parser");
    EXPECT_EQ(TypeError(value("23")),
              "NUMBER_VALUE cannot be converted to Boolean");
    EXPECT_EQ(TypeError(value("34.56")),
              "DECIMAL_VALUE cannot be converted to Boolean");
    EXPECT_EQ(TypeError(value("[]")),
              "Unrecognized collection type class java.lang.Boolean");
    EXPECT_EQ(TypeError(value("{}")), kStartOfStructure);
    EXPECT_EQ(TypeError(value("\"Yes\"")), "");
  }
}

TEST(JsonCodecTypesTest, BinaryMember) {
  EXPECT_EQ(TypeError(R"({"B":true})"),
            "only base-64-encoded strings are convertible to bytes");
  EXPECT_EQ(TypeError(R"({"B":23})"),
            "only base-64-encoded strings are convertible to bytes");
  EXPECT_EQ(TypeError(R"({"B":34.56})"),
            "only base-64-encoded strings are convertible to bytes");
  EXPECT_EQ(TypeError(R"({"B":[]})"),
            "Unrecognized collection type class java.nio.ByteBuffer");
  EXPECT_EQ(TypeError(R"({"B":{}})"), kStartOfStructure);
  EXPECT_EQ(TypeError(R"({"B":"23456"})"),
            "Base64 encoded length is expected a multiple of 4 bytes but "
            "found: 5");
  // Sic: "dectected".
  EXPECT_EQ(TypeError(R"({"B":"=+/="})"),
            "Invalid last non-pad Base64 character dectected");
  EXPECT_EQ(TypeError(R"({"B":"+/+="})"),  // non-zero trailing bits
            "Invalid last non-pad Base64 character dectected");
  EXPECT_EQ(TypeError(R"({"B":"QR=="})"),
            "Invalid last non-pad Base64 character dectected");
  EXPECT_EQ(TypeError(R"({"B":"ab!d"})"),
            "Invalid last non-pad Base64 character dectected");
  EXPECT_EQ(TypeError(R"({"B":"A==="})"),
            "Invalid last non-pad Base64 character dectected");
  EXPECT_EQ(TypeError(R"({"B":"QQ=="})"), "");
  EXPECT_EQ(TypeError(R"({"B":"+/+/"})"), "");
  EXPECT_EQ(TypeError(R"({"BS":["QQ==", 5]})"),
            "only base-64-encoded strings are convertible to bytes");
  EXPECT_EQ(TypeError(R"({"BS":["QQ=", "QQ=="]})"),
            "Base64 encoded length is expected a multiple of 4 bytes but "
            "found: 3");
}

TEST(JsonCodecTypesTest, CollectionMembers) {
  for (const char* member : {"SS", "NS", "BS", "L"}) {
    auto value = [&](const char* json) {
      return std::string("{\"") + member + "\":" + json + "}";
    };
    EXPECT_EQ(TypeError(value("\"23\"")), "Unexpected field type");
    EXPECT_EQ(TypeError(value("true")), "Unexpected field type");
    EXPECT_EQ(TypeError(value("23")), "Unexpected field type");
    EXPECT_EQ(TypeError(value("34.56")), "Unexpected field type");
    EXPECT_EQ(TypeError(value("{}")), kStartOfStructure);
  }
  EXPECT_EQ(TypeError(R"({"SS":["a", 1]})"),
            "NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(TypeError(R"({"NS":[[]]})"),
            "Unrecognized collection type class java.lang.String");
  EXPECT_EQ(TypeError(R"({"M":"23"})"), "Unexpected field type");
  EXPECT_EQ(TypeError(R"({"M":23})"), "Unexpected field type");
  EXPECT_EQ(TypeError(R"({"M":[]})"),
            "Unrecognized collection type java.util.Map<java.lang.String, "
            "com.amazonaws.dynamodb.v20120810.AttributeValue>");
}

TEST(JsonCodecTypesTest, ValuePositions) {
  // A list element or map entry that is not a structure.
  for (const char* json : {R"({"L":["23"]})", R"({"L":[true]})",
                           R"({"L":[23]})", R"({"M":{"a":34.56}})"}) {
    EXPECT_EQ(TypeError(json), "Unexpected value type in payload") << json;
  }
  EXPECT_EQ(TypeError(R"({"L":[[]]})"),
            "Unrecognized collection type class "
            "com.amazonaws.dynamodb.v20120810.AttributeValue");
  EXPECT_EQ(TypeError(R"({"M":{"a":[]}})"),
            "Unrecognized collection type class "
            "com.amazonaws.dynamodb.v20120810.AttributeValue");
  EXPECT_EQ(TypeError(R"("x")"), "Unexpected value type in payload");
  EXPECT_EQ(TypeError(R"([])"),
            "Unrecognized collection type class "
            "com.amazonaws.dynamodb.v20120810.AttributeValue");
  EXPECT_EQ(TypeError(R"({"L":[{"BS":[1]}]})"),
            "only base-64-encoded strings are convertible to bytes");
  EXPECT_EQ(TypeError(R"({"M":{"a":{"BS":[{}]}}})"), kStartOfStructure);
  EXPECT_EQ(TypeError(R"({"L":[null]})"), "");
}

TEST(JsonCodecTypesTest, FieldPositions) {
  rapidjson::Document doc = Json("23");
  try {
    CheckAttributeValueFieldTypes(doc);
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.message(), "Unexpected field type");
  }
  rapidjson::Document ok = Json(R"({"S":"a"})");
  CheckAttributeValueFieldTypes(ok);
}

TEST(JsonCodecTypesTest, Items) {
  EXPECT_EQ(ItemTypeError(R"([])"),
            "Unrecognized collection type java.util.Map<java.lang.String, "
            "com.amazonaws.dynamodb.v20120810.AttributeValue>");
  EXPECT_EQ(ItemTypeError(R"("x")"), "Unexpected field type");
  EXPECT_EQ(ItemTypeError(R"({"a":"x"})"), "Unexpected value type in payload");
  EXPECT_EQ(ItemTypeError(R"({"a":[]})"),
            "Unrecognized collection type class "
            "com.amazonaws.dynamodb.v20120810.AttributeValue");
  EXPECT_EQ(ItemTypeError(R"({"a":{"S":"x"},"b":{"N":1}})"),
            "NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(ItemTypeError(R"({"a":{"S":"x"}})"), "");
}

TEST(JsonCodecTypesTest, FirstErrorInDocumentOrder) {
  EXPECT_EQ(TypeError(R"({"S":1,"B":2})"),
            "NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(TypeError(R"({"B":2,"S":1})"),
            "only base-64-encoded strings are convertible to bytes");
  EXPECT_EQ(TypeError(R"({"L":[{"S":true},{"S":1}]})"),
            "TRUE_VALUE cannot be converted to String");
}

// ---------------------------------------------------------------------------
// Phase 2: ValidationException.

TEST(JsonCodecValuesTest, EmptyOrSeveralTypes) {
  EXPECT_EQ(ValueError("{}"),
            "Supplied AttributeValue is empty, must contain exactly one of the "
            "supported datatypes");
  EXPECT_EQ(ValueError(R"({"L":[{}]})"),
            "Supplied AttributeValue is empty, must contain exactly one of the "
            "supported datatypes");
  EXPECT_EQ(ValueError(R"({"S":"a","N":"1"})"),
            "Supplied AttributeValue has more than one datatypes set, must "
            "contain exactly one of the supported datatypes");
  EXPECT_EQ(ValueError(R"({"BOOL":true,"NULL":true})"),
            "Supplied AttributeValue has more than one datatypes set, must "
            "contain exactly one of the supported datatypes");
  // Each type's own rules come before the count.
  EXPECT_EQ(ValueError(R"({"S":"a","N":"x"})"),
            "The parameter cannot be converted to a numeric value: x");
  EXPECT_EQ(ValueError(R"({"S":"a","SS":[]})"),
            "One or more parameter values were invalid: An string set  may not "
            "be empty");
}

TEST(JsonCodecValuesTest, NullMustBeTrue) {
  EXPECT_EQ(ValueError(R"({"NULL":false})"),
            "One or more parameter values were invalid: Null attribute value "
            "types must have the value of true");
}

TEST(JsonCodecValuesTest, EmptySets) {
  EXPECT_EQ(ValueError(R"({"SS":[]})"),
            "One or more parameter values were invalid: An string set  may not "
            "be empty");
  EXPECT_EQ(ValueError(R"({"NS":[]})"),
            "One or more parameter values were invalid: An number set  may not "
            "be empty");
  EXPECT_EQ(ValueError(R"({"BS":[]})"),
            "One or more parameter values were invalid: Binary sets should not "
            "be empty");
  EXPECT_EQ(ValueError(R"({"M":{"inner":{"SS":[]}}})"),
            "One or more parameter values were invalid: An string set  may not "
            "be empty");
  EXPECT_EQ(ValueError(R"({"L":[{"SS":[]}]})"),
            "One or more parameter values were invalid: An string set  may not "
            "be empty");
  // Empty strings inside sets, empty lists and maps are fine.
  EXPECT_EQ(ValueError(R"({"SS":[""]})"), "");
  EXPECT_EQ(ValueError(R"({"L":[]})"), "");
  EXPECT_EQ(ValueError(R"({"M":{}})"), "");
}

TEST(JsonCodecValuesTest, Duplicates) {
  EXPECT_EQ(ValueError(R"({"SS":["a","a"]})"),
            "One or more parameter values were invalid: Input collection [a, "
            "a] contains duplicates.");
  EXPECT_EQ(ValueError(R"({"SS":["a","b","c","b"]})"),
            "One or more parameter values were invalid: Input collection [a, "
            "b, c, b] contains duplicates.");
  EXPECT_EQ(ValueError(R"({"NS":["1","1"]})"),
            "Input collection contains duplicates");
  EXPECT_EQ(ValueError(R"({"NS":["1","1.0"]})"),  // the same number
            "Input collection contains duplicates");
  EXPECT_EQ(ValueError(R"({"NS":["1","10E-1","2"]})"),
            "Input collection contains duplicates");
  EXPECT_EQ(ValueError(R"({"BS":["AQ==","AQ=="]})"),
            "One or more parameter values were invalid: Input collection "
            "[AQ==, AQ==]of type BS contains duplicates.");
  // Many members: the hashed path.
  std::string many = R"({"SS":[)";
  for (int i = 0; i < 20; ++i) many += "\"" + std::to_string(i) + "\",";
  many += R"("7"]})";
  EXPECT_NE(ValueError(many).find("contains duplicates."), std::string::npos);
  EXPECT_EQ(ValueError(R"({"SS":["a","A"]})"), "");
}

TEST(JsonCodecValuesTest, Numbers) {
  EXPECT_EQ(ValueError(R"({"N":""})"),
            "The parameter cannot be converted to a numeric value");
  EXPECT_EQ(ValueError(R"({"N":"abc"})"),
            "The parameter cannot be converted to a numeric value: abc");
  EXPECT_EQ(ValueError(R"({"N":"1E+126"})"),
            "Number overflow. Attempting to store a number with magnitude "
            "larger than supported range");
  EXPECT_EQ(ValueError(R"({"N":"1E-131"})"),
            "Number underflow. Attempting to store a number with magnitude "
            "smaller than supported range");
  EXPECT_EQ(ValueError(R"({"N":"123456789012345678901234567890123456789"})"),
            "Attempting to store more than 38 significant digits in a Number");
  EXPECT_EQ(ValueError(R"({"NS":["1","x"]})"),
            "The parameter cannot be converted to a numeric value: x");
  EXPECT_EQ(ValueError(R"({"NS":["1",""]})"),
            "The parameter cannot be converted to a numeric value");
  EXPECT_EQ(ValueError(R"({"M":{"a":{"N":"1e999"}}})"),
            "Number overflow. Attempting to store a number with magnitude "
            "larger than supported range");
}

// {"M":{"a": ... {"S":"x"} ...}} with `wraps` maps around the string.
std::string NestedMaps(int wraps) {
  std::string json;
  for (int i = 0; i < wraps; ++i) json += R"({"M":{"a":)";
  json += R"({"S":"x"})";
  for (int i = 0; i < wraps; ++i) json += "}}";
  return json;
}

std::string NestedLists(int wraps) {
  std::string json;
  for (int i = 0; i < wraps; ++i) json += R"({"L":[)";
  json += R"({"N":"1"})";
  for (int i = 0; i < wraps; ++i) json += "]}";
  return json;
}

constexpr char kNesting[] =
    "Nesting Levels have exceeded supported limits: Attributes in the item "
    "have nested levels beyond supported limit";

TEST(JsonCodecValuesTest, NestingUpTo32Levels) {
  // DynamoDB accepts 31 wrappers around a scalar (32 levels) and rejects 32.
  EXPECT_EQ(ValueError(NestedMaps(31)), "");
  EXPECT_EQ(ValueError(NestedMaps(32)), kNesting);
  EXPECT_EQ(ValueError(NestedLists(31)), "");
  EXPECT_EQ(ValueError(NestedLists(32)), kNesting);
  EXPECT_EQ(ItemError(R"({"top":)" + NestedMaps(31) + "}"), "");
  EXPECT_EQ(ItemError(R"({"top":)" + NestedMaps(32) + "}"), kNesting);
  EXPECT_EQ(RoundTrip(NestedMaps(31)), NestedMaps(31));
}

TEST(JsonCodecValuesTest, HostileDepthDoesNotCrash) {
  // Far deeper than any stack could recurse through.
  const int depth = 200000;
  EXPECT_EQ(ValueError(NestedLists(depth)), kNesting);
  // A type error at the bottom is still found by phase 1.
  std::string json;
  for (int i = 0; i < depth; ++i) json += R"({"L":[)";
  json += R"({"S":1})";
  for (int i = 0; i < depth; ++i) json += "]}";
  EXPECT_EQ(TypeError(json), "NUMBER_VALUE cannot be converted to String");
}

TEST(JsonCodecValuesTest, Items) {
  rapidjson::Document doc =
      Json(R"({"pk":{"S":"k"},"n":{"N":"1.0"},"e":{"S":""}})");
  CheckItemTypes(doc);
  Item item;
  ASSERT_EQ(DecodeItem(doc, &item), "");
  ASSERT_EQ(item.size(), 3u);
  EXPECT_EQ(item.at("n"), AttributeValue::Number("1"));
  EXPECT_EQ(item.at("e"), AttributeValue::String(""));
  EXPECT_EQ(ItemError(R"({"a":{"S":"x"},"b":{}})"),
            "Supplied AttributeValue is empty, must contain exactly one of the "
            "supported datatypes");
  EXPECT_EQ(ItemError(R"({"a":{"NS":["2","2"]},"b":{}})"),
            "Input collection contains duplicates");
}

}  // namespace
}  // namespace ddb
