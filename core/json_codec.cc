#include "core/json_codec.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/api_error.h"
#include "core/decimal.h"

namespace ddb {

namespace {

// ---------------------------------------------------------------------------
// Base64 (RFC 4648 standard alphabet, with padding).

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeBase64Table() {
  std::array<int8_t, 256> table{};
  for (auto& entry : table) entry = -1;
  for (int i = 0; i < 64; ++i) {
    table[static_cast<unsigned char>(kBase64Alphabet[i])] =
        static_cast<int8_t>(i);
  }
  return table;
}
constexpr std::array<int8_t, 256> kBase64Table = MakeBase64Table();

// Decodes strict base64: only the standard alphabet, padding only at the
// end, and the unused low bits of the last character zero. DynamoDB rejects
// "+/+=" (non-zero trailing bits) as well as misplaced characters, with one
// message for all of them. REQUIRES: text.size() % 4 == 0.
bool DecodeBase64(std::string_view text, std::string* out) {
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') {
    padding = 1;
    if (text.size() >= 2 && text[text.size() - 2] == '=') padding = 2;
  }
  const size_t data_chars = text.size() - padding;
  if (out != nullptr) {
    out->clear();
    out->reserve(text.size() / 4 * 3);
  }
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < data_chars; ++i) {
    int8_t sextet = kBase64Table[static_cast<unsigned char>(text[i])];
    if (sextet < 0) return false;
    buffer = (buffer << 6) | static_cast<uint32_t>(sextet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (out != nullptr) {
        out->push_back(static_cast<char>((buffer >> bits) & 0xFF));
      }
    }
  }
  // The leftover bits (2 with "==" padding, 4 with "=") must be zero.
  return (buffer & ((1u << bits) - 1)) == 0;
}

// Java's String.length() (UTF-16 code units), which DynamoDB reports in
// "Base64 encoded length is expected a multiple of 4 bytes but found: N".
size_t Utf16Length(std::string_view text) {
  size_t length = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    length += c >= 0xF0 ? 2 : 1;       // 4-byte sequences are surrogate pairs
  }
  return length;
}

// ---------------------------------------------------------------------------
// Phase 1: JSON types, with the wording of DynamoDB's Java deserializer
// (facts from dynalite's test suite, which is run against DynamoDB).

constexpr char kStartOfStructure[] =
    "Start of structure or map found where not expected";
constexpr char kUnexpectedFieldType[] = "Unexpected field type";
constexpr char kAttributeValueClass[] =
    "com.amazonaws.dynamodb.v20120810.AttributeValue";

// What a JSON position is expected to hold.
enum class Expect : uint8_t {
  kValue,       // an AttributeValue where a map entry or list element is
  kFieldValue,  // an AttributeValue that is a structure's field
  kString,      // S, N and SS/NS members
  kBlob,        // B and BS members
  kBoolean,     // BOOL, NULL
  kStringList,  // SS, NS
  kBlobList,    // BS
  kValueList,   // L
  kValueMap,    // M, and an item
};

[[noreturn]] void ThrowSerialization(std::string message) {
  throw ApiError::Serialization(std::move(message));
}

const char* NumberToken(const rapidjson::Value& json) {
  // Integral JSON numbers are NUMBER_VALUE, others DECIMAL_VALUE.
  return json.IsInt64() || json.IsUint64() ? "NUMBER_VALUE" : "DECIMAL_VALUE";
}

// The strings DynamoDB's deserializer converts to a Boolean; anything else
// is "Unexpected token received from parser".
bool ParseBooleanString(std::string_view text, bool* out) {
  auto equals = [&](std::string_view word) {
    return text.size() == word.size() &&
           std::equal(text.begin(), text.end(), word.begin(),
                      [](char a, char b) {
                        return (a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a) == b;
                      });
  };
  if (equals("true") || equals("1") || equals("yes")) {
    *out = true;
    return true;
  }
  if (equals("false") || equals("0") || equals("no")) {
    *out = false;
    return true;
  }
  return false;
}

