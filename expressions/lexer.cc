#include "expressions/lexer.h"

#include <array>
#include <utility>

#include "core/api_error.h"

namespace ddb {
namespace {

bool IsLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameChar(char c) { return IsLetter(c) || IsDigit(c) || c == '_'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Byte length of the UTF-8 sequence starting with `lead`, so an unexpected
// non-ASCII character is reported whole ("１", not a lone byte). Malformed
// input counts one byte at a time.
size_t Utf8Length(unsigned char lead) {
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  if (lead >= 0xE0) return lead <= 0xEF ? 3 : 1;
  if (lead >= 0xC2) return 2;
  return 1;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view upper) {
  if (a.size() != upper.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper[i]) return false;
  }
  return true;
}

TokenKind ClassifyWord(std::string_view word) {
  static constexpr std::array<std::pair<std::string_view, TokenKind>, 9>
      kKeywords = {{
          {"AND", TokenKind::kAnd},
          {"OR", TokenKind::kOr},
          {"NOT", TokenKind::kNot},
          {"BETWEEN", TokenKind::kBetween},
          {"IN", TokenKind::kIn},
          {"SET", TokenKind::kSet},
          {"REMOVE", TokenKind::kRemove},
          {"ADD", TokenKind::kAdd},
          {"DELETE", TokenKind::kDelete},
      }};
  for (const auto& [spelling, kind] : kKeywords) {
    if (EqualsIgnoreCase(word, spelling)) return kind;
  }
  return TokenKind::kIdentifier;
}

}  // namespace

std::vector<Token> Tokenize(std::string_view source) {
  std::vector<Token> tokens;
  size_t i = 0;
  const size_t n = source.size();
  auto emit = [&](TokenKind kind, size_t begin, size_t end) {
    tokens.push_back(
        Token{kind, begin, end, source.substr(begin, end - begin)});
  };
  while (i < n) {
    const char c = source[i];
    const size_t begin = i;
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    if (IsLetter(c) || c == '_') {
      while (i < n && IsNameChar(source[i])) ++i;
      emit(ClassifyWord(source.substr(begin, i - begin)), begin, i);
      continue;
    }
    if (IsDigit(c)) {
      // "0" is a number on its own, so "007" lexes as 0, 0, 7 and the parser
      // rejects the second "0": DynamoDB reports l[001] as token "0" near
      // "001" rather than accepting a leading zero.
      ++i;
      if (c != '0') {
        while (i < n && IsDigit(source[i])) ++i;
      }
      emit(TokenKind::kNumber, begin, i);
      continue;
    }
    if (c == '#' || c == ':') {
      size_t j = i + 1;
      while (j < n && IsNameChar(source[j])) ++j;
      if (j > i + 1) {
        i = j;
        emit(c == '#' ? TokenKind::kNamePlaceholder
                      : TokenKind::kValuePlaceholder,
             begin, i);
      } else {
        // A bare sigil names nothing.
        ++i;
        emit(TokenKind::kInvalid, begin, i);
      }
      continue;
    }
    TokenKind kind = TokenKind::kInvalid;
    size_t length = 1;
    const char next = i + 1 < n ? source[i + 1] : '\0';
    switch (c) {
      case '.':
        kind = TokenKind::kDot;
        break;
      case ',':
        kind = TokenKind::kComma;
        break;
      case '[':
        kind = TokenKind::kLeftBracket;
        break;
      case ']':
        kind = TokenKind::kRightBracket;
        break;
      case '(':
        kind = TokenKind::kLeftParen;
        break;
      case ')':
        kind = TokenKind::kRightParen;
        break;
      case '=':
        kind = TokenKind::kEqual;
        break;
      case '+':
        kind = TokenKind::kPlus;
        break;
      case '-':
        kind = TokenKind::kMinus;
        break;
      case '<':
        if (next == '>') {
          kind = TokenKind::kNotEqual;
          length = 2;
        } else if (next == '=') {
          kind = TokenKind::kLessEqual;
          length = 2;
        } else {
          kind = TokenKind::kLess;
        }
        break;
      case '>':
        if (next == '=') {
          kind = TokenKind::kGreaterEqual;
          length = 2;
        } else {
          kind = TokenKind::kGreater;
        }
        break;
      default:
        length = Utf8Length(static_cast<unsigned char>(c));
        if (i + length > n) length = n - i;
        break;
    }
    i += length;
    emit(kind, begin, i);
  }
  tokens.push_back(Token{TokenKind::kEnd, n, n, "<EOF>"});
  return tokens;
}

namespace {

bool IsConditionKeyword(TokenKind kind) {
  return kind == TokenKind::kAnd || kind == TokenKind::kOr ||
         kind == TokenKind::kNot || kind == TokenKind::kBetween ||
         kind == TokenKind::kIn;
}

bool IsUpdateKeyword(TokenKind kind) {
  return kind == TokenKind::kSet || kind == TokenKind::kRemove ||
         kind == TokenKind::kAdd || kind == TokenKind::kDelete;
}

}  // namespace

TokenCursor::TokenCursor(std::string_view source, std::string_view parameter,
                         KeywordSet keywords)
    : source_(source), parameter_(parameter), tokens_(Tokenize(source)) {
  if (keywords == KeywordSet::kAll) return;
  // Another language's keywords are plain words here.
  for (Token& token : tokens_) {
    if ((keywords == KeywordSet::kCondition && IsUpdateKeyword(token.kind)) ||
        (keywords == KeywordSet::kUpdate && IsConditionKeyword(token.kind))) {
      token.kind = TokenKind::kIdentifier;
    }
  }
}

const Token& TokenCursor::PeekSecond() const {
  return pos_ + 1 < tokens_.size() ? tokens_[pos_ + 1] : tokens_.back();
}

const Token& TokenCursor::Next() {
  const Token& token = tokens_[pos_];
  if (token.kind != TokenKind::kEnd) ++pos_;
  return token;
}

bool TokenCursor::Accept(TokenKind kind) {
  if (Peek().kind != kind) return false;
  Next();
  return true;
}

const Token& TokenCursor::Expect(TokenKind kind) {
  if (Peek().kind != kind) FailSyntax();
  return Next();
}

void TokenCursor::FailSyntax() const {
  const Token& bad = tokens_[pos_];
  const size_t near_begin = pos_ > 0 ? tokens_[pos_ - 1].begin : bad.begin;
  const size_t near_end =
      pos_ + 1 < tokens_.size() ? tokens_[pos_ + 1].end : bad.end;
  std::string detail = "Syntax error; token: \"";
  detail.append(bad.text);
  detail.append("\", near: \"");
  detail.append(source_.substr(near_begin, near_end - near_begin));
  detail.append("\"");
  Fail(detail);
}

void TokenCursor::Fail(std::string_view detail) const {
  ThrowInvalidExpression(parameter_, detail);
}

void CheckExpressionSize(std::string_view source, std::string_view parameter,
                         bool report_size) {
  if (source.size() <= kMaxExpressionSize) return;
  std::string detail = "Expression size has exceeded the maximum allowed size;";
  if (report_size) {
    detail += " expression size: " + std::to_string(source.size());
  }
  ThrowInvalidExpression(parameter, detail);
}

bool IsBlank(std::string_view source) {
  for (char c : source) {
    if (!IsSpace(c)) return false;
  }
  return true;
}

void ThrowInvalidExpression(std::string_view parameter,
                            std::string_view detail) {
  std::string message = "Invalid ";
  message.append(parameter);
  message.append(": ");
  message.append(detail);
  throw ApiError::Validation(std::move(message));
}

}  // namespace ddb
