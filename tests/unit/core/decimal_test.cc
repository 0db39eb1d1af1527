// Decimal: DynamoDB's number rules (parse, canonical text, limits, order,
// exact arithmetic).
#include "core/decimal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>

#include "core/api_error.h"

namespace ddb {
namespace {

constexpr char kOverflow[] =
    "Number overflow. Attempting to store a number with magnitude larger than "
    "supported range";
constexpr char kUnderflow[] =
    "Number underflow. Attempting to store a number with magnitude smaller "
    "than supported range";
constexpr char kTooManyDigits[] =
    "Attempting to store more than 38 significant digits in a Number";

std::string Canonical(const std::string& text) {
  return Decimal::Parse(text).ToString();
}

// The ValidationException message Parse throws, or "" when it parses.
std::string ParseError(const std::string& text) {
  try {
    Decimal::Parse(text);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.type(), "ValidationException");
    return e.message();
  }
  return "";
}

std::string ArithmeticError(const std::string& a, const std::string& b,
                            bool subtract) {
  Decimal x = Decimal::Parse(a), y = Decimal::Parse(b);
  try {
    subtract ? x.Subtract(y) : x.Add(y);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.type(), "ValidationException");
    return e.message();
  }
  return "";
}

std::string Sum(const std::string& a, const std::string& b) {
  return Decimal::Parse(a).Add(Decimal::Parse(b)).ToString();
}

std::string Difference(const std::string& a, const std::string& b) {
  return Decimal::Parse(a).Subtract(Decimal::Parse(b)).ToString();
}

const std::string k38Nines(38, '9');

TEST(DecimalParseTest, NormalisesToDynamoDbCanonicalText) {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"0", "0"},
      {"-0", "0"},  // DynamoDB returns "0" for "-0"
      {"+0", "0"},
      {"0.000", "0"},
      {"-0.0e5", "0"},
      {"0E+999999999999", "0"},
      {"00042", "42"},  // leading zeros are not significant
      {"1.0", "1"},
      {"3.1400", "3.14"},
      {"1.5E2", "150"},  // never an exponent in the answer
      {"1e3", "1000"},
      {"1E+2", "100"},
      {"100", "100"},
      {"1E-3", "0.001"},
      {"-0.50", "-0.5"},
      {"-1.23e-2", "-0.0123"},
      {".5", "0.5"},
      {"5.", "5"},
      {"+7", "7"},
      {"123.456", "123.456"},
      {"0.00000000000000000000000000000000000001",
       "0.00000000000000000000000000000000000001"},
      {"12345678901234567890123456789012345678",
       "12345678901234567890123456789012345678"},
      {"-12345678901234567890123456789012345678",
       "-12345678901234567890123456789012345678"},
      {"1234.5678e-2", "12.345678"},
      {"0.0012300e3", "1.23"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Canonical(c.in), c.out) << c.in;
  }
}

TEST(DecimalParseTest, ExtremesPrintWithoutExponent) {
  EXPECT_EQ(Canonical("1E+125"), "1" + std::string(125, '0'));
  EXPECT_EQ(Canonical("1E-130"), "0." + std::string(129, '0') + "1");
  EXPECT_EQ(Canonical("9.9999999999999999999999999999999999999E+125"),
            k38Nines + std::string(88, '0'));
  EXPECT_EQ(Canonical("-9.9999999999999999999999999999999999999E+125"),
            "-" + k38Nines + std::string(88, '0'));
}

TEST(DecimalParseTest, DigitsAndExponent) {
  Decimal d = Decimal::Parse("-0.0120");
  EXPECT_TRUE(d.is_negative());
  EXPECT_EQ(d.digits(), "12");
  EXPECT_EQ(d.exponent(), -1);  // -0.12 x 10^-1
  Decimal big = Decimal::Parse("1500");
  EXPECT_EQ(big.digits(), "15");
  EXPECT_EQ(big.exponent(), 4);
  Decimal zero = Decimal::Parse("-0");
  EXPECT_TRUE(zero.is_zero());
  EXPECT_FALSE(zero.is_negative());
  EXPECT_EQ(zero.digits(), "");
  EXPECT_EQ(Decimal::Parse("1E-130").exponent(), -129);
  EXPECT_EQ(Decimal::Parse("9.9E+125").exponent(), 126);
}