void CheckScalar(const rapidjson::Value& json, const char* java_type) {
  if (json.IsBool()) {
    ThrowSerialization(
        std::string(json.GetBool() ? "TRUE_VALUE" : "FALSE_VALUE") +
        " cannot be converted to " + java_type);
  }
  if (json.IsNumber()) {
    ThrowSerialization(std::string(NumberToken(json)) +
                       " cannot be converted to " + java_type);
  }
  if (json.IsArray()) {
    ThrowSerialization(
        std::string("Unrecognized collection type class java.lang.") +
        java_type);
  }
  if (json.IsObject()) ThrowSerialization(kStartOfStructure);
}

// Checks one JSON position (not its children); pushes the children to visit
// onto `pending` in reverse, so that the walk reports the first error in
// document order like DynamoDB's streaming parser.
void CheckOne(
    const rapidjson::Value& json, Expect expect,
    std::vector<std::pair<const rapidjson::Value*, Expect>>& pending) {
  if (json.IsNull()) return;  // a JSON null is an absent member
  switch (expect) {
    case Expect::kValue:
    case Expect::kFieldValue: {
      if (json.IsArray()) {
        ThrowSerialization(std::string("Unrecognized collection type class ") +
                           kAttributeValueClass);
      }
      if (!json.IsObject()) {
        ThrowSerialization(expect == Expect::kValue
                               ? "Unexpected value type in payload"
                               : kUnexpectedFieldType);
      }
      const size_t first = pending.size();
      for (const auto& member : json.GetObject()) {
        std::string_view name(member.name.GetString(),
                              member.name.GetStringLength());
        Expect child;
        if (name == "S" || name == "N") {
          child = Expect::kString;
        } else if (name == "B") {
          child = Expect::kBlob;
        } else if (name == "BOOL" || name == "NULL") {
          child = Expect::kBoolean;
        } else if (name == "SS" || name == "NS") {
          child = Expect::kStringList;
        } else if (name == "BS") {
          child = Expect::kBlobList;
        } else if (name == "L") {
          child = Expect::kValueList;
        } else if (name == "M") {
          child = Expect::kValueMap;
        } else {
          continue;  // unknown members are ignored by the deserializer
        }
        pending.emplace_back(&member.value, child);
      }
      std::reverse(pending.begin() + static_cast<ptrdiff_t>(first),
                   pending.end());
      return;
    }
    case Expect::kString:
      CheckScalar(json, "String");
      return;
    case Expect::kBoolean:
      if (json.IsBool()) return;
      if (json.IsString()) {
        bool ignored;
        if (!ParseBooleanString(
                std::string_view(json.GetString(), json.GetStringLength()),
                &ignored)) {
          ThrowSerialization("Unexpected token received from parser");
        }
        return;
      }
      CheckScalar(json, "Boolean");
      return;
    case Expect::kBlob: {
      if (json.IsBool() || json.IsNumber()) {
        ThrowSerialization(
            "only base-64-encoded strings are convertible to bytes");
      }
      if (json.IsArray()) {
        ThrowSerialization(
            "Unrecognized collection type class java.nio.ByteBuffer");
      }
      if (json.IsObject()) ThrowSerialization(kStartOfStructure);
      std::string_view text(json.GetString(), json.GetStringLength());
      const size_t length = Utf16Length(text);
      if (length % 4 != 0) {
        ThrowSerialization(
            "Base64 encoded length is expected a multiple of 4 bytes but "
            "found: " +
            std::to_string(length));
      }
      if (!DecodeBase64(text, nullptr)) {
        // Sic: DynamoDB's spelling.
        ThrowSerialization("Invalid last non-pad Base64 character dectected");
      }
      return;
    }
    case Expect::kStringList:
    case Expect::kBlobList:
    case Expect::kValueList: {
      if (json.IsObject()) ThrowSerialization(kStartOfStructure);
      if (!json.IsArray()) ThrowSerialization(kUnexpectedFieldType);
      const Expect child = expect == Expect::kStringList ? Expect::kString
                           : expect == Expect::kBlobList ? Expect::kBlob
                                                         : Expect::kValue;
      const auto array = json.GetArray();
      for (rapidjson::SizeType i = array.Size(); i > 0; --i) {
        pending.emplace_back(&array[i - 1], child);
      }
      return;
    }
    case Expect::kValueMap: {
      if (json.IsArray()) {
        ThrowSerialization(
            std::string("Unrecognized collection type java.util.Map<"
                        "java.lang.String, ") +
            kAttributeValueClass + ">");
      }
      if (!json.IsObject()) ThrowSerialization(kUnexpectedFieldType);
      const size_t first = pending.size();
      for (const auto& member : json.GetObject()) {
        pending.emplace_back(&member.value, Expect::kValue);
      }
      std::reverse(pending.begin() + static_cast<ptrdiff_t>(first),
                   pending.end());
      return;
    }
  }
}

