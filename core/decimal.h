// Decimal: DynamoDB's number type — exact decimals of up to 38 significant
// digits with magnitudes from 1E-130 to 9.99...E+125, plus zero.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ddb {

class Decimal {
 public:
  Decimal() = default;  // zero

  // Parses DynamoDB number text ("42", "-0.5", "1.5E2", "  7"? no: exactly
  // what DynamoDB accepts). Throws ApiError(ValidationException) with
  // DynamoDB's message for text that is not a number, overflow, underflow or
  // more than 38 significant digits.
  static Decimal Parse(std::string_view text);
  // Parse without throwing: returns "" and sets *out, or returns the
  // ValidationException message Parse would throw (for the codec's hot path,
  // which reports the first message instead of throwing).
  static std::string TryParse(std::string_view text, Decimal* out);

  // DynamoDB's canonical text: no exponent, no leading/trailing zeros, "-0"
  // is "0" ("00042" -> "42", "1.0" -> "1", "1.5E2" -> "150", "1E-3" ->
  // "0.001").
  std::string ToString() const;

  // Total order by numeric value (1 and 1.0 are equal).
  int Compare(const Decimal& other) const;
  bool operator==(const Decimal& other) const { return Compare(other) == 0; }

  bool is_zero() const { return digits_.empty(); }
  bool is_negative() const { return negative_; }
  // Significant digits without leading or trailing zeros ("" for zero) and
  // the exponent such that value = 0.d1d2d3... x 10^exponent.
  const std::string& digits() const { return digits_; }
  int exponent() const { return exponent_; }

  // Exact arithmetic; the result is checked against DynamoDB's limits and
  // throws ApiError(ValidationException) with its messages on overflow,
  // underflow or when more than 38 significant digits would be needed.
  Decimal Add(const Decimal& other) const;
  Decimal Subtract(const Decimal& other) const;

 private:
  bool negative_ = false;
  std::string digits_;
  int exponent_ = 0;
};

}  // namespace ddb