TEST(DecimalParseTest, RejectsTextThatIsNotANumber) {
  EXPECT_EQ(ParseError(""),
            "The parameter cannot be converted to a numeric value");
  for (const char* text :
       {".",     "1e",    "e5",   "+",        "-",         " 1",
        "1 ",    "\t1",   "0x10", "Infinity", "-Infinity", "NaN",
        "1.2.3", "1e5.5", "1e+",  "--1",      "+-1",       "abc",
        "1,000", "1_000", "E",    "1ee5",     "١"}) {
    EXPECT_EQ(ParseError(text),
              std::string("The parameter cannot be converted to a numeric "
                          "value: ") +
                  text)
        << text;
  }
}

TEST(DecimalParseTest, MagnitudeLimits) {
  EXPECT_EQ(ParseError("1E-130"), "");
  EXPECT_EQ(ParseError("-1E-130"), "");
  EXPECT_EQ(ParseError("1.5E-130"), "");
  EXPECT_EQ(ParseError("1E-131"), kUnderflow);
  EXPECT_EQ(ParseError("-1E-131"), kUnderflow);
  EXPECT_EQ(ParseError("0.99E-130"), kUnderflow);
  EXPECT_EQ(ParseError("1E-99999999999999999999"), kUnderflow);
  EXPECT_EQ(ParseError("9.9999999999999999999999999999999999999E+125"), "");
  EXPECT_EQ(ParseError("1E+126"), kOverflow);
  EXPECT_EQ(ParseError("-1E+126"), kOverflow);
  EXPECT_EQ(ParseError("1" + std::string(126, '0')), kOverflow);
  EXPECT_EQ(ParseError("1" + std::string(125, '0')), "");
  EXPECT_EQ(ParseError("1E+99999999999999999999"), kOverflow);
}

TEST(DecimalParseTest, SignificantDigitLimit) {
  EXPECT_EQ(ParseError("12345678901234567890123456789012345678"), "");
  EXPECT_EQ(ParseError("123456789012345678901234567890123456789"),
            kTooManyDigits);
  EXPECT_EQ(ParseError("0.123456789012345678901234567890123456789"),
            kTooManyDigits);
  // Leading and trailing zeros are not significant.
  EXPECT_EQ(ParseError("1" + std::string(100, '0')), "");
  EXPECT_EQ(ParseError("0000" + k38Nines + ".000000"), "");
  EXPECT_EQ(ParseError("1" + std::string(36, '0') + "1"), "");
  EXPECT_EQ(ParseError("1" + std::string(37, '0') + "1"), kTooManyDigits);
  EXPECT_EQ(ParseError(std::string(38, '1') + std::string(88, '0')), "");
}

TEST(DecimalParseTest, MagnitudeIsCheckedBeforePrecision) {
  // A 39-digit number out of range reports the range, as DynamoDB does.
  EXPECT_EQ(ParseError("1." + std::string(38, '1') + "E+126"), kOverflow);
  EXPECT_EQ(ParseError("1." + std::string(38, '1') + "E-131"), kUnderflow);
}