// An explicit stack instead of recursion: a 16 MB body can nest far deeper
// than the 32 levels DynamoDB stores, and type errors below that depth are
// still reported as DynamoDB's deserializer would (before any value rule).
void CheckTree(const rapidjson::Value& json, Expect expect) {
  std::vector<std::pair<const rapidjson::Value*, Expect>> pending;
  pending.emplace_back(&json, expect);
  while (!pending.empty()) {
    auto [node, node_expect] = pending.back();
    pending.pop_back();
    CheckOne(*node, node_expect, pending);
  }
}

// ---------------------------------------------------------------------------
// Phase 2: value rules, with DynamoDB's ValidationException messages.

// DynamoDB stores documents up to 32 levels deep, the top-level attribute
// value being level 1 (Developer Guide, "Quotas": nested attribute depth).
// Observed against DynamoDB (dynoxide issue #110): a value with 31 nested
// map wrappers around a scalar is accepted, 32 are rejected.
constexpr int kMaxNestingLevel = 32;
constexpr char kNestingError[] =
    "Nesting Levels have exceeded supported limits: Attributes in the item "
    "have nested levels beyond supported limit";

constexpr char kInvalidPrefix[] = "One or more parameter values were invalid: ";

// Members of an AttributeValue in the order DynamoDB validates them (as
// dynalite observed): each present type's rules, then "more than one".
enum Slot {
  kSlotS,
  kSlotB,
  kSlotN,
  kSlotBool,
  kSlotNull,
  kSlotBS,
  kSlotNS,
  kSlotSS,
  kSlotL,
  kSlotM,
  kSlotCount
};

int SlotOf(std::string_view name) {
  switch (name.size()) {
    case 1:
      switch (name[0]) {
        case 'S':
          return kSlotS;
        case 'B':
          return kSlotB;
        case 'N':
          return kSlotN;
        case 'L':
          return kSlotL;
        case 'M':
          return kSlotM;
      }
      return -1;
    case 2:
      if (name == "BS") return kSlotBS;
      if (name == "NS") return kSlotNS;
      if (name == "SS") return kSlotSS;
      return -1;
    case 4:
      if (name == "BOOL") return kSlotBool;
      if (name == "NULL") return kSlotNull;
      return -1;
  }
  return -1;
}

bool JsonBool(const rapidjson::Value& json) {
  if (json.IsBool()) return json.GetBool();
  bool value = false;
  if (json.IsString()) {
    ParseBooleanString(
        std::string_view(json.GetString(), json.GetStringLength()), &value);
  }
  return value;
}

std::string_view JsonText(const rapidjson::Value& json) {
  return std::string_view(json.GetString(), json.GetStringLength());
}

// "[a, b, c]", the way DynamoDB lists a set in its duplicates messages.
std::string ListForMessage(const rapidjson::Value& array) {
  std::string out = "[";
  bool first = true;
  for (const auto& element : array.GetArray()) {
    if (!first) out += ", ";
    first = false;
    if (element.IsNull()) {
      out += "null";
    } else {
      out.append(element.GetString(), element.GetStringLength());
    }
  }
  out += "]";
  return out;
}

bool HasDuplicate(const std::vector<std::string>& members) {
  if (members.size() < 2) return false;
  if (members.size() <= 8) {
    for (size_t i = 0; i < members.size(); ++i) {
      for (size_t j = i + 1; j < members.size(); ++j) {
        if (members[i] == members[j]) return true;
      }
    }
    return false;
  }
  std::unordered_set<std::string_view> seen;
  seen.reserve(members.size());
  for (const std::string& member : members) {
    if (!seen.insert(member).second) return true;
  }
  return false;
}

std::string DecodeValue(const rapidjson::Value& json, int level,
                        AttributeValue* out);

