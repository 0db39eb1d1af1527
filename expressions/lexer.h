// The lexer shared by DynamoDB's five expression languages, and a token cursor
// that reports syntax errors the way DynamoDB words them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ddb {

enum class TokenKind : uint8_t {
  kIdentifier,        // [A-Za-z_][A-Za-z0-9_]*, not a keyword
  kNamePlaceholder,   // #[A-Za-z0-9_]+
  kValuePlaceholder,  // :[A-Za-z0-9_]+
  kNumber,            // "0" or [1-9][0-9]*; only list indexes use numbers
  // Keywords, matched without regard to case.
  kAnd,
  kOr,
  kNot,
  kBetween,
  kIn,
  kSet,
  kRemove,
  kAdd,
  kDelete,
  // Punctuation and operators.
  kDot,
  kComma,
  kLeftBracket,
  kRightBracket,
  kLeftParen,
  kRightParen,
  kEqual,         // =
  kNotEqual,      // <>
  kLess,          // <
  kLessEqual,     // <=
  kGreater,       // >
  kGreaterEqual,  // >=
  kPlus,
  kMinus,
  // One character (one UTF-8 code point) no rule accepts. Never expected by
  // any grammar, so the parser reports it as the offending token.
  kInvalid,
  kEnd,  // end of input; always the last token
};

struct Token {
  TokenKind kind;
  // [begin, end) in the source, in bytes. kEnd sits at the source's length.
  size_t begin;
  size_t end;
  // The source text of the token; "<EOF>" for kEnd, as DynamoDB prints it.
  std::string_view text;
};

// Splits `source` into tokens. Never fails: characters that fit no rule
// become kInvalid tokens, so the error is reported where the parser meets
// them, in token order, as DynamoDB does ("a, b!" fails at "!", after b).
// The result always ends with one kEnd token.
std::vector<Token> Tokenize(std::string_view source);

// Which keywords a grammar has. Each language knows only its own: in a
// condition "set" is an attribute name (and so a reserved word, reported as
// such), not the start of a SET clause, and likewise "and" in an update.
enum class KeywordSet : uint8_t {
  kAll,        // every keyword (ProjectionExpression, which uses none)
  kCondition,  // AND OR NOT BETWEEN IN
  kUpdate,     // SET REMOVE ADD DELETE
};

// A recursive-descent parser's view of the tokens of one expression. It knows
// which request parameter it parses (e.g. "ProjectionExpression") so every
// error it raises carries DynamoDB's "Invalid <parameter>: " prefix.
class TokenCursor {
 public:
  // REQUIRES: `source` and `parameter` outlive the cursor.
  TokenCursor(std::string_view source, std::string_view parameter,
              KeywordSet keywords = KeywordSet::kAll);

  // The index of the next token, for parsers that remember where a
  // construct started (e.g. to spot "((x))").
  size_t position() const { return pos_; }

  const Token& Peek() const { return tokens_[pos_]; }
  // The token after the next one, or kEnd.
  const Token& PeekSecond() const;
  // Consumes and returns the next token (kEnd stays put at the end).
  const Token& Next();
  // Consumes the next token if it is of `kind`.
  bool Accept(TokenKind kind);
  // Consumes a token of `kind` or fails with a syntax error on the next one.
  const Token& Expect(TokenKind kind);

  // Throws "Invalid <parameter>: Syntax error; token: "<tok>", near: "<ctx>""
  // for the next token. DynamoDB's `near` is the source text from the start
  // of the token before the offending one to the end of the token after it
  // (either may be missing), whitespace included: "!!! X" gives token "!"
  // near "!!"; "SET a = " gives token "<EOF>" near "= "; "l[a]" gives token
  // "a" near "[a]".
  [[noreturn]] void FailSyntax() const;

  // Throws "Invalid <parameter>: <detail>".
  [[noreturn]] void Fail(std::string_view detail) const;

  std::string_view source() const { return source_; }
  std::string_view parameter() const { return parameter_; }

 private:
  std::string_view source_;
  std::string_view parameter_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

// DynamoDB's limit on the length of any one expression string, in bytes, as
// sent (placeholders are not substituted before measuring).
inline constexpr size_t kMaxExpressionSize = 4096;

// Throws "Invalid <parameter>: Expression size has exceeded the maximum
// allowed size;" if `source` is longer than kMaxExpressionSize. DynamoDB
// appends " expression size: <N>" for ConditionExpression and
// FilterExpression only; `report_size` asks for that suffix.
void CheckExpressionSize(std::string_view source, std::string_view parameter,
                         bool report_size);

// True if `source` holds no token at all (only whitespace): DynamoDB calls
// such an expression empty ("The expression can not be empty;").
bool IsBlank(std::string_view source);

// Throws ApiError::Validation("Invalid <parameter>: <detail>"), the form of
// every error DynamoDB reports about the content of an expression.
[[noreturn]] void ThrowInvalidExpression(std::string_view parameter,
                                         std::string_view detail);

}  // namespace ddb