TEST(DecimalCompareTest, NumericOrder) {
  auto cmp = [](const char* a, const char* b) {
    return Decimal::Parse(a).Compare(Decimal::Parse(b));
  };
  EXPECT_EQ(cmp("1", "1.0"), 0);
  EXPECT_EQ(cmp("100", "1E2"), 0);
  EXPECT_EQ(cmp("-0", "0"), 0);
  EXPECT_TRUE(Decimal::Parse("1") == Decimal::Parse("1.000"));
  EXPECT_LT(cmp("-1", "0"), 0);
  EXPECT_LT(cmp("0", "0.001"), 0);
  EXPECT_LT(cmp("-1", "0.001"), 0);
  EXPECT_GT(cmp("0.001", "-1"), 0);
  EXPECT_LT(cmp("0.1", "0.11"), 0);
  EXPECT_GT(cmp("0.11", "0.1"), 0);
  EXPECT_GT(cmp("-0.1", "-0.11"), 0);
  EXPECT_LT(cmp("9", "10"), 0);
  EXPECT_LT(cmp("-10", "-9"), 0);
  EXPECT_GT(cmp("1E+125", "9.9E+124"), 0);
  EXPECT_LT(cmp("-1E+125", "-9.9E+124"), 0);
  EXPECT_LT(cmp("1E-130", "1.1E-130"), 0);
  EXPECT_LT(cmp("0", "1E-130"), 0);
  EXPECT_GT(cmp("0", "-1E-130"), 0);
  EXPECT_LT(cmp("-9.9999999999999999999999999999999999999E+125",
                "9.9999999999999999999999999999999999999E+125"),
            0);
  EXPECT_LT(cmp("99999999999999999999999999999999999999", "1E+38"), 0);
}

TEST(DecimalArithmeticTest, ExactSumsAndDifferences) {
  EXPECT_EQ(Sum("1", "1"), "2");
  EXPECT_EQ(Sum("0.1", "0.2"), "0.3");  // exact, unlike binary floating point
  EXPECT_EQ(Sum("9.99", "0.01"), "10");
  EXPECT_EQ(Sum("999", "1"), "1000");
  EXPECT_EQ(Sum(k38Nines, "1"), "1" + std::string(38, '0'));
  EXPECT_EQ(Sum("12345678901234567890123456789012345678", "1"),
            "12345678901234567890123456789012345679");
  EXPECT_EQ(Sum("-5", "3"), "-2");
  EXPECT_EQ(Sum("5", "-3"), "2");
  EXPECT_EQ(Sum("-5", "-3"), "-8");
  EXPECT_EQ(Sum("0", "-3.5"), "-3.5");
  EXPECT_EQ(Sum("-3.5", "0"), "-3.5");
  EXPECT_EQ(Sum("1E-130", "1E-130"), "0." + std::string(129, '0') + "2");
  EXPECT_EQ(Sum("1E+125", "1E+125"), "2" + std::string(125, '0'));
  EXPECT_EQ(Difference("5", "7"), "-2");
  EXPECT_EQ(Difference("1", "1"), "0");
  EXPECT_EQ(Difference("1.0", "1"), "0");
  EXPECT_EQ(Difference("0.5", "1"), "-0.5");
  EXPECT_EQ(Difference("1000", "0.001"), "999.999");
  EXPECT_EQ(Difference("-1000", "-0.001"), "-999.999");
  EXPECT_EQ(Difference("1" + std::string(38, '0'), "1"), k38Nines);
  EXPECT_EQ(Difference("-2", "-5"), "3");
  EXPECT_EQ(Difference("0", "0"), "0");
  EXPECT_EQ(Difference("0", "7"), "-7");
  EXPECT_EQ(Difference("100.25", "0.25"), "100");
}

TEST(DecimalArithmeticTest, ResultsAreHeldToTheLimits) {
  EXPECT_EQ(ArithmeticError("9.9999999999999999999999999999999999999E+125",
                            "1E+88", false),
            kOverflow);
  EXPECT_EQ(ArithmeticError("-9.9999999999999999999999999999999999999E+125",
                            "1E+88", true),
            kOverflow);
  EXPECT_EQ(ArithmeticError("2E-130", "1.5E-130", true), kUnderflow);
  EXPECT_EQ(ArithmeticError("1E+125", "1", false), kTooManyDigits);
  EXPECT_EQ(
      ArithmeticError("12345678901234567890123456789012345678", "0.1", false),
      kTooManyDigits);
  EXPECT_EQ(ArithmeticError("1E+125", "1E-130", false), kTooManyDigits);
  EXPECT_EQ(ArithmeticError("1E+125", "1E+125", false), "");
}