// Set members: JSON nulls are skipped (a null is an absent value).
std::string DecodeSet(const rapidjson::Value& json, int slot,
                      AttributeValue* out) {
  out->set.clear();
  const auto array = json.GetArray();
  if (array.Empty()) {
    switch (slot) {
      case kSlotSS:
        // Sic: "An string set" with two spaces, as DynamoDB writes it.
        return std::string(kInvalidPrefix) + "An string set  may not be empty";
      case kSlotNS:
        return std::string(kInvalidPrefix) + "An number set  may not be empty";
      default:
        return std::string(kInvalidPrefix) + "Binary sets should not be empty";
    }
  }
  out->set.reserve(array.Size());
  for (const auto& element : array) {
    if (slot == kSlotNS) {
      Decimal number;
      std::string error = element.IsNull()
                              ? std::string(
                                    "The parameter cannot be converted to a "
                                    "numeric value")
                              : Decimal::TryParse(JsonText(element), &number);
      if (!error.empty()) return error;
      out->set.push_back(number.ToString());
    } else if (element.IsNull()) {
      continue;
    } else if (slot == kSlotBS) {
      std::string bytes;
      DecodeBase64(JsonText(element), &bytes);
      out->set.push_back(std::move(bytes));
    } else {
      out->set.emplace_back(element.GetString(), element.GetStringLength());
    }
  }
  if (HasDuplicate(out->set)) {
    switch (slot) {
      case kSlotSS:
        return std::string(kInvalidPrefix) + "Input collection " +
               ListForMessage(json) + " contains duplicates.";
      case kSlotNS:
        // NS members are compared after normalisation (1 and 1.0 are the
        // same number); DynamoDB's message then names no members.
        return "Input collection contains duplicates";
      default:
        // Sic: no space before "of type BS".
        return std::string(kInvalidPrefix) + "Input collection " +
               ListForMessage(json) + "of type BS contains duplicates.";
    }
  }
  return "";
}

std::string DecodeMembers(const rapidjson::Value& json, int level,
                          AttributeMap* out) {
  out->clear();
  for (const auto& member : json.GetObject()) {
    std::string name(member.name.GetString(), member.name.GetStringLength());
    AttributeValue value;
    std::string error = DecodeValue(member.value, level, &value);
    if (!error.empty()) return error;
    // A repeated name keeps its last value, as a JSON object deserializer
    // into a map does.
    (*out)[std::move(name)] = std::move(value);
  }
  return "";
}

std::string DecodeValue(const rapidjson::Value& json, int level,
                        AttributeValue* out) {
  if (level > kMaxNestingLevel) return kNestingError;
  std::array<const rapidjson::Value*, kSlotCount> slots{};
  int present = 0;
  if (json.IsObject()) {
    for (const auto& member : json.GetObject()) {
      if (member.value.IsNull()) continue;  // null members are absent
      int slot = SlotOf(std::string_view(member.name.GetString(),
                                         member.name.GetStringLength()));
      if (slot < 0) continue;  // unknown members are ignored
      if (slots[slot] == nullptr) ++present;
      slots[slot] = &member.value;  // a repeated member: the last one wins
    }
  }
  if (present == 0) {
    return "Supplied AttributeValue is empty, must contain exactly one of the "
           "supported datatypes";
  }
  for (int slot = 0; slot < kSlotCount; ++slot) {
    const rapidjson::Value* value = slots[slot];
    if (value == nullptr) continue;
    switch (slot) {
      case kSlotS:
        out->type = AttrType::kS;
        out->scalar.assign(value->GetString(), value->GetStringLength());
        break;
      case kSlotB:
        out->type = AttrType::kB;
        DecodeBase64(JsonText(*value), &out->scalar);
        break;
      case kSlotN: {
        Decimal number;
        std::string error = Decimal::TryParse(JsonText(*value), &number);
        if (!error.empty()) return error;
        out->type = AttrType::kN;
        out->scalar = number.ToString();
        break;
      }
      case kSlotBool:
        out->type = AttrType::kBool;
        out->boolean = JsonBool(*value);
        break;
      case kSlotNull:
        if (!JsonBool(*value)) {
          return std::string(kInvalidPrefix) +
                 "Null attribute value types must have the value of true";
        }
        out->type = AttrType::kNull;
        out->boolean = true;
        break;
      case kSlotBS:
      case kSlotNS:
      case kSlotSS: {
        std::string error = DecodeSet(*value, slot, out);
        if (!error.empty()) return error;
        out->type = slot == kSlotBS   ? AttrType::kBS
                    : slot == kSlotNS ? AttrType::kNS
                                      : AttrType::kSS;
        break;
      }
      case kSlotL: {
        const auto array = value->GetArray();
        out->list.clear();
        out->list.resize(array.Size());
        for (rapidjson::SizeType i = 0; i < array.Size(); ++i) {
          std::string error = DecodeValue(array[i], level + 1, &out->list[i]);
          if (!error.empty()) return error;
        }
        out->type = AttrType::kL;
        break;
      }
      case kSlotM: {
        std::string error = DecodeMembers(*value, level + 1, &out->map);
        if (!error.empty()) return error;
        out->type = AttrType::kM;
        break;
      }
    }
  }
  if (present > 1) {
    return "Supplied AttributeValue has more than one datatypes set, must "
           "contain exactly one of the supported datatypes";
  }
  return "";
}

