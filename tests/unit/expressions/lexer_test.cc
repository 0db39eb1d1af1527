// The shared lexer and DynamoDB's syntax-error wording.
#include "expressions/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/api_error.h"
#include "tests/unit/expressions/test_util.h"

namespace ddb {
namespace {

using testing::ValidationMessage;

std::vector<TokenKind> Kinds(std::string_view source) {
  std::vector<TokenKind> kinds;
  for (const Token& token : Tokenize(source)) kinds.push_back(token.kind);
  return kinds;
}

std::vector<std::string> Texts(std::string_view source) {
  std::vector<std::string> texts;
  for (const Token& token : Tokenize(source)) {
    texts.emplace_back(token.text);
  }
  return texts;
}

TEST(LexerTest, PathTokensCarryPositions) {
  std::vector<Token> tokens = Tokenize(" a.b[2] ,#n");
  ASSERT_EQ(tokens.size(), 9u);
  EXPECT_EQ(tokens[0].kind, TokenKind::kIdentifier);
  EXPECT_EQ(tokens[0].begin, 1u);
  EXPECT_EQ(tokens[0].end, 2u);
  EXPECT_EQ(tokens[1].kind, TokenKind::kDot);
  EXPECT_EQ(tokens[3].kind, TokenKind::kLeftBracket);
  EXPECT_EQ(tokens[4].kind, TokenKind::kNumber);
  EXPECT_EQ(tokens[4].text, "2");
  EXPECT_EQ(tokens[5].kind, TokenKind::kRightBracket);
  EXPECT_EQ(tokens[6].kind, TokenKind::kComma);
  EXPECT_EQ(tokens[6].begin, 8u);
  EXPECT_EQ(tokens[7].kind, TokenKind::kNamePlaceholder);
  EXPECT_EQ(tokens[7].text, "#n");
  EXPECT_EQ(tokens[8].kind, TokenKind::kEnd);
  EXPECT_EQ(tokens[8].text, "<EOF>");
  EXPECT_EQ(tokens[8].begin, 11u);
}

TEST(LexerTest, ComparatorsAndArithmetic) {
  EXPECT_EQ(
      Kinds("= <> < <= > >= + - ( )"),
      (std::vector<TokenKind>{
          TokenKind::kEqual, TokenKind::kNotEqual, TokenKind::kLess,
          TokenKind::kLessEqual, TokenKind::kGreater, TokenKind::kGreaterEqual,
          TokenKind::kPlus, TokenKind::kMinus, TokenKind::kLeftParen,
          TokenKind::kRightParen, TokenKind::kEnd}));
}

TEST(LexerTest, KeywordsIgnoreCase) {
  EXPECT_EQ(
      Kinds("and Or NOT between in set REMOVE add delete"),
      (std::vector<TokenKind>{
          TokenKind::kAnd, TokenKind::kOr, TokenKind::kNot, TokenKind::kBetween,
          TokenKind::kIn, TokenKind::kSet, TokenKind::kRemove, TokenKind::kAdd,
          TokenKind::kDelete, TokenKind::kEnd}));
  // Keywords are whole words only.
  EXPECT_EQ(Kinds("android"),
            (std::vector<TokenKind>{TokenKind::kIdentifier, TokenKind::kEnd}));
}

TEST(LexerTest, IdentifiersAndPlaceholders) {
  EXPECT_EQ(Texts("_a1 #x_9 :v0 #0"),
            (std::vector<std::string>{"_a1", "#x_9", ":v0", "#0", "<EOF>"}));
  EXPECT_EQ(Kinds(":v"), (std::vector<TokenKind>{TokenKind::kValuePlaceholder,
                                                 TokenKind::kEnd}));
}

TEST(LexerTest, BareSigilsAreInvalid) {
  EXPECT_EQ(Kinds("# :"),
            (std::vector<TokenKind>{TokenKind::kInvalid, TokenKind::kInvalid,
                                    TokenKind::kEnd}));
}

TEST(LexerTest, ZeroStandsAlone) {
  // DynamoDB refuses leading zeros in list indexes by lexing "0" apart.
  EXPECT_EQ(Texts("001 10 0"),
            (std::vector<std::string>{"0", "0", "1", "10", "0", "<EOF>"}));
}

TEST(LexerTest, UnknownCharactersAreSingleInvalidTokens) {
  EXPECT_EQ(Texts("!!"), (std::vector<std::string>{"!", "!", "<EOF>"}));
  // A multi-byte character is one token, not a stray byte.
  EXPECT_EQ(Texts("\xEF\xBC\x91x"),
            (std::vector<std::string>{"\xEF\xBC\x91", "x", "<EOF>"}));
  EXPECT_EQ(Kinds("a!"),
            (std::vector<TokenKind>{TokenKind::kIdentifier, TokenKind::kInvalid,
                                    TokenKind::kEnd}));
}

// Fails at the first token so the window is [bad, next].
std::string FailAtStart(std::string_view source) {
  return ValidationMessage([&] {
    TokenCursor cursor(source, "UpdateExpression");
    cursor.FailSyntax();
  });
}

TEST(TokenCursorTest, NearSpansPreviousThroughNextToken) {
  // Both verified against DynamoDB by the conformance suite.
  EXPECT_EQ(FailAtStart("!!! INVALID !!!"),
            "Invalid UpdateExpression: Syntax error; token: \"!\", near: "
            "\"!!\"");
  EXPECT_EQ(FailAtStart("INVALID SYNTAX"),
            "Invalid UpdateExpression: Syntax error; token: \"INVALID\", "
            "near: \"INVALID SYNTAX\"");
}

TEST(TokenCursorTest, NearAtEndOfInputKeepsTrailingSpace) {
  std::string message = ValidationMessage([] {
    TokenCursor cursor("SET a = ", "UpdateExpression");
    cursor.Next();
    cursor.Next();
    cursor.Next();
    cursor.FailSyntax();
  });
  EXPECT_EQ(message,
            "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: "
            "\"= \"");
}

TEST(TokenCursorTest, ExpectFailsOnTheUnexpectedToken) {
  std::string message = ValidationMessage([] {
    TokenCursor cursor("l[a]", "ProjectionExpression");
    cursor.Expect(TokenKind::kIdentifier);
    cursor.Expect(TokenKind::kLeftBracket);
    cursor.Expect(TokenKind::kNumber);
  });
  EXPECT_EQ(message,
            "Invalid ProjectionExpression: Syntax error; token: \"a\", near: "
            "\"[a]\"");
}

TEST(TokenCursorTest, NextStopsAtEnd) {
  TokenCursor cursor("a", "ProjectionExpression");
  EXPECT_EQ(cursor.Next().kind, TokenKind::kIdentifier);
  EXPECT_EQ(cursor.Next().kind, TokenKind::kEnd);
  EXPECT_EQ(cursor.Next().kind, TokenKind::kEnd);
  EXPECT_EQ(cursor.PeekSecond().kind, TokenKind::kEnd);
}

TEST(ExpressionSizeTest, LimitIsFourKilobytes) {
  EXPECT_NO_THROW(CheckExpressionSize(std::string(4096, 'a'),
                                      "ProjectionExpression", false));
  EXPECT_EQ(ValidationMessage([] {
              CheckExpressionSize(std::string(4097, 'a'), "FilterExpression",
                                  true);
            }),
            "Invalid FilterExpression: Expression size has exceeded the "
            "maximum allowed size; expression size: 4097");
}

}  // namespace
}  // namespace ddb