// Random decimals within DynamoDB's limits.
Decimal RandomDecimal(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> num_digits(1, 38);
  std::uniform_int_distribution<int> digit(0, 9);
  std::uniform_int_distribution<int> exponent(-129, 126);
  std::string text = rng() % 2 ? "-" : "";
  text += "0.";
  int n = num_digits(rng);
  text.push_back(static_cast<char>('1' + digit(rng) % 9));
  for (int i = 1; i < n; ++i)
    text.push_back(static_cast<char>('0' + digit(rng)));
  text += "E" + std::to_string(exponent(rng));
  if (rng() % 16 == 0) return Decimal();
  return Decimal::Parse(text);
}

long double Approximate(const Decimal& d) {
  return std::strtold(d.ToString().c_str(), nullptr);
}

TEST(DecimalPropertyTest, CompareAgreesWithApproximationAndTextRoundTrips) {
  std::mt19937_64 rng(20240601);
  for (int i = 0; i < 20000; ++i) {
    Decimal a = RandomDecimal(rng);
    Decimal b = rng() % 8 == 0 ? a : RandomDecimal(rng);
    // Round trip through the canonical text.
    Decimal again = Decimal::Parse(a.ToString());
    ASSERT_EQ(again.Compare(a), 0) << a.ToString();
    ASSERT_EQ(again.digits(), a.digits());
    ASSERT_EQ(again.exponent(), a.exponent());
    ASSERT_EQ(again.ToString(), a.ToString());
    // Order: antisymmetric, and agrees with long double where it clearly
    // separates the two values.
    int c = a.Compare(b);
    ASSERT_EQ(b.Compare(a), -c);
    long double x = Approximate(a), y = Approximate(b);
    long double scale = std::max(std::fabs(x), std::fabs(y));
    if (std::fabs(x - y) > scale * 1e-15L) {
      ASSERT_EQ(c, x < y ? -1 : 1) << a.ToString() << " vs " << b.ToString();
    }
  }
}

TEST(DecimalPropertyTest, ArithmeticAgreesWithApproximation) {
  std::mt19937_64 rng(7);
  // Spans small enough that every sum fits in 38 digits.
  std::uniform_int_distribution<int> exponent(-10, 10);
  std::uniform_int_distribution<int> num_digits(1, 15);
  auto small = [&] {
    std::string text = rng() % 2 ? "-0." : "0.";
    int n = num_digits(rng);
    for (int i = 0; i < n; ++i)
      text.push_back(static_cast<char>('0' + rng() % 10));
    return Decimal::Parse(text + "E" + std::to_string(exponent(rng)));
  };
  for (int i = 0; i < 5000; ++i) {
    Decimal a = small(), b = small();
    Decimal sum = a.Add(b);
    Decimal difference = a.Subtract(b);
    ASSERT_EQ(sum.Compare(b.Add(a)), 0);
    ASSERT_EQ(sum.Subtract(b).Compare(a), 0)
        << a.ToString() << " + " << b.ToString();
    ASSERT_EQ(difference.Add(b).Compare(a), 0);
    ASSERT_TRUE(a.Subtract(a).is_zero());
    long double expected = Approximate(a) + Approximate(b);
    long double got = Approximate(sum);
    long double scale = std::max(
        {std::fabs(Approximate(a)), std::fabs(Approximate(b)), 1e-30L});
    ASSERT_LE(std::fabs(got - expected), scale * 1e-15L)
        << a.ToString() << " + " << b.ToString() << " = " << sum.ToString();
  }
}

}  // namespace
}  // namespace ddb