// ---------------------------------------------------------------------------
// Encoding.

void WriteBase64(std::string_view bytes, JsonWriter& writer) {
  std::string encoded = Base64Encode(bytes);
  writer.String(encoded.data(),
                static_cast<rapidjson::SizeType>(encoded.size()));
}

void WriteString(const std::string& s, JsonWriter& writer) {
  writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

}  // namespace

void CheckAttributeValueTypes(const rapidjson::Value& json) {
  CheckTree(json, Expect::kValue);
}

void CheckAttributeValueFieldTypes(const rapidjson::Value& json) {
  CheckTree(json, Expect::kFieldValue);
}

void CheckItemTypes(const rapidjson::Value& json) {
  CheckTree(json, Expect::kValueMap);
}

std::string DecodeAttributeValue(const rapidjson::Value& json,
                                 AttributeValue* out) {
  *out = AttributeValue();
  return DecodeValue(json, 1, out);
}

std::string DecodeItem(const rapidjson::Value& json, Item* out) {
  return DecodeMembers(json, 1, out);
}

void WriteAttributeValue(const AttributeValue& value, JsonWriter& writer) {
  writer.StartObject();
  writer.Key(AttrTypeName(value.type));
  switch (value.type) {
    case AttrType::kS:
    case AttrType::kN:
      WriteString(value.scalar, writer);
      break;
    case AttrType::kB:
      WriteBase64(value.scalar, writer);
      break;
    case AttrType::kBool:
      writer.Bool(value.boolean);
      break;
    case AttrType::kNull:
      writer.Bool(true);
      break;
    case AttrType::kSS:
    case AttrType::kNS:
      writer.StartArray();
      for (const std::string& member : value.set) WriteString(member, writer);
      writer.EndArray();
      break;
    case AttrType::kBS:
      writer.StartArray();
      for (const std::string& member : value.set) WriteBase64(member, writer);
      writer.EndArray();
      break;
    case AttrType::kL:
      writer.StartArray();
      for (const AttributeValue& element : value.list) {
        WriteAttributeValue(element, writer);
      }
      writer.EndArray();
      break;
    case AttrType::kM:
      WriteItem(value.map, writer);
      break;
  }
  writer.EndObject();
}

void WriteItem(const Item& item, JsonWriter& writer) {
  writer.StartObject();
  for (const auto& [name, value] : item) {
    writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    WriteAttributeValue(value, writer);
  }
  writer.EndObject();
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) |
                 (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                 static_cast<uint8_t>(bytes[i + 2]);
    out.push_back(kBase64Alphabet[(n >> 18) & 63]);
    out.push_back(kBase64Alphabet[(n >> 12) & 63]);
    out.push_back(kBase64Alphabet[(n >> 6) & 63]);
    out.push_back(kBase64Alphabet[n & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16;
    if (rest == 2)
      n |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8;
    out.push_back(kBase64Alphabet[(n >> 18) & 63]);
    out.push_back(kBase64Alphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kBase64Alphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

}  // namespace ddb
