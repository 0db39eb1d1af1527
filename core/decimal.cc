#include "core/decimal.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/api_error.h"

namespace ddb {

namespace {

// DynamoDB's number limits (Developer Guide, "Data types"): up to 38
// significant digits, magnitudes from 1E-130
// to 9.9999999999999999999999999999999999999E+125. With value = 0.d1d2... x
// 10^exponent, 1E-130 has exponent -129 and 9.99...E+125 has exponent 126.
constexpr size_t kMaxDigits = 38;
constexpr int64_t kMaxExponent = 126;
constexpr int64_t kMinExponent = -129;

// Exponents written in the text are clamped here: anything beyond is far
// outside the supported range either way, and clamping keeps the arithmetic
// in int64 whatever the input length.
constexpr int64_t kExponentClamp = 1'000'000'000;

constexpr char kNotANumber[] =
    "The parameter cannot be converted to a numeric value";
constexpr char kOverflow[] =
    "Number overflow. Attempting to store a number with magnitude larger than "
    "supported range";
constexpr char kUnderflow[] =
    "Number underflow. Attempting to store a number with magnitude smaller "
    "than supported range";
constexpr char kTooManyDigits[] =
    "Attempting to store more than 38 significant digits in a Number";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The order DynamoDB checks a number in (dynalite's tests, verified against
// DynamoDB): magnitude first, then precision, so "1E+126" is an overflow and
// a 39-digit number in range is a precision error. `digits` has no leading
// or trailing zeros and is non-empty.
const char* LimitError(size_t num_digits, int64_t exponent) {
  if (exponent > kMaxExponent) return kOverflow;
  if (exponent < kMinExponent) return kUnderflow;
  if (num_digits > kMaxDigits) return kTooManyDigits;
  return nullptr;
}

// -1, 0, 1 comparing |a| and |b| given as (digits, exponent); zero has empty
// digits.
int CompareMagnitude(const std::string& a_digits, int a_exponent,
                     const std::string& b_digits, int b_exponent) {
  if (a_digits.empty() || b_digits.empty()) {
    return static_cast<int>(!a_digits.empty()) -
           static_cast<int>(!b_digits.empty());
  }
  if (a_exponent != b_exponent) return a_exponent < b_exponent ? -1 : 1;
  // Without trailing zeros, a digit string that is a prefix of the other is
  // the smaller value, which is exactly lexicographic order.
  int c = a_digits.compare(b_digits);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace

std::string Decimal::TryParse(std::string_view text, Decimal* out) {
  if (text.empty()) return kNotANumber;
  auto not_a_number = [&] {
    std::string message = kNotANumber;
    message += ": ";
    message.append(text);
    return message;
  };

  // Grammar (Java BigDecimal's, which DynamoDB's front end uses):
  //   [+-] (digits [. [digits]] | . digits) [(e|E) [+-] digits]
  // No whitespace, no "Infinity"/"NaN", no hex.
  size_t i = 0;
  const size_t n = text.size();
  bool negative = false;
  if (text[i] == '+' || text[i] == '-') {
    negative = text[i] == '-';
    ++i;
  }
  std::string digits;       // every mantissa digit, leading zeros dropped
  int64_t point_shift = 0;  // exponent contribution of the mantissa
  bool any_digit = false;
  for (; i < n && IsDigit(text[i]); ++i) {
    any_digit = true;
    if (digits.empty() && text[i] == '0') continue;  // leading zero
    digits.push_back(text[i]);
    ++point_shift;
  }
  if (i < n && text[i] == '.') {
    ++i;
    for (; i < n && IsDigit(text[i]); ++i) {
      any_digit = true;
      if (digits.empty() && text[i] == '0') {
        --point_shift;  // 0.0d: each leading fractional zero lowers it
        continue;
      }
      digits.push_back(text[i]);
    }
  }
  if (!any_digit) return not_a_number();
  int64_t written_exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) {
      exponent_negative = text[i] == '-';
      ++i;
    }
    if (i == n) return not_a_number();
    for (; i < n && IsDigit(text[i]); ++i) {
      written_exponent = std::min<int64_t>(
          written_exponent * 10 + (text[i] - '0'), kExponentClamp);
    }
    if (exponent_negative) written_exponent = -written_exponent;
  }
  if (i != n) return not_a_number();

  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  Decimal result;
  if (digits.empty()) {  // any zero, "-0" and "0E+999" included
    *out = result;
    return "";
  }
  // point_shift counted integer digits (after leading zeros) positively and
  // leading fractional zeros negatively, which is the exponent of 0.d1d2...
  int64_t exponent = point_shift + written_exponent;
  if (const char* error = LimitError(digits.size(), exponent)) return error;
  result.negative_ = negative;
  result.digits_ = std::move(digits);
  result.exponent_ = static_cast<int>(exponent);
  *out = std::move(result);
  return "";
}

Decimal Decimal::Parse(std::string_view text) {
  Decimal result;
  std::string error = TryParse(text, &result);
  if (!error.empty()) throw ApiError::Validation(std::move(error));
  return result;
}

std::string Decimal::ToString() const {
  if (digits_.empty()) return "0";
  std::string out;
  const int num_digits = static_cast<int>(digits_.size());
  out.reserve(num_digits + std::max(exponent_, -exponent_) + 3);
  if (negative_) out.push_back('-');
  if (exponent_ <= 0) {
    // 0.000ddd
    out += "0.";
    out.append(static_cast<size_t>(-exponent_), '0');
    out += digits_;
  } else if (exponent_ >= num_digits) {
    // ddd000: DynamoDB never answers with an exponent.
    out += digits_;
    out.append(static_cast<size_t>(exponent_ - num_digits), '0');
  } else {
    out.append(digits_, 0, static_cast<size_t>(exponent_));
    out.push_back('.');
    out.append(digits_, static_cast<size_t>(exponent_));
  }
  return out;
}

int Decimal::Compare(const Decimal& other) const {
  const int sign = is_zero() ? 0 : (negative_ ? -1 : 1);
  const int other_sign = other.is_zero() ? 0 : (other.negative_ ? -1 : 1);
  if (sign != other_sign) return sign < other_sign ? -1 : 1;
  if (sign == 0) return 0;
  int magnitude =
      CompareMagnitude(digits_, exponent_, other.digits_, other.exponent_);
  return sign > 0 ? magnitude : -magnitude;
}

Decimal Decimal::Add(const Decimal& other) const {
  if (other.is_zero()) return *this;
  if (is_zero()) return other;

  // Align both magnitudes on a common grid of decimal positions: slot j
  // holds the digit of 10^(low + j). Both operands are within DynamoDB's
  // limits, so the grid is at most ~300 slots.
  const int low =
      std::min(exponent_ - static_cast<int>(digits_.size()),
               other.exponent_ - static_cast<int>(other.digits_.size()));
  const int high = std::max(exponent_, other.exponent_);
  std::vector<int> slots(static_cast<size_t>(high - low + 1), 0);

  // The result takes the sign of the larger magnitude; the smaller one is
  // added or subtracted from it.
  const bool same_sign = negative_ == other.negative_;
  int magnitude_order =
      CompareMagnitude(digits_, exponent_, other.digits_, other.exponent_);
  if (!same_sign && magnitude_order == 0) return Decimal();
  const Decimal& larger = magnitude_order >= 0 ? *this : other;
  const Decimal& smaller = magnitude_order >= 0 ? other : *this;
  auto accumulate = [&](const Decimal& d, int factor) {
    for (size_t i = 0; i < d.digits_.size(); ++i) {
      int position = d.exponent_ - 1 - static_cast<int>(i);
      slots[static_cast<size_t>(position - low)] +=
          factor * (d.digits_[i] - '0');
    }
  };
  accumulate(larger, 1);
  accumulate(smaller, same_sign ? 1 : -1);
  for (size_t j = 0; j + 1 < slots.size(); ++j) {
    if (slots[j] >= 10) {
      slots[j] -= 10;
      slots[j + 1] += 1;
    } else if (slots[j] < 0) {
      slots[j] += 10;
      slots[j + 1] -= 1;
    }
  }

  size_t top = slots.size();
  while (top > 0 && slots[top - 1] == 0) --top;
  size_t bottom = 0;
  while (bottom < top && slots[bottom] == 0) ++bottom;
  if (top == bottom) return Decimal();
  std::string digits;
  digits.reserve(top - bottom);
  for (size_t j = top; j > bottom; --j) {
    digits.push_back(static_cast<char>('0' + slots[j - 1]));
  }
  // The highest digit sits at 10^(low + top - 1), so 0.d1... x 10^(low+top).
  const int64_t exponent =
      static_cast<int64_t>(low) + static_cast<int64_t>(top);
  // Results are held to the limits of stored numbers (UpdateItem's ADD and
  // SET a = b + c store them), with the same messages as parsed text.
  if (const char* error = LimitError(digits.size(), exponent)) {
    throw ApiError::Validation(error);
  }
  Decimal result;
  result.negative_ = larger.negative_;
  result.digits_ = std::move(digits);
  result.exponent_ = static_cast<int>(exponent);
  return result;
}

Decimal Decimal::Subtract(const Decimal& other) const {
  Decimal negated = other;
  if (!negated.is_zero()) negated.negative_ = !negated.negative_;
  return Add(negated);
}

}  // namespace ddb
